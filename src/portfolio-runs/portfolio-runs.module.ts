import { Module } from '@nestjs/common';
import { SecureScoresModule } from '../secure-scores/secure-scores.module.js';
import { WeightingTablesModule } from '../weighting-tables/weighting-tables.module.js';
import { ChunkProcessor } from './chunk-processor.js';
import { ChunkRater } from './chunk-rater.js';
import { JobQueue } from './job-queue.js';
import { PortfolioRunsService } from './portfolio-runs.service.js';
import { PortfolioRunsWorker } from './portfolio-runs.worker.js';

@Module({
  imports: [SecureScoresModule, WeightingTablesModule],
  providers: [JobQueue, ChunkProcessor, ChunkRater, PortfolioRunsService, PortfolioRunsWorker],
  exports: [PortfolioRunsService, JobQueue, ChunkProcessor],
})
export class PortfolioRunsModule {}
