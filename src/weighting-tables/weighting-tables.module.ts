import { Module } from '@nestjs/common';
import { SecureScoresModule } from '../secure-scores/secure-scores.module.js';
import { RateRequestChecker } from './rate-request-checker.js';
import { RateService } from './rate.service.js';
import { TableResolver } from './table-resolver.js';
import { WeightingTablesService } from './weighting-tables.service.js';

/** Weighting table versions (draft, publish, diff, the version in force) and `POST /v1/rate`. */
@Module({
  imports: [SecureScoresModule],
  providers: [WeightingTablesService, TableResolver, RateService, RateRequestChecker],
  exports: [WeightingTablesService, RateService],
})
export class WeightingTablesModule {}
