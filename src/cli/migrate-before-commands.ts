import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import type { Command } from 'commander';
import { InjectCommander } from 'nest-commander';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { migrateDatabase } from '../database/database-startup.js';
import { DATABASE_URL } from '../database/database-url.js';

/**
 * Applies pending migrations before a command runs, as the server does before it listens. It
 * runs as commander's `preAction` hook, once the arguments are parsed and checked, so asking for
 * help, an unknown command or a usage error changes no schema.
 */
@Injectable()
export class MigrateBeforeCommands implements OnApplicationBootstrap {
  constructor(
    @InjectCommander() private readonly program: Command,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(DATABASE_URL) private readonly databaseUrl: string,
  ) {}

  onApplicationBootstrap(): void {
    this.program.hook('preAction', async () => {
      const applied = await migrateDatabase(this.config, this.databaseUrl);
      if (applied.length > 0) process.stderr.write(`Migrations applied: ${applied.join(', ')}\n`);
    });
  }
}
