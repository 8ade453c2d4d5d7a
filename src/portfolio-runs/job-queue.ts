import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
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

/**
 * pg-boss, the job queue inside the service's own PostgreSQL. Jobs are inserted in the same
 * transaction as the run that needs them, so a run never exists without its jobs (or the reverse).
 * A job whose worker dies stays active until `JOB_EXPIRE_SECONDS`, then is retried.
 */
@Injectable()
export class JobQueue implements OnApplicationShutdown {
  private readonly logger = new Logger(JobQueue.name);
  private boss: PgBoss | null = null;
  private starting: Promise<PgBoss> | null = null;

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

  async work(handler: (job: ChunkJob) => Promise<void>): Promise<void> {
    const boss = await this.start(true);
    await boss.work<ChunkJob>(
      CHUNK_QUEUE,
      { batchSize: 1, pollingIntervalSeconds: 0.5 },
      async ([job]) => {
        await handler(job.data);
      },
    );
  }

  async onApplicationShutdown(): Promise<void> {
    // Graceful: active chunk jobs finish (or are failed back to the queue after the timeout).
    await this.boss?.stop({ graceful: true, timeout: 30_000, wait: true });
  }
}
