import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { ASSESSMENT_COPY } from '../assessments/assessment-record.js';
import { loadRatingInputs } from '../assessments/rating-inputs.js';
import { DomainError } from '../common/errors/domain-error.js';
import { copyInto } from '../database/copy-text.js';
import { ControlCatalogService } from '../secure-scores/catalog/control-catalog.service.js';
import {
  type ResolvedTable,
  WeightingTablesService,
} from '../weighting-tables/weighting-tables.service.js';
import { ChunkRater } from './chunk-rater.js';
import { type ChunkMember, type Outcome, RATING_FAILED } from './chunk-rating.js';
import type { ChunkHandler, ChunkJob, JobQueue } from './job-queue.js';
import { summariseRun } from './portfolio-summary.js';
import { PortfolioRunEntity } from './portfolio-run.entity.js';

/**
 * Rates one chunk of a run's pinned client tenants and records the results exactly once: the
 * chunk's write transaction holds an advisory lock for (run, chunk) and writes only the members
 * that still have no result, so a retried or doubly delivered job adds nothing twice. The
 * transaction that completes the last member also writes the summary and closes the run; one
 * that finds the run closed meanwhile (cancelled, or failed) rolls back.
 */
@Injectable()
export class ChunkProcessor implements ChunkHandler {
  private readonly logger = new Logger(ChunkProcessor.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly tables: WeightingTablesService,
    private readonly catalog: ControlCatalogService,
    private readonly rater: ChunkRater,
  ) {}

  async process(job: ChunkJob): Promise<void> {
    const run = await this.dataSource
      .getRepository(PortfolioRunEntity)
      .findOneBy({ id: job.runId });
    if (!run || run.status === 'cancelled' || run.status === 'succeeded' || run.status === 'failed')
      return;
    await this.dataSource.query(
      `UPDATE portfolio_runs SET status = 'running', started_at = now() WHERE id = $1 AND status = 'queued'`,
      [run.id],
    );
    const members = await this.pendingMembers(this.dataSource.manager, job);
    if (members.length === 0) return;
    const tables = await this.pinnedTables(run);
    if (typeof tables === 'string') {
      // Retrying cannot bring the pinned document back: the run fails now, with the reason.
      await this.failRun(job, tables);
      return;
    }
    const outcomes = await this.rateMembers(run, tables, members);
    try {
      await this.write(job, run, outcomes);
    } catch (error) {
      if (error !== RUN_CLOSED) throw error;
      this.logger.log({ runId: run.id, chunk: job.chunk }, 'Chunk dropped: its run had closed');
    }
  }

