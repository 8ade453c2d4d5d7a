import { Injectable } from '@nestjs/common';
import type { Principal } from '../access/roles.js';
import { DomainError } from '../common/errors/domain-error.js';
import { toJsonInputError } from '../common/json/hardened-json.parser.js';
import { compileTable, rate, RatingInputError, type CompiledTable } from '../rating/rate.js';
import type { Rating } from '../rating/rating.types.js';
import { ControlCatalogService } from '../secure-scores/catalog/control-catalog.service.js';
import {
  catalogFindings,
  type ListedWarnings,
  listedWarnings,
  ratingWarnings,
} from '../secure-scores/catalog/control-warnings.js';
import { parseRateRequest, type RateRequest } from './rate-request.js';
import { RateRequestChecker } from './rate-request-checker.js';
import { WeightingTablesService } from './weighting-tables.service.js';

/** Who may rate with a draft they name: the people who write tables, trying one before publishing. */
const DRAFT_ROLES: readonly Principal['role'][] = ['actuary', 'admin'];

/** The rating (spec §5) and what its explanation should say of the snapshot's controls. */
export type ExplainedRating = Rating & ListedWarnings;

/** Rates one snapshot on request (`POST /v1/rate`, the `rate` command); stores nothing. */
@Injectable()
export class RateService {
  constructor(
    private readonly tables: WeightingTablesService,
    private readonly catalog: ControlCatalogService,
    private readonly checker: RateRequestChecker,
  ) {}

  /** A request already parsed (the `rate` command's files), checked here. */
  async rate(principal: Principal, body: unknown): Promise<ExplainedRating> {
    const parsed = parseRateRequest(body, new Date());
    if (!parsed.ok) throw DomainError.validation(parsed.errors, 'The rating request is invalid');
    return this.rateChecked(principal, parsed.request);
  }

  /** A body's bytes (`POST /v1/rate`): decoded, parsed and checked on a rate thread. */
  async rateBody(principal: Principal, body: Uint8Array): Promise<ExplainedRating> {
    const result = await this.checker.check(body, new Date());
    if (result.kind === 'malformed-json') throw toJsonInputError(result.error);
    if (result.kind === 'invalid')
      throw DomainError.validation(result.errors, 'The rating request is invalid');
    return this.rateChecked(principal, result.request);
  }

  private async rateChecked(principal: Principal, request: RateRequest): Promise<ExplainedRating> {
    const [table, catalog] = await Promise.all([
      this.table(principal, request),
      this.catalog.catalog(),
    ]);
    const names = request.snapshot.controlScores.map((c) => c.controlName);
    try {
      const rating = rate(request.snapshot, table, {
        asOf: request.asOf.toISOString(),
        industry: request.industry,
        controlStates: request.controlStates,
        catalogMaxScores: catalog.maxScores,
      });
      const findings = catalogFindings(names, catalog);
      return {
        ...rating,
        ...listedWarnings(ratingWarnings(names, findings, request.controlStates)),
      };
    } catch (error) {
      // The request checks rule these out; should one slip through, it is the input's fault, not a 500.
      if (!(error instanceof RatingInputError)) throw error;
      const pointer = `/${error.field.replace(/\./g, '/')}`;
      throw DomainError.validation(
        [{ pointer, message: error.message }],
        'The snapshot cannot be rated',
      );
    }
  }

  /**
   * An inline document rates as written, whatever its effective interval (an actuary trying a
   * table); a reference resolves the published version in force, or exactly the version named.
   */
  private async table(principal: Principal, request: RateRequest): Promise<CompiledTable> {
    const table = request.table;
    if (table.kind === 'document') return compileTable(table.table, table.sha256);
    const allowDraft = table.version !== undefined && DRAFT_ROLES.includes(principal.role);
    return (await this.tables.resolveTable(table, request.asOf, { allowDraft })).compiled;
  }
}
