import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { ThreadPool } from '../common/threads/thread-pool.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { type ChunkRatingRequest, type Outcome, rateChunk } from './chunk-rating.js';

/**
 * Rates chunks on `RATING_THREADS` worker threads, so that a worker process's event loop reads
 * the next chunk and writes the last one while a thread rates this one: inline, the loop was
 * the bottleneck of a run and left a quarter of the machine idle. `RATING_THREADS=0` rates
 * inline.
 */
@Injectable()
export class ChunkRater implements OnApplicationShutdown {
  private readonly pool: ThreadPool<ChunkRatingRequest, Outcome[]>;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.pool = new ThreadPool({
      script: new URL('./chunk-rating.worker.js', import.meta.url),
      size: config.ratingThreads,
      workerData: null,
      logger: new Logger(ChunkRater.name),
      kind: 'rating',
      inline: rateChunk,
    });
  }

  rate(request: ChunkRatingRequest): Promise<Outcome[]> {
    return this.pool.run(request);
  }

  // Not onModuleDestroy, which Nest calls before the HTTP server drains and before the job
  // queue lets the chunks in hand finish: those requests and chunks still need the threads.
  async onApplicationShutdown(): Promise<void> {
    await this.pool.close();
  }
}
