import type { DataSourceOptions } from 'typeorm';
import type { AppConfig } from '../config/app-config.js';
import { ENTITIES } from './entities.js';
import { MIGRATIONS } from './migrations.js';

/** The one DataSource options object, shared by the app, the CLI and the migration runner. */
export function dataSourceOptions(
  config: Pick<
    AppConfig,
    'dbPoolSize' | 'dbConnectTimeoutMs' | 'dbStatementTimeoutMs' | 'databaseUrl'
  > & { databaseUrl: string },
): DataSourceOptions {
  return {
    type: 'postgres',
    url: config.databaseUrl,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsRun: false,
    synchronize: false,
    uuidExtension: 'pgcrypto',
    installExtensions: false,
    poolSize: config.dbPoolSize,
    applicationName: 'securescore-underwriting',
    extra: {
      // pg's defaults wait forever; a stuck database must surface as a fast 503, not a hung request.
      connectionTimeoutMillis: config.dbConnectTimeoutMs,
      statement_timeout: config.dbStatementTimeoutMs,
      idle_in_transaction_session_timeout: 60_000,
      keepAlive: true,
    },
  };
}
