import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { Principal } from '../access/roles.js';
import { ClientTenantsService } from '../client-tenants/client-tenants.service.js';
import { DomainError } from '../common/errors/domain-error.js';
import { runIdempotent, StoredResponse } from '../common/idempotency/idempotency.js';
import { toJsonInputError } from '../common/json/hardened-json.parser.js';
import { decodeCursor, Page, toPage } from '../common/paging.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/app-config.js';
import { ControlCatalogService } from './catalog/control-catalog.service.js';
import {
  catalogFindings,
  type ListedWarnings,
  listedWarnings,
  snapshotWarnings,
} from './catalog/control-warnings.js';
import { wrongListIssue } from './graph/graph-list-kind.js';
import { snapshotAgeIssues } from './graph/secure-score-payload.parser.js';
import { SNAPSHOT_FIELDS } from './graph/secure-score.schema.js';
import { SnapshotPreparer } from './preparation/snapshot-preparer.js';
import { SecureScoreSnapshotEntity } from './secure-score-snapshot.entity.js';
import { type CheckedSnapshot, type WriteOutcome, writeSnapshots } from './snapshot-writer.js';

/** `warnings`: controls accepted but unknown to or deprecated in the catalog (INPUT-09). */
export interface IngestedSnapshot extends ListedWarnings {
  id: string;
  clientTenantId: string;
  azureTenantId: string;
  createdDateTime: string;
  duplicate: boolean;
}

export interface IngestRequest {
  /** The body's bytes as received: they move to an ingest thread, which decodes and parses them. */
  body: Uint8Array;
  idempotencyKey: string | null;
  /** SHA-256 of the raw body, for the Idempotency-Key fingerprint. */
  bodySha256: string;
  /** Lifts the snapshot age limit (`?backfill=true`), for loading history; audited. */
  backfill: boolean;
}

