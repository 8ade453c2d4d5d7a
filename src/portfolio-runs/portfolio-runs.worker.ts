import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { ChunkProcessor } from './chunk-processor.js';
import { JobQueue } from './job-queue.js';

/** In `worker` and `all` processes: takes chunk jobs from the queue, one at a time. */
@Injectable()
export class PortfolioRunsWorker implements OnApplicationBootstrap {
  private readonly logger = new Logger(PortfolioRunsWorker.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly jobs: JobQueue,
    private readonly processor: ChunkProcessor,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.role === 'api') return;
    await this.jobs.work(this.processor);
    this.logger.log('Portfolio run worker started');
  }
}
