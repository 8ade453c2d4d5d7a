import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { ownedBytes, ThreadPool } from '../common/threads/thread-pool.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { checkRateBody, type RateBodyResult } from './rate-request.js';

/** A body's bytes, and the instant that is its default `asOf` (epoch milliseconds). */
export interface RateBodyCheck {
  body: Uint8Array;
  now: number;
}

/**
 * Runs `checkRateBody` on `RATE_THREADS` worker threads. A rating body holds a whole snapshot (53
 * KB for a real 68-control one, megabytes for thousands of controls): decoded, parsed and
 * validated on the event loop, ten clients posting 3 MB bodies held another client's requests
 * for 164 to 342 ms (p50), against none on the threads. The table lookup and the rating itself
 * (a tenth of a millisecond for 150 controls) stay on the event loop. With `RATE_THREADS=0` it
 * runs inline.
 */
@Injectable()
export class RateRequestChecker implements OnApplicationShutdown {
  private readonly pool: ThreadPool<RateBodyCheck, RateBodyResult>;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.pool = new ThreadPool({
      script: new URL('./rate-request.worker.js', import.meta.url),
      size: config.rateThreads,
      workerData: { maxDepth: config.jsonMaxDepth },
      // As the ingest threads: a body's parsed tree dies young (see SnapshotPreparer).
      resourceLimits: { maxYoungGenerationSizeMb: 8 },
      logger: new Logger(RateRequestChecker.name),
      kind: 'rate',
      inline: ({ body, now }) => checkRateBody(body, config.jsonMaxDepth, new Date(now)),
    });
  }

  /** The body's bytes move to the thread, and are unusable here after the call. */
  check(body: Uint8Array, now: Date): Promise<RateBodyResult> {
    const bytes = ownedBytes(body);
    return this.pool.run({ body: bytes, now: now.getTime() }, [bytes.buffer]);
  }

  // Not onModuleDestroy, which Nest calls before the HTTP server drains: requests in hand still
  // need the threads.
  async onApplicationShutdown(): Promise<void> {
    await this.pool.close();
  }
}
