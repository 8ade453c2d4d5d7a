import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccessModule } from '../access/access.module.js';
import { CreateKeyCommand } from '../access/create-key.command.js';
import { AuditModule } from '../audit/audit.module.js';
import type { AppConfig } from '../config/app-config.js';
import { ConfigModule } from '../config/config.module.js';
import { dataSourceOptions } from '../database/data-source-options.js';
import { MigrateCheckCommand, MigrateCommand } from '../database/migrate.command.js';

/** The same feature modules as the HTTP app, plus the commands. */
@Module({})
export class CliModule {
  static forRoot(config: AppConfig, databaseUrl: string): DynamicModule {
    return {
      module: CliModule,
      imports: [
        ConfigModule.forRoot(config),
        TypeOrmModule.forRoot(dataSourceOptions({ ...config, databaseUrl })),
        AuditModule,
        AccessModule,
      ],
      providers: [MigrateCommand, MigrateCheckCommand, CreateKeyCommand],
    };
  }
}