  /** Files the chunk's outcomes for the members that still have none, in one transaction. */
  private async write(job: ChunkJob, run: PortfolioRunEntity, outcomes: Outcome[]): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
        `run:${job.runId}:${job.chunk}`,
      ]);
      const still = new Set(await this.pendingMembers(manager, job));
      const fresh = outcomes.filter((o) => still.has(o.clientTenantId));
      if (fresh.length === 0) return;
      await insertAssessments(
        manager,
        fresh.flatMap((o) => o.assessment ?? []),
      );
      await insertResults(manager, run.id, fresh);
      await insertLackingCounts(manager, job, fresh);
      await this.advance(manager, run, fresh);
    });
  }

  /** A chunk that failed every attempt fails its run: its members would never be rated. */
  async exhausted(job: ChunkJob, error: string): Promise<void> {
    await this.failRun(job, error);
  }

  /**
   * An open run none of whose chunk jobs can still run (BATCH-02's orphans) is failed with the
   * last error one of them failed with. A run's jobs are inserted in its own transaction, and a
   * chunk closes the run before its job completes, so an open run seen with no such job can
   * never close.
   */
  async failOrphanedRuns(queue: JobQueue): Promise<void> {
    const open: { id: string }[] = await this.dataSource.query(
      `SELECT id FROM portfolio_runs WHERE status IN ('queued', 'running')`,
    );
    if (open.length === 0) return;
    const queued = new Map(
      (await queue.runsAwaitingChunks(open.map((row) => row.id))).map((jobs) => [jobs.runId, jobs]),
    );
    for (const { id } of open) {
      // Absent: even its jobs' records are gone (archived), so nothing will run it either.
      const jobs = queued.get(id);
      if (jobs?.awaiting) continue;
      await this.failRun(
        { runId: id, chunk: jobs?.failedChunk ?? null },
        jobs?.error ?? 'No chunk of the run is left to run, and it did not finish',
      );
    }
  }

  private async failRun(
    job: { runId: string; chunk: number | null },
    error: string,
  ): Promise<void> {
    const [, failed]: [unknown, number] = await this.dataSource.query(
      `UPDATE portfolio_runs SET status = 'failed', finished_at = now(),
         summary = jsonb_build_object('error', $2::text, 'chunk', $3::int)
       WHERE id = $1 AND status IN ('queued', 'running')`,
      [job.runId, error, job.chunk],
    );
    if (failed > 0)
      this.logger.error({ runId: job.runId, chunk: job.chunk, error }, 'Portfolio run failed');
  }

  private async pendingMembers(manager: EntityManager, job: ChunkJob): Promise<string[]> {
    const rows: { client_tenant_id: string }[] = await manager.query(
      `SELECT m.client_tenant_id FROM portfolio_run_members m
       WHERE m.run_id = $1 AND m.chunk = $2 AND NOT EXISTS (
         SELECT 1 FROM portfolio_run_results r WHERE r.run_id = m.run_id AND r.client_tenant_id = m.client_tenant_id)`,
      [job.runId, job.chunk],
    );
    return rows.map((row) => row.client_tenant_id);
  }

  /**
   * The table versions the run pinned at its start, by content: a draft (an impact test) may be
   * replaced or deleted meanwhile, and every result of a run must come from one document. A
   * string says why they are gone.
   */
  private async pinnedTables(
    run: PortfolioRunEntity,
  ): Promise<{ table: ResolvedTable; compareTable: ResolvedTable | null } | string> {
    const pinned = async (pin: { name: string; version: string; sha256: string }) => {
      const gone = `Weighting table ${pin.name} version ${pin.version} changed during the run (its sha256 was ${pin.sha256}); start a new run`;
      try {
        const table = await this.tables.compiledVersion(pin.name, pin.version);
        return table.sha256 === pin.sha256 ? table : gone;
      } catch (error) {
        if (error instanceof DomainError && error.code === 'not-found') return gone;
        throw error;
      }
    };
    const table = await pinned({
      name: run.tableName,
      version: run.tableVersion,
      sha256: run.tableSha256,
    });
    if (typeof table === 'string') return table;
    const compareTo = run.compareTo?.table as
      { name: string; version: string; sha256: string } | undefined;
    const compareTable = compareTo ? await pinned(compareTo) : null;
    if (typeof compareTable === 'string') return compareTable;
    return { table, compareTable };
  }

  private async rateMembers(
    run: PortfolioRunEntity,
    { table, compareTable }: { table: ResolvedTable; compareTable: ResolvedTable | null },
    members: string[],
  ): Promise<Outcome[]> {
    const [inputs, catalogMaxScores, previousRun] = await Promise.all([
      loadRatingInputs(this.dataSource.manager, members, run.asOf),
      this.catalog.maxScores(),
      run.compareTo?.runId
        ? previousResults(this.dataSource.manager, run.compareTo.runId as string, members)
        : null,
    ]);
    const outcomes = await this.rater.rate({
      run: { id: run.id, asOf: run.asOf.toISOString(), filesAssessments: run.tablePublished },
      table: { table: table.compiled.table, sha256: table.sha256 },
      compareTable: compareTable
        ? { table: compareTable.compiled.table, sha256: compareTable.sha256 }
        : null,
      catalogMaxScores,
      members: members.map((id): ChunkMember => ({
        inputs: inputs.get(id)!,
        previous: previousRun?.get(id) ?? null,
      })),
    });
    for (const o of outcomes) {
      if (o.error?.startsWith(RATING_FAILED))
        this.logger.error(
          { runId: run.id, clientTenantId: o.clientTenantId, error: o.error },
          'Rating failed',
        );
    }
    return outcomes;
  }

  private async advance(
    manager: EntityManager,
    run: PortfolioRunEntity,
    fresh: Outcome[],
  ): Promise<void> {
    const failed = fresh.filter((o) => o.error !== null).length;
    // TypeORM answers an UPDATE with [rows, rowCount].
    const [[row]]: [{ done: number; failed: number; total: number; status: string }[], number] =
      await manager.query(
        `UPDATE portfolio_runs SET done = done + $2, failed = failed + $3 WHERE id = $1
       RETURNING done, failed, total, status`,
        [run.id, fresh.length - failed, failed],
      );
    // A run cancelled, or failed meanwhile (a chunk written after its job had expired on its
    // last attempt), is neither reopened nor added to: the whole transaction rolls back, so its
    // results, and their CSV, stay as they were when it closed. The UPDATE above waits for the
    // row lock that cancelling or failing holds, and then reads the status they committed.
    if (row.status !== 'queued' && row.status !== 'running') throw RUN_CLOSED;
    if (row.done + row.failed < row.total) return;
    const summary = await summariseRun(manager, run.id, run.compareTo !== null);
    await manager.query(
      `UPDATE portfolio_runs SET status = 'succeeded', finished_at = now(), summary = $2
        WHERE id = $1 AND status IN ('queued', 'running')`,
      [run.id, JSON.stringify(summary)],
    );
    this.logger.log(
      { runId: run.id, total: row.total, failed: row.failed },
      'Portfolio run finished',
    );
  }
}

