import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationShutdown,
} from '@nestjs/common';
import PgBoss from 'pg-boss';
import type { EntityManager } from 'typeorm';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { DATABASE_URL } from '../database/database-url.js';

export const CHUNK_QUEUE = 'portfolio-run-chunk';

export interface ChunkJob {
  runId: string;
  chunk: number;
}

export interface ChunkHandler {
  process(job: ChunkJob): Promise<void>;
  /** The job failed its last allowed attempt: nothing will retry it. */
  exhausted(job: ChunkJob, error: string): Promise<void>;
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

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(DATABASE_URL) private readonly databaseUrl: string,
  ) {}

  /** Starts pg-boss once (creating its schema on first use); `supervise` for worker processes. */
  start(supervise: boolean): Promise<PgBoss> {
    this.starting ??= (async () => {
      const boss = new PgBoss({
        connectionString: this.databaseUrl,
        max: 3,
        application_name: 'securescore-underwriting-jobs',
        supervise,
        schedule: false,
        maintenanceIntervalSeconds: this.config.jobMaintenanceSeconds,
      });
      boss.on('error', (error) => this.logger.error({ err: error }, 'Job queue error'));
      await boss.start();
      await boss.createQueue(CHUNK_QUEUE, {
        name: CHUNK_QUEUE,
        retryLimit: 10,
        retryDelay: 1,
        retryBackoff: true,
        expireInSeconds: this.config.jobExpireSeconds,
      });
      this.boss = boss;
      return boss;
    })();
    return this.starting;
  }

  /** Enqueues chunk jobs inside the caller's transaction. */
  async enqueueChunks(manager: EntityManager, jobs: ChunkJob[]): Promise<void> {
    const boss = await this.start(false);
    await boss.insert(
      jobs.map((data) => ({
        name: CHUNK_QUEUE,
        data,
        expireInSeconds: this.config.jobExpireSeconds,
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
        await sleep(IDLE_POLL_MS);
        continue;
      }
      await this.runOne(boss, job, handler);
    }
  }

  private async runOne(
    boss: PgBoss,
    job: PgBoss.JobWithMetadata<ChunkJob>,
    handler: ChunkHandler,
  ): Promise<void> {
    try {
      await handler.process(job.data);
      await boss.complete(CHUNK_QUEUE, job.id);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.logger.error(
        { err: error, runId: job.data.runId, chunk: job.data.chunk },
        'Chunk failed',
      );
      // If even this fails, the job expires and is retried: nothing is lost either way.
      await boss.fail(CHUNK_QUEUE, job.id, { message }).catch(() => undefined);
      if (job.retryCount >= job.retryLimit) {
        await handler.exhausted(job.data, message).catch((failure: unknown) => {
          this.logger.error({ err: failure, runId: job.data.runId }, 'Could not fail the run');
        });
      }
    }
  }

  /**
   * Graceful: no more chunks are fetched, and those in hand finish, while the database, the
   * rating threads and the HTTP server (role `all`, whose requests may enqueue runs) are still
   * there: Nest calls this before it drains HTTP and before any onApplicationShutdown.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.slots);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.boss?.stop({ graceful: true, timeout: 30_000, wait: true });
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
