import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';
import type { Principal } from '../access/roles.js';
import { AuditService } from '../audit/audit.service.js';
import { assertVisible } from '../client-tenants/client-tenant-access.js';
import { ClientTenantEntity } from '../client-tenants/client-tenant.entity.js';
import { ClientTenantsService } from '../client-tenants/client-tenants.service.js';
import { canonicalSha256 } from '../common/canonical-json.js';
import { DomainError } from '../common/errors/domain-error.js';
import {
  type IdempotentRequest,
  type StoredResponse,
  withIdempotency,
} from '../common/idempotency/idempotency.js';
import { decodeCursor, Page, toPage, UUID_PATTERN } from '../common/paging.js';
import { rate } from '../rating/rate.js';
import type { Rating, RatingSnapshot } from '../rating/rating.types.js';
import { ControlCatalogService } from '../secure-scores/catalog/control-catalog.service.js';
import {
  type ControlWarning,
  type ListedWarnings,
  listedWarnings,
  ratingWarnings,
} from '../secure-scores/catalog/control-warnings.js';
import { WeightingTablesService } from '../weighting-tables/weighting-tables.service.js';
import { AssessmentEntity } from './assessment.entity.js';
import { assessmentRecord } from './assessment-record.js';
import { renderWorksheet } from './assessment-worksheet.html.js';
import type { CreateAssessmentDto } from './dto/create-assessment.dto.js';
import { diffJson, type JsonDifference } from './json-diff.js';
import {
  type ClientTenantRatingInputs,
  loadRatingInputs,
  toRatingSnapshot,
} from './rating-inputs.js';

/**
 * A filed rating with its inputs. `warnings` is what the explanation says of the snapshot's
 * controls: those the catalog did not know or had deprecated when the snapshot arrived, and
 * those whose tenant state is Ignored or ThirdParty in the rating's inputs. It is derived from
 * stored inputs, so it never changes.
 */
export type AssessmentView = Rating &
  ListedWarnings & {
    id: string;
    clientTenantId: string;
    createdAt: string;
    createdBy: string;
    portfolioRunId: string | null;
    inputs: { industry: string | null; controlStates: AssessmentEntity['controlStates'] };
  };

export interface ReplayResult {
  matches: boolean;
  differences: JsonDifference[];
}

