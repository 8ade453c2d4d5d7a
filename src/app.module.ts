import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccessModule } from './access/access.module.js';
import { AssessmentsModule } from './assessments/assessments.module.js';
import { AuditModule } from './audit/audit.module.js';
import { ClientTenantsModule } from './client-tenants/client-tenants.module.js';
import { ProblemFilter } from './common/errors/problem.filter.js';
import type { AppConfig } from './config/app-config.js';
import { ConfigModule } from './config/config.module.js';
import { dataSourceOptions } from './database/data-source-options.js';
import { HealthModule } from './health/health.module.js';
import { PortfolioRunsModule } from './portfolio-runs/portfolio-runs.module.js';
import { SecureScoresModule } from './secure-scores/secure-scores.module.js';
import { WeightingTablesModule } from './weighting-tables/weighting-tables.module.js';

@Module({})
export class AppModule {
  /** `databaseUrl` is resolved before the module is built: the embedded server, or DATABASE_URL. */
  static forRoot(config: AppConfig, databaseUrl: string): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config, databaseUrl),
        TypeOrmModule.forRoot(dataSourceOptions({ ...config, databaseUrl })),
        AuditModule,
        HealthModule,
        AccessModule,
        ClientTenantsModule,
        SecureScoresModule,
        WeightingTablesModule,
        AssessmentsModule,
        PortfolioRunsModule,
      ],
      providers: [{ provide: APP_FILTER, useClass: ProblemFilter }],
    };
  }
}
