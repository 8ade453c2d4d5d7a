import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationShutdown,
} from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import PgBoss from 'pg-boss';
import type { EntityManager } from 'typeorm';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { pgConnectionOptions } from '../database/data-source-options.js';
import { DATABASE_URL } from '../database/database-url.js';

export const CHUNK_QUEUE = 'portfolio-run-chunk';
/**
 * Where pg-boss copies a chunk job that failed its last attempt, whether it threw or its worker
 * died (expiry), with its data and error: a record for operators, which nothing consumes. The
 * run itself is failed by the worker that saw the last attempt throw, or else by the sweep
 * (ChunkHandler.failOrphanedRuns).
 */
export const DEAD_CHUNK_QUEUE = 'portfolio-run-chunk-dead';

/**
 * Retries are for the unexpected (a database restart, a dead worker): six, 2 s doubling with
 * jitter (pg-boss's backoff), about 2 to 4 minutes in all before the run fails. Ten, as before,
 * took 17 to 34 minutes to give up on a chunk that could never succeed.
 */
const CHUNK_RETRIES = { retryLimit: 6, retryDelay: 2, retryBackoff: true };

export interface ChunkJob {
  runId: string;
  chunk: number;
}

export interface ChunkHandler {
  process(job: ChunkJob): Promise<void>;
  /** The job failed its last allowed attempt: nothing will retry it. */
  exhausted(job: ChunkJob, error: string): Promise<void>;
  /**
   * Fails the open runs none of whose chunks can still run (see JobQueue.runsAwaitingChunks):
   * a last attempt that ended by expiry, jobs of an earlier release, anything that stopped a
   * run from closing.
   */
  failOrphanedRuns(queue: JobQueue): Promise<void>;
}

/** An open run as the queue sees it. */
export interface RunJobs {
  runId: string;
  /** A chunk of it may still run: created, waiting for a retry, or active. */
  awaiting: boolean;
  /** The last chunk that failed for good, and why. */
  failedChunk: number | null;
  error: string | null;
}

// How long an idle worker slot waits before asking the queue again.
const IDLE_POLL_MS = 250;

/**
 * pg-boss, the job queue inside the service's own PostgreSQL. Jobs are inserted in the same
 * transaction as the run that needs them, so a run never exists without its jobs (or the reverse).
 * A job whose worker dies stays active until `JOB_EXPIRE_SECONDS`, then is retried.
 */
