import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { ThreadPool } from '../common/threads/thread-pool.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { type ChunkRatingRequest, type Outcome, rateChunk } from './chunk-rating.js';

/**
 * Rates chunks on `RATING_THREADS` worker threads, so that a worker process's event loop reads
 * the next chunk and writes the last one while a thread rates this one: inline, the loop was
 * the bottleneck of a run and left a quarter of the machine idle. `RATING_THREADS=0` rates
 * inline (the in-process tests run TypeScript sources, which a worker thread cannot load).
 */
@Injectable()
export class ChunkRater implements OnModuleDestroy {
  private readonly pool: ThreadPool<ChunkRatingRequest, Outcome[]> | null;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.pool =
      config.ratingThreads === 0
        ? null
        : new ThreadPool(
            new URL('./chunk-rating.worker.js', import.meta.url),
            config.ratingThreads,
            null,
            new Logger(ChunkRater.name),
            'rating',
          );
  }

  rate(request: ChunkRatingRequest): Promise<Outcome[]> {
    return this.pool === null ? Promise.resolve(rateChunk(request)) : this.pool.run(request);
  }

  async onModuleDestroy(): Promise<void> {
    await this.pool?.close();
  }
}
