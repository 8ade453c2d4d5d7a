import { Module } from '@nestjs/common';
import { ClientTenantsModule } from '../client-tenants/client-tenants.module.js';
import { SecureScoresModule } from '../secure-scores/secure-scores.module.js';
import { WeightingTablesModule } from '../weighting-tables/weighting-tables.module.js';
import { AssessmentsController } from './assessments.controller.js';
import { AssessmentsService } from './assessments.service.js';

@Module({
  imports: [ClientTenantsModule, SecureScoresModule, WeightingTablesModule],
  controllers: [AssessmentsController],
  providers: [AssessmentsService],
})
export class AssessmentsModule {}
