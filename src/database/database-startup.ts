import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../config/app-config.js';
import { dataSourceOptions } from './data-source-options.js';
import { startEmbeddedPostgres } from './embedded-postgres.js';
import { runMigrationsLocked } from './migrate.js';

export interface RunningDatabase {
  url: string;
  /** Stops the embedded server this process started; a no-op for an external DATABASE_URL. */
  stop(): Promise<void>;
}

/** The database this process talks to: DATABASE_URL, or an embedded PostgreSQL in DATA_DIR. */
export async function resolveDatabase(config: AppConfig, logger: Logger): Promise<RunningDatabase> {
  if (config.databaseUrl) return { url: config.databaseUrl, stop: async () => undefined };
  logger.info({ dataDir: config.dataDir }, 'Starting the embedded PostgreSQL');
  const log = logger.child({ component: 'embedded-postgres' });
  return startEmbeddedPostgres({
    dataDir: config.dataDir,
    port: config.embeddedPgPort,
    log: (message) => log.debug(message.trim()),
  });
}

/** Applies pending migrations (one connection holds the advisory lock, one runs them). */
export async function migrateDatabase(config: AppConfig, databaseUrl: string): Promise<string[]> {
  const dataSource = new DataSource(dataSourceOptions({ ...config, databaseUrl, dbPoolSize: 2 }));
  await dataSource.initialize();
  try {
    return await runMigrationsLocked(dataSource);
  } finally {
    await dataSource.destroy();
  }
}
