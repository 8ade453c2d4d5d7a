import { InjectDataSource } from '@nestjs/typeorm';
import { Command, CommandRunner } from 'nest-commander';
import { DataSource } from 'typeorm';
import { schemaDrift } from './migrate.js';

/** Migrations already ran (under the advisory lock) before the command (MigrateBeforeCommands); this reports state. */
@Command({ name: 'migrate', description: 'Apply pending migrations and list the applied ones' })
export class MigrateCommand extends CommandRunner {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    super();
  }

  async run(): Promise<void> {
    const rows: { name: string }[] = await this.dataSource.query(
      'SELECT name FROM migrations ORDER BY id',
    );
    process.stdout.write(`Schema is up to date (${rows.length} migrations):\n`);
    for (const row of rows) process.stdout.write(`  ${row.name}\n`);
  }
}

@Command({
  name: 'migrate:check',
  description: 'Exit 1 when the entities need schema changes the migrations do not make',
})
export class MigrateCheckCommand extends CommandRunner {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    super();
  }

  async run(): Promise<void> {
    const drift = await schemaDrift(this.dataSource);
    if (drift.length === 0) {
      process.stdout.write('Entities and migrations agree.\n');
      return;
    }
    process.stdout.write(
      `Drift: the entities need ${drift.length} change(s):\n${drift.join(';\n')}\n`,
    );
    process.exitCode = 1;
  }
}
