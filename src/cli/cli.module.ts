import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccessModule } from '../access/access.module.js';
import { CreateKeyCommand } from '../access/create-key.command.js';
import { AuditModule } from '../audit/audit.module.js';
import type { AppConfig } from '../config/app-config.js';
import { CommanderExits } from './commander-exits.js';
import { MigrateBeforeCommands } from './migrate-before-commands.js';
import { ClientTenantsModule } from '../client-tenants/client-tenants.module.js';
import { ConfigModule } from '../config/config.module.js';
import { dataSourceOptions } from '../database/data-source-options.js';
import { MigrateCheckCommand, MigrateCommand } from '../database/migrate.command.js';
import { PortfolioRunsModule } from '../portfolio-runs/portfolio-runs.module.js';
import { RunsStartCommand } from '../portfolio-runs/runs-start.command.js';
import { ImportCommand } from '../secure-scores/import/import.command.js';
import { SecureScoresModule } from '../secure-scores/secure-scores.module.js';
import { RateCommand } from '../weighting-tables/rate.command.js';
import { TablesPublishCommand } from '../weighting-tables/tables-publish.command.js';
import { TablesValidateCommand } from '../weighting-tables/tables-validate.command.js';
import { WeightingTablesModule } from '../weighting-tables/weighting-tables.module.js';

/** The same feature modules as the HTTP app; the commands are registered here only. */
@Module({})
export class CliModule {
  static forRoot(config: AppConfig, databaseUrl: string): DynamicModule {
    return {
      module: CliModule,
      imports: [
        ConfigModule.forRoot(config, databaseUrl),
        TypeOrmModule.forRoot(dataSourceOptions({ ...config, databaseUrl })),
        AuditModule,
        AccessModule,
        ClientTenantsModule,
        SecureScoresModule,
        WeightingTablesModule,
        PortfolioRunsModule,
      ],
      providers: [
        CommanderExits,
        MigrateBeforeCommands,
        MigrateCommand,
        MigrateCheckCommand,
        CreateKeyCommand,
        ImportCommand,
        RunsStartCommand,
        TablesValidateCommand,
        TablesPublishCommand,
        RateCommand,
      ],
    };
  }
}