@Injectable()
export class JobQueue implements BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger(JobQueue.name);
  private boss: PgBoss | null = null;
  private starting: Promise<PgBoss> | null = null;
  private stopping = false;
  private readonly slots: Promise<void>[] = [];
  private readonly stopped = new AbortController();
  /** Chunk jobs being worked on, by id. */
  private readonly inHand = new Set<string>();
  /** Jobs failed at the shutdown deadline while their handler still ran. */
  private readonly abandoned = new Set<string>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(DATABASE_URL) private readonly databaseUrl: string,
  ) {}

  /**
   * Starts pg-boss once (creating its schema on first use); `supervise` for worker processes.
   * A start that failed (the database away at that moment) is tried again by the next caller,
   * not kept: it would fail every later run until the process restarts.
   */
  start(supervise: boolean): Promise<PgBoss> {
    if (!this.starting) {
      const starting = this.startBoss(supervise);
      this.starting = starting;
      starting.catch(() => {
        if (this.starting === starting) this.starting = null;
      });
    }
    return this.starting;
  }

  private async startBoss(supervise: boolean): Promise<PgBoss> {
    const boss = new PgBoss({
      // pg-boss hands its options to pg.Pool: the same timeouts and dead-connection check.
      ...pgConnectionOptions(this.config),
      connectionString: this.databaseUrl,
      max: 3,
      application_name: 'securescore-underwriting-jobs',
      supervise,
      schedule: false,
      maintenanceIntervalSeconds: this.config.jobMaintenanceSeconds,
    });
    boss.on('error', (error) => this.logger.error({ err: error }, 'Job queue error'));
    try {
      await boss.start();
      // The dead-letter queue first: the chunk queue names it.
      await boss.createQueue(DEAD_CHUNK_QUEUE, { name: DEAD_CHUNK_QUEUE });
      const policy = {
        name: CHUNK_QUEUE,
        ...CHUNK_RETRIES,
        expireInSeconds: this.config.jobExpireSeconds,
        deadLetter: DEAD_CHUNK_QUEUE,
      };
      await boss.createQueue(CHUNK_QUEUE, policy);
      // createQueue leaves a queue that exists as it was: a database from an earlier release
      // (ten retries, no dead letters) gets this policy too.
      await boss.updateQueue(CHUNK_QUEUE, policy);
    } catch (error) {
      // stop() does nothing for a boss whose start() failed, whose pool may be open all the same.
      await boss.stop({ graceful: false, wait: false }).catch(() => undefined);
      await (boss.getDb() as unknown as { close(): Promise<void> }).close().catch(() => undefined);
      throw error;
    }
    this.boss = boss;
    return boss;
  }

  /**
   * Enqueues chunk jobs inside the caller's transaction. A chunk's priority falls with its
   * place in its run (pg-boss takes the highest first, then the oldest), so the runs in the
   * queue share the workers chunk by chunk: a ten-tenant run started behind a 100,000-tenant
   * one starts within a chunk's time, not after the whole book.
   */
  async enqueueChunks(manager: EntityManager, jobs: ChunkJob[]): Promise<void> {
    const boss = await this.start(false);
    await boss.insert(
      jobs.map((data) => ({
        name: CHUNK_QUEUE,
        data,
        priority: -data.chunk,
        expireInSeconds: this.config.jobExpireSeconds,
        ...CHUNK_RETRIES,
        deadLetter: DEAD_CHUNK_QUEUE,
      })),
      {
        db: {
          executeSql: async (text: string, values: unknown[]) => ({
            rows: await manager.query(text, values),
          }),
        },
      },
    );
  }

  /**
   * Runs `WORKER_CONCURRENCY` fetch loops. Not `boss.work()`: pg-boss 10 waits a whole polling
   * interval between fetches even after a job, which caps a worker at one chunk per interval;
   * a loop fetches the next chunk at once and waits only when the queue is empty.
   */
  async work(handler: ChunkHandler): Promise<void> {
    const boss = await this.start(true);
    for (let slot = 0; slot < this.config.workerConcurrency; slot++) {
      this.slots.push(this.loop(boss, handler));
    }
    this.slots.push(this.sweep(handler));
  }

  /**
   * What the queue holds for each of `runIds` that it holds anything for: whether a chunk may
   * still run, and the last error of one that failed for good. One pass over pg-boss's own
   * table (its API has no query by job data); a run it holds nothing for is absent.
   */
  async runsAwaitingChunks(runIds: string[]): Promise<RunJobs[]> {
    const boss = await this.start(false);
    const result = (await boss.getDb().executeSql(
      `SELECT data->>'runId' AS "runId",
              bool_or(state IN ('created', 'retry', 'active')) AS awaiting,
              (array_agg(data->>'chunk' ORDER BY completed_on DESC)
                 FILTER (WHERE state = 'failed'))[1] AS chunk,
              (array_agg(COALESCE(output->>'message', output->'value'->>'message')
                         ORDER BY completed_on DESC) FILTER (WHERE state = 'failed'))[1] AS error
         FROM pgboss.job
        WHERE name = $1 AND data->>'runId' = ANY($2::text[])
        GROUP BY 1`,
      [CHUNK_QUEUE, runIds],
    )) as
      | { rows: { runId: string; awaiting: boolean; chunk: string | null; error: string | null }[] }
      | undefined;
    // pg-boss answers nothing once stopped. Not an empty answer: the sweep fails every run the
    // queue holds nothing for.
    if (!result) throw new Error('The job queue is stopped');
    return result.rows.map(({ runId, awaiting, chunk, error }) => ({
      runId,
      awaiting,
      // Read as text: one odd row must not fail the whole sweep.
      failedChunk: chunk !== null && /^\d+$/.test(chunk) ? Number(chunk) : null,
      error,
    }));
  }

  private async loop(boss: PgBoss, handler: ChunkHandler): Promise<void> {
    while (!this.stopping) {
      let job: PgBoss.JobWithMetadata<ChunkJob> | undefined;
      try {
        [job] = await boss.fetch<ChunkJob>(CHUNK_QUEUE, { batchSize: 1, includeMetadata: true });
      } catch (error) {
        // The database is away (restart, failover): keep the process, try again shortly.
        this.logger.warn({ err: error }, 'Could not fetch a job');
      }
      if (!job) {
        await this.pause(IDLE_POLL_MS);
        continue;
      }
      this.inHand.add(job.id);
      try {
        await this.runChunk(boss, job, handler);
      } finally {
        this.inHand.delete(job.id);
      }
    }
  }

  private async runChunk(
    boss: PgBoss,
    job: PgBoss.JobWithMetadata<ChunkJob>,
    handler: ChunkHandler,
  ): Promise<void> {
    try {
      await handler.process(job.data);
      await boss.complete(CHUNK_QUEUE, job.id);
    } catch (error) {
      if (this.abandoned.has(job.id)) return; // failed at the shutdown deadline already
      const message = error instanceof Error ? error.message : String(error);
      this.logger.error(
        { err: error, runId: job.data.runId, chunk: job.data.chunk },
        'Chunk failed',
      );
      // Retried with backoff. If even this fails, the job expires and is retried: nothing is
      // lost either way, and a last attempt that ends so is the sweep's.
      await boss.fail(CHUNK_QUEUE, job.id, { message }).catch(() => undefined);
      if (job.retryCount >= job.retryLimit) {
        await handler.exhausted(job.data, message).catch((failure: unknown) => {
          this.logger.error({ err: failure, runId: job.data.runId }, 'Could not fail the run');
        });
      }
    }
  }

  /** Every JOB_MAINTENANCE_SECONDS, the runs no chunk can close any more are failed. */
  private async sweep(handler: ChunkHandler): Promise<void> {
    while (!this.stopping) {
      await this.pause(this.config.jobMaintenanceSeconds * 1_000);
      if (this.stopping) return;
      await handler.failOrphanedRuns(this).catch((error: unknown) => {
        this.logger.warn({ err: error }, 'Could not sweep the open portfolio runs');
      });
    }
  }

  /** A wait that shutdown cuts short. */
  private pause(ms: number): Promise<void> {
    return sleep(ms, undefined, { signal: this.stopped.signal }).catch(() => undefined);
  }

  /**
   * Graceful: no more chunks are fetched, and those in hand finish, while the database, the
   * rating threads and the HTTP server (role `all`, whose requests may enqueue runs) are still
   * there: Nest calls this before it drains HTTP and before any onApplicationShutdown. A chunk
   * still in hand a second before SHUTDOWN_TIMEOUT_MS is failed ("shut down while active"), so
   * that it is retried after its backoff (an attempt spent) instead of waiting out its expiry.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    this.stopped.abort();
    const finished = Promise.all(this.slots).then(() => true);
    const timeout = this.config.shutdownTimeoutMs;
    const patience = Math.max(timeout - 1_000, timeout / 2);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<false>((resolve) => (timer = setTimeout(resolve, patience, false)));
    const inTime = await Promise.race([finished, late]);
    clearTimeout(timer);
    if (inTime || !this.boss) return;
    const message = 'The worker shut down while the chunk was active';
    await Promise.all(
      [...this.inHand].map(async (id) => {
        this.abandoned.add(id);
        await this.boss!.fail(CHUNK_QUEUE, id, { message }).catch(() => undefined);
      }),
    );
    this.logger.warn({ jobs: this.abandoned.size }, 'Jobs still in hand at shutdown were failed');
  }

  async onApplicationShutdown(): Promise<void> {
    await this.boss?.stop({ graceful: true, timeout: 30_000, wait: true });
  }
}
