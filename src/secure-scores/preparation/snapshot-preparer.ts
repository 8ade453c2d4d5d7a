import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/app-config.js';
import { ThreadPool } from '../../common/threads/thread-pool.js';
import { type PreparationResult, prepareSecureScoreBody } from './snapshot-preparation.js';

/**
 * Runs `prepareSecureScoreBody` on `INGEST_THREADS` worker threads, so parsing, hashing and
 * compressing a 50 KB snapshot (about 2 ms) does not hold the event loop that serves every
 * other request and drives the database. With `INGEST_THREADS=0` it runs inline (the in-process
 * tests run TypeScript sources, which a worker thread cannot load).
 */
@Injectable()
export class SnapshotPreparer implements OnModuleDestroy {
  private readonly pool: ThreadPool<string, PreparationResult> | null;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.pool =
      config.ingestThreads === 0
        ? null
        : new ThreadPool(
            new URL('./snapshot-preparation.worker.js', import.meta.url),
            config.ingestThreads,
            { maxDepth: config.jsonMaxDepth },
            new Logger(SnapshotPreparer.name),
            'ingest',
          );
  }

  prepare(text: string): Promise<PreparationResult> {
    if (this.pool === null)
      return Promise.resolve(prepareSecureScoreBody(text, this.config.jsonMaxDepth));
    return this.pool.run(text);
  }

  async onModuleDestroy(): Promise<void> {
    await this.pool?.close();
  }
}
