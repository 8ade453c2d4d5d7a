import net from 'node:net';
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

/**
 * A socket to PostgreSQL that destroys itself after `ms` without a byte either way. A connection
 * left half open (a failover, a partition, a dropped NAT entry) never errors by itself: its
 * query would wait for an answer, and its pool slot stay taken, until TCP gives up after many
 * minutes. Destroyed, it fails its query with ETIMEDOUT (a 503), TypeORM hands it back to the
 * pool as broken, and the pool opens a new one. Idle pooled connections are closed long before
 * this (pg-pool's idle timeout is 10 s), and a live server answers within the statement timeout.
 */
function presumedDeadWhenSilent(ms: number): net.Socket {
  const socket = new net.Socket();
  socket.setTimeout(ms, () => {
    const error = Object.assign(
      new Error(`PostgreSQL sent nothing for ${ms} ms: the connection is presumed dead`),
      { code: 'ETIMEDOUT' },
    );
    socket.destroy(error);
  });
  return socket;
}

/** The one DataSource options object, shared by the app, the CLI and the migration runner. */
export function dataSourceOptions(
  config: Pick<
    AppConfig,
    | 'dbPoolSize'
    | 'dbConnectTimeoutMs'
    | 'dbStatementTimeoutMs'
    | 'dbSocketTimeoutMs'
    | 'databaseUrl'
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
    extra: pgConnectionOptions(config),
  };
}

/**
 * How every pool of the service (TypeORM's, pg-boss's) connects. pg's defaults wait forever; a
 * stuck database must surface as a fast 503 or a retried job, not a hung request or worker.
 */
export function pgConnectionOptions(
  config: Pick<AppConfig, 'dbConnectTimeoutMs' | 'dbStatementTimeoutMs' | 'dbSocketTimeoutMs'>,
) {
  return {
    connectionTimeoutMillis: config.dbConnectTimeoutMs,
    statement_timeout: config.dbStatementTimeoutMs,
    idle_in_transaction_session_timeout: 60_000,
    keepAlive: true,
    types: DECIMALS_AS_TEXT,
    stream: () => presumedDeadWhenSilent(config.dbSocketTimeoutMs),
  };
}