@Injectable()
export class SecureScoresService {
  private readonly logger = new Logger(SecureScoresService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clientTenants: ClientTenantsService,
    private readonly preparer: SnapshotPreparer,
    private readonly catalog: ControlCatalogService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * One request is one transaction: one bad or conflicting snapshot in an envelope rejects the
   * whole envelope and stores nothing. Answers 201 when something new was stored, 200 when every
   * snapshot was already there.
   */
  async ingest(
    principal: Principal,
    request: IngestRequest,
  ): Promise<StoredResponse & { replayed: boolean }> {
    const result = await this.preparer.prepare(request.body);
    if (result.kind === 'malformed-json') throw toJsonInputError(result.error);
    if (result.kind === 'invalid') {
      throw result.sourceError
        ? DomainError.sourceError(result.errors, 'Secure Score data')
        : DomainError.validation(result.errors, 'The Secure Score payload is invalid');
    }
    if (result.kind === 'control-profiles') {
      throw DomainError.validation(
        [wrongListIssue('control-profiles')],
        'The body is control profiles, not Secure Scores',
      );
    }
    const catalog = await this.catalog.catalog();
    const prepared: CheckedSnapshot[] = result.snapshots.map((snapshot) => ({
      ...snapshot,
      findings: catalogFindings(snapshot.controlNames, catalog),
    }));
    const maxAgeDays = request.backfill ? 0 : this.config.snapshotMaxAgeDays;
    const work = async (manager: EntityManager): Promise<StoredResponse> => {
      // Checked here, not with the payload: a replay of an Idempotency-Key answers as it did
      // the first time, however old its snapshots have become since.
      const tooOld = maxAgeDays > 0 ? snapshotAgeIssues(prepared, new Date(), maxAgeDays) : [];
      if (tooOld.length > 0) {
        throw DomainError.validation(
          tooOld,
          'The Secure Score payload holds snapshots too old for a live feed',
        );
      }
      const outcomes = await writeSnapshots(manager, prepared, {
        partnerId: principal.role === 'partner' ? principal.partnerId : null,
        receivedBy: principal.keyId === 'system' ? null : principal.keyId,
        actor: principal,
        backfill: request.backfill,
      });
      const snapshots = outcomes.map((outcome, i) => toIngested(outcome, prepared[i]));
      const stored = snapshots.filter((s) => !s.duplicate).length;
      if (stored > 0)
        this.logger.log({ stored, keyId: principal.keyId }, 'Secure Score snapshots stored');
      return { status: stored > 0 ? 201 : 200, body: { snapshots } };
    };
    // One snapshot is one statement, atomic without a transaction (the common case, one round
    // trip); an envelope must store all or nothing, and an Idempotency-Key is kept with it.
    if (request.idempotencyKey === null && prepared.length === 1) {
      return { ...(await work(this.dataSource.manager)), replayed: false };
    }
    return this.dataSource.transaction(async (manager) => {
      if (request.idempotencyKey === null) return { ...(await work(manager)), replayed: false };
      return runIdempotent(
        manager,
        {
          scope: principal.keyId,
          key: request.idempotencyKey,
          // Lifting the age limit makes it another request: a key reused with it is a 422.
          fingerprint: `POST /v1/secure-scores${request.backfill ? '?backfill=true' : ''} ${request.bodySha256}`,
        },
        () => work(manager),
      );
    });
  }

  async history(
    principal: Principal,
    clientTenantId: string,
    query: { limit: number; cursor?: string; includeControls: boolean },
  ): Promise<Page<Record<string, unknown>>> {
    const tenant = await this.clientTenants.findVisible(principal, clientTenantId);
    const after = decodeCursor(query.cursor, ['instant', 'uuid']);
    const qb = this.dataSource
      .getRepository(SecureScoreSnapshotEntity)
      .createQueryBuilder('s')
      .where('s.client_tenant_id = :clientTenantId', { clientTenantId: tenant.id });
    if (after) {
      qb.andWhere('(s.created_date_time, s.id) < (:at, :id)', { at: after[0], id: after[1] });
    }
    const rows = await qb
      .orderBy('s.created_date_time', 'DESC')
      .addOrderBy('s.id', 'DESC')
      .limit(query.limit + 1)
      .getMany();
    return toPage(
      rows,
      query.limit,
      (s) => [s.createdDateTime.toISOString(), s.id],
      (s) => toSnapshotView(s, query.includeControls),
    );
  }
}

function toIngested(outcome: WriteOutcome, checked: CheckedSnapshot): IngestedSnapshot {
  const { snapshot } = outcome;
  const created = SNAPSHOT_FIELDS[snapshot.sourceShape].created;
  switch (outcome.kind) {
    case 'forbidden':
      throw new DomainError(
        'forbidden',
        `The client tenant ${snapshot.azureTenantId} is not one of this partner's client tenants`,
        [
          {
            pointer: `${snapshot.pointer}/azureTenantId`,
            message: 'Not one of your client tenants',
          },
        ],
      );
    case 'conflict':
      throw new DomainError(
        'snapshot-conflict',
        `A different snapshot of ${snapshot.azureTenantId} for ${snapshot.createdDateTime} is already stored (${outcome.existingId})`,
        [
          {
            pointer: `${snapshot.pointer}/${created}`,
            message: 'A different snapshot has this date',
          },
        ],
        { existingSnapshotId: outcome.existingId },
      );
    case 'stored':
    case 'duplicate':
      return {
        id: outcome.id,
        clientTenantId: outcome.clientTenantId,
        azureTenantId: snapshot.azureTenantId,
        createdDateTime: snapshot.createdDateTime,
        duplicate: outcome.kind === 'duplicate',
        ...listedWarnings(
          snapshotWarnings(checked.controlNames, checked.findings, {
            snapshotPointer: snapshot.pointer,
            nameMember: SNAPSHOT_FIELDS[snapshot.sourceShape].controlName,
          }),
        ),
      };
  }
}

export function toSnapshotView(
  s: SecureScoreSnapshotEntity,
  includeControls: boolean,
): Record<string, unknown> {
  const view: Record<string, unknown> = {
    id: s.id,
    clientTenantId: s.clientTenantId,
    createdDateTime: s.createdDateTime.toISOString(),
    graphId: s.graphId,
    sourceShape: s.sourceShape,
    currentScore: s.currentScore,
    maxScore: s.maxScore,
    activeUserCount: s.activeUserCount,
    licensedUserCount: s.licensedUserCount,
    enabledServices: s.enabledServices,
    averageComparativeScores: s.averageComparativeScores,
    controlCount: s.controlNames.length,
    contentSha256: s.contentSha256,
    receivedAt: s.receivedAt.toISOString(),
    // Pointers into the snapshot as `?include=controls` lists it (its controlScores, in order).
    ...listedWarnings(
      snapshotWarnings(
        s.controlNames,
        { unknownControls: s.unknownControls, deprecatedControls: s.deprecatedControls },
        { snapshotPointer: '', nameMember: 'controlName' },
      ),
    ),
  };
  if (includeControls) {
    view.controlScores = s.controlNames.map((controlName, i) => ({
      controlName,
      controlCategory: s.controlCategories[i],
      score: s.controlScores[i],
      scoreInPercentage: s.controlScorePercentages[i],
      maxScore: s.controlMaxScores[i],
    }));
  }
  return view;
}
