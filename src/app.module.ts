import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccessHttpModule } from './access/access-http.module.js';
import { AssessmentsModule } from './assessments/assessments.module.js';
import { AuditModule } from './audit/audit.module.js';
import { ClientTenantsHttpModule } from './client-tenants/client-tenants-http.module.js';
import { ProblemFilter } from './common/errors/problem.filter.js';
import type { AppConfig } from './config/app-config.js';
import { ConfigModule } from './config/config.module.js';
import { dataSourceOptions } from './database/data-source-options.js';
import { HealthModule } from './health/health.module.js';
import { PortfolioRunsHttpModule } from './portfolio-runs/portfolio-runs-http.module.js';
import { SecureScoresHttpModule } from './secure-scores/secure-scores-http.module.js';
import { WeightingTablesHttpModule } from './weighting-tables/weighting-tables-http.module.js';

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
        AccessHttpModule,
        ClientTenantsHttpModule,
        SecureScoresHttpModule,
        WeightingTablesHttpModule,
        AssessmentsModule,
        PortfolioRunsHttpModule,
      ],
      providers: [{ provide: APP_FILTER, useClass: ProblemFilter }],
    };
  }
}
