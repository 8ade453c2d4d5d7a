import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/app-config.js';
import { ThreadPool } from '../../common/threads/thread-pool.js';
import { type PreparationResult, prepareSecureScoreBody } from './snapshot-preparation.js';

/**
 * Runs `prepareSecureScoreBody` on `INGEST_THREADS` worker threads, so parsing, hashing and
 * compressing a 50 KB snapshot (about 2 ms) does not hold the event loop that serves every
 * other request and drives the database. With `INGEST_THREADS=0` it runs inline.
 */
@Injectable()
export class SnapshotPreparer implements OnModuleDestroy {
  private readonly pool: ThreadPool<string, PreparationResult>;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.pool = new ThreadPool({
      script: new URL('./snapshot-preparation.worker.js', import.meta.url),
      size: config.ingestThreads,
      workerData: { maxDepth: config.jsonMaxDepth },
      logger: new Logger(SnapshotPreparer.name),
      kind: 'ingest',
      inline: (text) => prepareSecureScoreBody(text, config.jsonMaxDepth),
    });
  }

  prepare(text: string): Promise<PreparationResult> {
    return this.pool.run(text);
  }

  async onModuleDestroy(): Promise<void> {
    await this.pool.close();
  }
}
