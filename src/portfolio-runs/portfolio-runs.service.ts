import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import type { Principal } from '../access/roles.js';
import { AuditService } from '../audit/audit.service.js';
import { canonicalSha256 } from '../common/canonical-json.js';
import { DomainError } from '../common/errors/domain-error.js';
import {
  type IdempotentRequest,
  type StoredResponse,
  withIdempotency,
} from '../common/idempotency/idempotency.js';
import { decodeCursor, Page, toPage, UUID_PATTERN } from '../common/paging.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { ResolvedTable } from '../weighting-tables/table-resolver.js';
import { WeightingTablesService } from '../weighting-tables/weighting-tables.service.js';
import type { CreatePortfolioRunDto } from './dto/create-portfolio-run.dto.js';
import { JobQueue } from './job-queue.js';
import { PortfolioRunEntity } from './portfolio-run.entity.js';

export interface PortfolioRunView {
  id: string;
  status: string;
  table: { name: string; version: string; sha256: string; published: boolean };
  asOf: string;
  filter: Record<string, unknown>;
  compareTo: Record<string, unknown> | null;
  total: number;
  done: number;
  failed: number;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  summary: Record<string, unknown> | null;
}

/** What a run compares with, as stored. */
type RunComparison =
  { runId: string } | { table: { name: string; version: string; sha256: string } } | null;

export interface RunListQuery {
  limit: number;
  cursor?: string;
  status?: string;
  table?: string;
}

export const RESULT_COLUMNS = [
  'clientTenantId',
  'azureTenantId',
  'name',
  'industry',
  'snapshotId',
  'index',
  'tier',
  'factor',
  'decision',
  'reasons',
  'previousTier',
  'previousFactor',
  // Why a member has no rating (no snapshot, a rating failure), and what the rating lacked.
  'missingControls',
  'error',
  'assessmentId',
] as const;

