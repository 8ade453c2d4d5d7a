import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from './audit/audit.module.js';
import type { AppConfig } from './config/app-config.js';
import { ConfigModule } from './config/config.module.js';
import { dataSourceOptions } from './database/data-source-options.js';
import { PortfolioRunsModule } from './portfolio-runs/portfolio-runs.module.js';

/**
 * A `--role worker` process: the portfolio-run worker and what it rates with, without the HTTP
 * layer (no controller, DTO, OpenAPI decorator or Fastify is loaded).
 */
@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig, databaseUrl: string): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        ConfigModule.forRoot(config, databaseUrl),
        TypeOrmModule.forRoot(dataSourceOptions({ ...config, databaseUrl })),
        AuditModule,
        PortfolioRunsModule,
      ],
    };
  }
}
