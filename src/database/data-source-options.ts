import pg from 'pg';
import type { DataSourceOptions } from 'typeorm';
import type { AppConfig } from '../config/app-config.js';
import { ENTITIES } from './entities.js';
import { MIGRATIONS } from './migrations.js';

const NUMERIC_ARRAY_OID = 1231;
// pg-types names no array type; text[]'s parser keeps each element as text (NULL as null).
const TEXT_ARRAY_OID = 1009 as unknown as Parameters<typeof pg.types.getTypeParser>[0];
const readTextArray = pg.types.getTypeParser(TEXT_ARRAY_OID, 'text') as (
  value: string,
) => (string | null)[];

/**
 * pg reads a `numeric` as text but a `numeric[]` as JavaScript numbers, which would round a
 * stored control score through a double on its way out: every decimal is read as text.
 */
export const DECIMALS_AS_TEXT = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === NUMERIC_ARRAY_OID && format !== 'binary'
      ? readTextArray
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

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
      types: DECIMALS_AS_TEXT,
    },
  };
}