@Injectable()
export class AssessmentsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clientTenants: ClientTenantsService,
    private readonly tables: WeightingTablesService,
    private readonly catalog: ControlCatalogService,
    private readonly audit: AuditService,
  ) {}

  /** Rates the client tenant as of a date and files the result with every input it used. */
  async create(
    principal: Principal,
    id: string,
    dto: CreateAssessmentDto,
    idempotency: IdempotentRequest | null = null,
  ): Promise<StoredResponse<AssessmentView> & { replayed: boolean }> {
    // The stored id, not the URL's: a UUID may be written in capitals there, and the inputs below
    // are keyed by the lower-case text PostgreSQL returns.
    const clientTenantId = (await this.clientTenants.findVisible(principal, id)).id;
    const asOf = dto.asOf ? new Date(dto.asOf) : new Date();
    const table = await this.tables.resolveTable(dto.table ?? null, asOf);
    const inputs = (
      await loadRatingInputs(
        this.dataSource.manager,
        [clientTenantId],
        asOf,
        dto.snapshotId ?? null,
      )
    ).get(clientTenantId)!;
    if (inputs.snapshot === null) {
      const pointer = dto.snapshotId ? '/snapshotId' : '/asOf';
      throw DomainError.validation(
        [
          {
            pointer,
            message: dto.snapshotId
              ? 'No snapshot of this client tenant has this id'
              : 'No snapshot at or before asOf',
          },
        ],
        'There is no snapshot to rate',
      );
    }
    if (inputs.snapshot.createdDateTime > asOf) {
      // Only a snapshot named by id can be: its age would be negative, rated as the freshest.
      throw DomainError.validation(
        [
          {
            pointer: '/snapshotId',
            message: `The snapshot was taken at ${inputs.snapshot.createdDateTime.toISOString()}, after asOf (${asOf.toISOString()}): an assessment as of a date rates what was known then`,
          },
        ],
        'The snapshot is later than asOf',
      );
    }
    const catalog = await this.catalog.maxScores();
    const snapshot = toRatingSnapshot(inputs.snapshot);
    const rating = rate(snapshot, table.compiled, {
      asOf: asOf.toISOString(),
      industry: inputs.industry,
      controlStates: inputs.controlStates,
      catalogMaxScores: catalog,
    });
    return this.dataSource.transaction((manager) =>
      withIdempotency(manager, idempotency, async () => ({
        status: 201,
        body: await this.file(manager, principal, {
          clientTenantId,
          asOf,
          inputs,
          snapshot,
          catalog,
          rating,
        }),
      })),
    );
  }

  /** The assessment's row and audit row, in the caller's transaction. */
  private async file(
    manager: EntityManager,
    principal: Principal,
    {
      clientTenantId,
      asOf,
      inputs,
      snapshot,
      catalog,
      rating,
    }: {
      clientTenantId: string;
      asOf: Date;
      inputs: ClientTenantRatingInputs;
      snapshot: RatingSnapshot;
      catalog: ReadonlyMap<string, string>;
      rating: Rating;
    },
  ): Promise<AssessmentView> {
    // An insert of a plain entity, not create() and save(): both deep-merge their values, and
    // that merge drops keys named "__proto__", a control name like any other in controlStates
    // and the catalog subset. The insert sets the generated id and createdAt on `saved`.
    const record = assessmentRecord({
      inputs,
      snapshotId: inputs.snapshot!.id,
      snapshot,
      catalog,
      rating,
      portfolioRunId: null,
      createdBy: principal.keyId,
    });
    const saved = Object.assign(new AssessmentEntity(), { ...record, asOf });
    // The entity's relation properties (unset here) do not fit insert()'s value type.
    await manager.insert(AssessmentEntity, saved as QueryDeepPartialEntity<AssessmentEntity>);
    await this.audit.record(manager, principal, {
      action: 'assessment.created',
      entityType: 'assessment',
      entityId: saved.id,
      clientTenantId,
      afterSha256: canonicalSha256(rating),
      details: {
        table: rating.table,
        tier: rating.tier,
        factor: rating.factor,
        decision: rating.decision,
      },
    });
    return toView(saved, await this.warnings(saved, manager));
  }

  async get(principal: Principal, id: string): Promise<AssessmentView> {
    const { assessment } = await this.findVisible(principal, id);
    return toView(assessment, await this.warnings(assessment));
  }

  async worksheet(principal: Principal, id: string): Promise<string> {
    const { assessment, tenant } = await this.findVisible(principal, id);
    return renderWorksheet({
      ...listedWarnings(await this.warnings(assessment)),
      id: assessment.id,
      clientTenantId: assessment.clientTenantId,
      clientTenantName: tenant.name,
      azureTenantId: tenant.azureTenantId,
      createdAt: assessment.createdAt.toISOString(),
      createdBy: assessment.createdBy,
      rating: assessment.rating,
    });
  }

  /** Newest first; `tierChange` marks an assessment whose tier differs from the one before it. */
  async history(
    principal: Principal,
    clientTenantId: string,
    query: { limit: number; cursor?: string },
  ): Promise<Page<Record<string, unknown>>> {
    const tenant = await this.clientTenants.findVisible(principal, clientTenantId);
    const after = decodeCursor(query.cursor, ['instant', 'uuid']);
    const rows: {
      id: string;
      snapshot_id: string;
      table_name: string;
      table_version: string;
      as_of: Date;
      tier: string | null;
      factor: string | null;
      decision: string;
      index: string | null;
      portfolio_run_id: string | null;
      created_at: Date;
      previous_tier: string | null;
      previous_id: string | null;
    }[] = await this.dataSource.query(
      `SELECT * FROM (
         SELECT id, snapshot_id, table_name, table_version, as_of, tier, factor::text AS factor, decision,
           rating->>'index' AS index, portfolio_run_id, created_at,
           lag(tier) OVER (ORDER BY created_at, id) AS previous_tier,
           lag(id) OVER (ORDER BY created_at, id) AS previous_id
         FROM assessments WHERE client_tenant_id = $1) a
       WHERE ($2::timestamptz IS NULL OR (a.created_at, a.id) < ($2, $3::uuid))
       ORDER BY a.created_at DESC, a.id DESC LIMIT $4`,
      [tenant.id, after?.[0] ?? null, after?.[1] ?? null, query.limit + 1],
    );
    return toPage(
      rows,
      query.limit,
      (row) => [row.created_at.toISOString(), row.id],
      (row) => ({
        id: row.id,
        snapshotId: row.snapshot_id,
        table: { name: row.table_name, version: row.table_version },
        asOf: row.as_of.toISOString(),
        index: row.index,
        tier: row.tier,
        factor: row.factor,
        decision: row.decision,
        portfolioRunId: row.portfolio_run_id,
        createdAt: row.created_at.toISOString(),
        previousTier: row.previous_id === null ? null : row.previous_tier,
        tierChange: row.previous_id !== null && row.previous_tier !== row.tier,
      }),
    );
  }

  /** Recomputes the rating from the stored inputs and compares it, field by field, with what was filed. */
  async replay(principal: Principal, id: string): Promise<ReplayResult> {
    const { assessment } = await this.findVisible(principal, id);
    const table = await this.tables.compiledVersion(assessment.tableName, assessment.tableVersion);
    if (table.sha256 !== assessment.tableSha256) {
      return {
        matches: false,
        differences: [
          { pointer: '/table/sha256', stored: assessment.tableSha256, recomputed: table.sha256 },
        ],
      };
    }
    const inputs = (
      await loadRatingInputs(
        this.dataSource.manager,
        [assessment.clientTenantId],
        assessment.asOf,
        assessment.snapshotId,
      )
    ).get(assessment.clientTenantId)!;
    const recomputed = rate(toRatingSnapshot(inputs.snapshot!), table.compiled, {
      asOf: assessment.asOf.toISOString(),
      industry: assessment.industry,
      controlStates: assessment.controlStates,
      catalogMaxScores: new Map(Object.entries(assessment.catalogMaxScores)),
    });
    const differences = diffJson(assessment.rating, recomputed);
    return { matches: differences.length === 0, differences };
  }

  private async warnings(
    assessment: Pick<AssessmentEntity, 'clientTenantId' | 'snapshotId' | 'controlStates'>,
    manager = this.dataSource.manager,
  ): Promise<ControlWarning[]> {
    const [snapshot]: {
      control_names: string[];
      unknown_controls: string[];
      deprecated_controls: string[];
    }[] = await manager.query(
      `SELECT control_names, unknown_controls, deprecated_controls FROM secure_score_snapshots
       WHERE client_tenant_id = $1 AND id = $2`,
      [assessment.clientTenantId, assessment.snapshotId],
    );
    return ratingWarnings(
      snapshot.control_names,
      {
        unknownControls: snapshot.unknown_controls,
        deprecatedControls: snapshot.deprecated_controls,
      },
      assessment.controlStates,
    );
  }

  private async findVisible(
    principal: Principal,
    id: string,
  ): Promise<{ assessment: AssessmentEntity; tenant: ClientTenantEntity }> {
    const assessment = UUID_PATTERN.test(id)
      ? await this.dataSource.getRepository(AssessmentEntity).findOneBy({ id })
      : null;
    const tenant = assessment
      ? await this.dataSource
          .getRepository(ClientTenantEntity)
          .findOneBy({ id: assessment.clientTenantId })
      : null;
    try {
      assertVisible(principal, tenant);
    } catch {
      throw DomainError.notFound('Assessment');
    }
    return { assessment: assessment!, tenant: tenant! };
  }
}

function toView(a: AssessmentEntity, warnings: ControlWarning[]): AssessmentView {
  return {
    id: a.id,
    clientTenantId: a.clientTenantId,
    ...a.rating,
    createdAt: a.createdAt.toISOString(),
    createdBy: a.createdBy,
    portfolioRunId: a.portfolioRunId,
    inputs: { industry: a.industry, controlStates: a.controlStates },
    ...listedWarnings(warnings),
  };
}