// Thrown (one shared instance) to roll back a chunk's write when its run closed meanwhile.
const RUN_CLOSED = new Error('The portfolio run closed while the chunk was being rated');

async function previousResults(
  manager: EntityManager,
  runId: string,
  members: string[],
): Promise<Map<string, { tier: string | null; factor: string | null }>> {
  const rows: { client_tenant_id: string; tier: string | null; factor: string | null }[] =
    await manager.query(
      `SELECT client_tenant_id, tier, factor::text FROM portfolio_run_results
     WHERE run_id = $1 AND client_tenant_id = ANY($2::uuid[]) AND error IS NULL`,
      [runId, members],
    );
  return new Map(rows.map((row) => [row.client_tenant_id, { tier: row.tier, factor: row.factor }]));
}

/**
 * Files the chunk's assessments with one COPY. Not INSERT ... SELECT FROM json_to_recordset: that
 * made PostgreSQL lex every rating three times (the parameter, the record set with every string
 * unescaped, each json column's input), where COPY hands each value to json's input once.
 */
async function insertAssessments(manager: EntityManager, rows: string[]): Promise<void> {
  if (rows.length > 0) await copyInto(manager, ASSESSMENT_COPY, rows);
}

async function insertResults(
  manager: EntityManager,
  runId: string,
  outcomes: Outcome[],
): Promise<void> {
  // One JSON document: arrays of array literals cost an escaping pass.
  await manager.query(
    `INSERT INTO portfolio_run_results (run_id, client_tenant_id, snapshot_id, industry, index,
       tier, factor, decision, reasons, missing_controls, previous_tier, previous_factor, error,
       assessment_id)
     SELECT $1, r.client_tenant_id, r.snapshot_id, r.industry, r.index, r.tier, r.factor,
       r.decision, r.reasons, r.missing_controls, r.previous_tier, r.previous_factor, r.error,
       r.assessment_id
     FROM json_to_recordset($2::json) AS r(client_tenant_id uuid, snapshot_id uuid, industry text,
       index numeric, tier text, factor numeric, decision text, reasons text[],
       missing_controls text[], previous_tier text, previous_factor numeric, error text,
       assessment_id uuid)
     ON CONFLICT (run_id, client_tenant_id) DO NOTHING`,
    [runId, `[${outcomes.map((o) => o.result).join(',')}]`],
  );
}

/**
 * Adds the chunk's counts of each lacking control, for the members this transaction rates (a
 * chunk rated again in part adds to its own counts).
 */
async function insertLackingCounts(
  manager: EntityManager,
  job: ChunkJob,
  outcomes: Outcome[],
): Promise<void> {
  const counts = new Map<string, number>();
  for (const outcome of outcomes)
    for (const control of outcome.lacking) counts.set(control, (counts.get(control) ?? 0) + 1);
  if (counts.size === 0) return;
  await manager.query(
    `INSERT INTO portfolio_run_lacking_controls (run_id, chunk, control, clients)
     SELECT $1, $2, c.control, c.clients FROM unnest($3::text[], $4::int[]) AS c(control, clients)
     ON CONFLICT (run_id, chunk, control)
       DO UPDATE SET clients = portfolio_run_lacking_controls.clients + EXCLUDED.clients`,
    [job.runId, job.chunk, [...counts.keys()], [...counts.values()]],
  );
}
