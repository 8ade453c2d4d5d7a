import { type DataSource, MigrationExecutor } from 'typeorm';

/** Any fixed 64-bit number unique to this service; every replica takes the same lock. */
const MIGRATION_LOCK_ID = 7_346_112_019;

/**
 * Runs pending migrations under a PostgreSQL advisory lock, so that replicas starting together
 * apply each migration exactly once (immich's `withLock`). Returns the names applied.
 */
export async function runMigrationsLocked(dataSource: DataSource): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
    try {
      // On the connection that holds the lock: a lock holder idle while others migrate would be
      // presumed dead after DB_SOCKET_TIMEOUT_MS, and its lock lost mid-run.
      const executor = new MigrationExecutor(dataSource, runner);
      executor.transaction = 'each';
      const applied = await executor.executePendingMigrations();
      return applied.map((migration) => migration.name);
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]);
    }
  } finally {
    await runner.release();
  }
}

/** SQL the entities would need beyond what the migrations built: empty when they agree. */
export async function schemaDrift(dataSource: DataSource): Promise<string[]> {
  const sql = await dataSource.driver.createSchemaBuilder().log();
  return sql.upQueries.map((query) => query.query);
}