@Injectable()
export class PortfolioRunsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly tables: WeightingTablesService,
    private readonly jobs: JobQueue,
    private readonly audit: AuditService,
  ) {}

  /**
   * Pins the table version and the member set, splits the members into chunks and enqueues one
   * job per chunk, all in one transaction. A named draft version makes an impact test, the only
   * kind an actuary may start.
   */
  async create(
    principal: Principal,
    dto: CreatePortfolioRunDto,
    idempotency: IdempotentRequest | null = null,
  ): Promise<StoredResponse<{ id: string }> & { replayed: boolean }> {
    if (dto.compareTo && !dto.compareTo.runId === !dto.compareTo.table) {
      throw DomainError.validation([
        {
          pointer: '/compareTo',
          message: `Compare with a run (runId) or with a table version (table): ${dto.compareTo.runId ? 'not both' : 'name one, or leave compareTo out'}`,
        },
      ]);
    }
    const asOf = dto.asOf ? new Date(dto.asOf) : new Date();
    const table = await this.tables.resolveTable(dto.table, asOf, {
      allowDraft: dto.table.version !== undefined,
    });
    // Actuaries run portfolios to impact-test the tables they write; a run on a published table
    // files an assessment per client tenant, which is underwriting, and theirs to read is not.
    if (principal.role === 'actuary' && table.status === 'published') {
      throw new DomainError(
        'forbidden',
        `An actuary's portfolio run is an impact test: name a draft version of ${table.name} (compareTo may name the published one). Runs on a published table file assessments and are for underwriters and admins`,
      );
    }
    const compareTable = dto.compareTo?.table
      ? await this.tables.resolveTable(dto.compareTo.table, asOf, {
          allowDraft: dto.compareTo.table.version !== undefined,
          pointer: '/compareTo/table',
        })
      : null;
    if (dto.compareTo?.runId) {
      const previous = await this.comparedRun(dto.compareTo.runId);
      if (!previous) {
        throw DomainError.validation([
          { pointer: '/compareTo/runId', message: 'No portfolio run has this id' },
        ]);
      }
      if (principal.role === 'actuary' && previous.tablePublished) {
        throw new DomainError(
          'forbidden',
          `An actuary may compare with impact tests (runs on a draft) only; to compare with the published table, name it in compareTo.table`,
        );
      }
      // A run still going, failed or cancelled has results for part of its book: the tiers
      // and factors compared with would be silently missing for the rest.
      if (previous.status !== 'succeeded') {
        throw DomainError.validation([
          {
            pointer: '/compareTo/runId',
            message: `The run is ${previous.status}: compare with a run that has succeeded, whose results are complete`,
          },
        ]);
      }
    }
    const compareTo = dto.compareTo?.runId
      ? // Lower case, as ids are compared in SQL (the run list's visibility check).
        { runId: dto.compareTo.runId.toLowerCase() }
      : compareTable
        ? {
            table: {
              name: compareTable.name,
              version: compareTable.version,
              sha256: compareTable.sha256,
            },
          }
        : null;
    await this.assertFilterNamesWhatExists(dto);
    return this.dataSource.transaction((manager) =>
      withIdempotency(manager, idempotency, async () => ({
        status: 202,
        body: await this.queueRun(manager, principal, dto, { table, asOf, compareTo }),
      })),
    );
  }

  /** The run's row, its members pinned and its chunks enqueued, in the caller's transaction. */
  private async queueRun(
    manager: EntityManager,
    principal: Principal,
    dto: CreatePortfolioRunDto,
    { table, asOf, compareTo }: { table: ResolvedTable; asOf: Date; compareTo: RunComparison },
  ): Promise<{ id: string }> {
    const run = await manager.save(
      manager.create(PortfolioRunEntity, {
        status: 'queued',
        tableName: table.name,
        tableVersion: table.version,
        tableSha256: table.sha256,
        tablePublished: table.status === 'published',
        asOf,
        // A member given as null is no filter (pinMembers reads it so): stored as absent.
        filter: Object.fromEntries(
          Object.entries(dto.filter ?? {}).filter(
            ([, value]) => value !== null && value !== undefined,
          ),
        ),
        compareTo,
        total: 0,
        createdBy: principal.keyId,
      }),
    );
    const chunks = await this.pinMembers(manager, run.id, dto);
    await this.jobs.enqueueChunks(
      manager,
      chunks.map((chunk) => ({ runId: run.id, chunk })),
    );
    if (chunks.length === 0) {
      await manager.update(
        PortfolioRunEntity,
        { id: run.id },
        { status: 'succeeded', finishedAt: new Date(), summary: {} },
      );
    }
    await this.audit.record(manager, principal, {
      action: 'portfolio-run.created',
      entityType: 'portfolio-run',
      entityId: run.id,
      afterSha256: canonicalSha256({
        table: { name: table.name, version: table.version, sha256: table.sha256 },
        asOf: asOf.toISOString(),
        filter: dto.filter ?? {},
        compareTo,
      }),
    });
    return { id: run.id };
  }

  /**
   * A partner or client tenant the filter names must exist: a mistyped id used to leave its
   * client tenants out of the book without a word (or make a run of nothing, "succeeded").
   */
  private async assertFilterNamesWhatExists(dto: CreatePortfolioRunDto): Promise<void> {
    const { partnerId, clientTenantIds } = dto.filter ?? {};
    const violations: { pointer: string; message: string }[] = [];
    if (partnerId) {
      const [found] = await this.dataSource.query(`SELECT 1 FROM partners WHERE id = $1`, [
        partnerId,
      ]);
      if (!found)
        violations.push({ pointer: '/filter/partnerId', message: 'No partner has this id' });
    }
    if (clientTenantIds && clientTenantIds.length > 0) {
      const missing: { i: number }[] = await this.dataSource.query(
        `SELECT (i - 1)::int AS i FROM unnest($1::uuid[]) WITH ORDINALITY AS r(id, i)
          WHERE NOT EXISTS (SELECT 1 FROM client_tenants t WHERE t.id = r.id) ORDER BY i`,
        [clientTenantIds],
      );
      for (const { i } of missing) {
        violations.push({
          pointer: `/filter/clientTenantIds/${i}`,
          message: 'No client tenant has this id',
        });
      }
    }
    if (violations.length > 0) throw DomainError.validation(violations);
  }

  private async pinMembers(
    manager: EntityManager,
    runId: string,
    dto: CreatePortfolioRunDto,
  ): Promise<number[]> {
    const filter = dto.filter ?? {};
    const rows: { chunks: number; total: number }[] = await manager.query(
      `WITH members AS (
         INSERT INTO portfolio_run_members (run_id, client_tenant_id, chunk)
         SELECT $1, t.id, ((row_number() OVER (ORDER BY t.id)) - 1) / $2
         FROM client_tenants t
         WHERE ($3::uuid IS NULL OR t.partner_id = $3)
           AND ($4::text IS NULL OR t.industry = $4)
           AND ($5::uuid[] IS NULL OR t.id = ANY($5::uuid[]))
         RETURNING chunk)
       SELECT count(DISTINCT chunk)::int AS chunks, count(*)::int AS total FROM members`,
      [
        runId,
        this.config.portfolioChunkSize,
        filter.partnerId ?? null,
        filter.industry ?? null,
        filter.clientTenantIds ?? null,
      ],
    );
    await manager.update(PortfolioRunEntity, { id: runId }, { total: rows[0].total });
    return Array.from({ length: rows[0].chunks }, (_, i) => i);
  }

  async get(principal: Principal, id: string): Promise<PortfolioRunView> {
    return toView(await this.find(principal, id));
  }

  /**
   * Runs newest first, for finding the last one to compare with; an actuary sees the impact
   * tests it may read (see `find`). Ordered by the millisecond of creation, as the cursor
   * carries it (a finer order would skip runs created in the same millisecond).
   */
  async list(principal: Principal, query: RunListQuery): Promise<Page<PortfolioRunView>> {
    const after = decodeCursor(query.cursor, ['instant', 'uuid']);
    const page: { id: string; created: Date }[] = await this.dataSource.query(
      `SELECT r.id, date_trunc('milliseconds', r.created_at) AS created FROM portfolio_runs r
       WHERE ($1::text IS NULL OR r.status = $1) AND ($2::text IS NULL OR r.table_name = $2)
         AND ($3::boolean OR (NOT r.table_published AND NOT EXISTS (
               SELECT 1 FROM portfolio_runs c
                WHERE c.id = (r.compare_to->>'runId')::uuid AND c.table_published)))
         AND ($4::timestamptz IS NULL
              OR (date_trunc('milliseconds', r.created_at), r.id) < ($4::timestamptz, $5::uuid))
       ORDER BY date_trunc('milliseconds', r.created_at) DESC, r.id DESC LIMIT $6`,
      [
        query.status ?? null,
        query.table ?? null,
        principal.role !== 'actuary',
        after?.[0] ?? null,
        after?.[1] ?? null,
        query.limit + 1,
      ],
    );
    const runs = await this.dataSource
      .getRepository(PortfolioRunEntity)
      .findBy({ id: In(page.map((row) => row.id)) });
    const byId = new Map(runs.map((run) => [run.id, run]));
    return toPage(
      page,
      query.limit,
      (row) => [row.created.toISOString(), row.id],
      (row) => toView(byId.get(row.id)!),
    );
  }

  /**
   * The run a CSV export is of. A CSV is read as the book, so one of a run still queued or
   * running, which would silently be part of it, is a 409 unless asked for as `partial`.
   */
  async exportable(principal: Principal, id: string, partial: boolean): Promise<PortfolioRunView> {
    const run = await this.get(principal, id);
    if ((run.status === 'queued' || run.status === 'running') && !partial) {
      throw new DomainError(
        'conflict',
        `Portfolio run ${id} is ${run.status} (${run.done + run.failed} of ${run.total} members done): export it once it has finished, or pass partial=true for the results so far`,
      );
    }
    return run;
  }

  async cancel(principal: Principal, id: string): Promise<PortfolioRunView> {
    return this.dataSource.transaction(async (manager) => {
      // Locked, so a run its last chunk is closing is read as that chunk leaves it: a
      // terminal status is never overwritten.
      const run = await this.find(principal, id, manager, { lock: true });
      if (run.status === 'queued' || run.status === 'running') {
        run.status = 'cancelled';
        run.finishedAt = new Date();
        await manager.update(
          PortfolioRunEntity,
          { id: run.id },
          { status: 'cancelled', finishedAt: run.finishedAt },
        );
        await this.audit.record(manager, principal, {
          action: 'portfolio-run.cancelled',
          entityType: 'portfolio-run',
          entityId: run.id, // as stored: the URL may write the UUID in capitals
        });
      }
      return toView(run);
    });
  }

  async results(
    principal: Principal,
    id: string,
    query: { limit: number; cursor?: string },
  ): Promise<Page<Record<string, unknown>>> {
    await this.find(principal, id);
    const after = decodeCursor(query.cursor, ['uuid']);
    const rows = await this.dataSource.query(
      `${RESULTS_SQL} AND ($2::uuid IS NULL OR r.client_tenant_id > $2) ORDER BY r.client_tenant_id LIMIT $3`,
      [id, after?.[0] ?? null, query.limit + 1],
    );
    return toPage(
      rows,
      query.limit,
      (row: Record<string, unknown>) => [row.clientTenantId as string],
      (row) => row,
    );
  }

  /** All results in client tenant order, a page at a time, for the CSV export stream. */
  async *allResults(principal: Principal, id: string): AsyncGenerator<Record<string, unknown>> {
    await this.find(principal, id);
    let after: string | null = null;
    for (;;) {
      const rows: Record<string, unknown>[] = await this.dataSource.query(
        `${RESULTS_SQL} AND ($2::uuid IS NULL OR r.client_tenant_id > $2) ORDER BY r.client_tenant_id LIMIT 1000`,
        [id, after],
      );
      yield* rows;
      if (rows.length < 1000) return;
      after = rows[rows.length - 1].clientTenantId as string;
    }
  }

  /** The run, if the principal may see it: an actuary sees impact tests (runs on a draft) only. */
  private async find(
    principal: Principal,
    id: string,
    manager: EntityManager = this.dataSource.manager,
    { lock = false } = {},
  ): Promise<PortfolioRunEntity> {
    const run = UUID_PATTERN.test(id)
      ? await manager.findOne(PortfolioRunEntity, {
          where: { id },
          ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}),
        })
      : null;
    if (!run) throw DomainError.notFound('Portfolio run');
    if (principal.role === 'actuary' && run.tablePublished) {
      throw new DomainError(
        'forbidden',
        "An actuary may read impact tests (runs on a draft) only: a run on a published table rates and files the insureds' assessments",
      );
    }
    // A comparison copies each member's tier and factor from the run it names into this one's
    // results and summary: an actuary reading it would read that run too.
    const compared = run.compareTo?.runId as string | undefined;
    if (
      principal.role === 'actuary' &&
      compared &&
      (await this.comparedRun(compared))?.tablePublished
    ) {
      throw new DomainError(
        'forbidden',
        'This impact test compares with a run on a published table, which an actuary may not read',
      );
    }
    return run;
  }

  private comparedRun(id: string): Promise<{ tablePublished: boolean; status: string } | null> {
    return this.dataSource.getRepository(PortfolioRunEntity).findOne({
      where: { id },
      select: { id: true, tablePublished: true, status: true },
    });
  }
}

const RESULTS_SQL = `
  SELECT r.client_tenant_id AS "clientTenantId", t.azure_tenant_id AS "azureTenantId", t.name,
    r.industry, r.snapshot_id AS "snapshotId", r.index::text AS index, r.tier, r.factor::text AS factor,
    r.decision, r.reasons, r.previous_tier AS "previousTier", r.previous_factor::text AS "previousFactor",
    r.missing_controls AS "missingControls", r.error, r.assessment_id AS "assessmentId"
  FROM portfolio_run_results r JOIN client_tenants t ON t.id = r.client_tenant_id
  WHERE r.run_id = $1`;

function toView(run: PortfolioRunEntity): PortfolioRunView {
  return {
    id: run.id,
    status: run.status,
    table: {
      name: run.tableName,
      version: run.tableVersion,
      sha256: run.tableSha256,
      published: run.tablePublished,
    },
    asOf: run.asOf.toISOString(),
    filter: run.filter,
    compareTo: run.compareTo,
    total: run.total,
    done: run.done,
    failed: run.failed,
    createdAt: run.createdAt.toISOString(),
    startedAt: run.startedAt?.toISOString() ?? null,
    finishedAt: run.finishedAt?.toISOString() ?? null,
    summary: run.summary,
  };
}
