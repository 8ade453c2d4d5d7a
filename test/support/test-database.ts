import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * Test databases: the global setup migrates one template database per run; each spec file gets
 * its own copy (`CREATE DATABASE ... TEMPLATE`), so files never see each other's rows.
 * `TEST_DATABASE_URL` points at an existing server (CI's second pass); without it the global
 * setup starts an embedded PostgreSQL and sets these variables itself.
 */
export const ENV_ADMIN_URL = 'SSU_TEST_ADMIN_URL';
export const ENV_TEMPLATE = 'SSU_TEST_TEMPLATE_DB';

export function adminUrl(): string {
  const url = process.env[ENV_ADMIN_URL];
  if (!url)
    throw new Error(`${ENV_ADMIN_URL} is not set: run the tests through jest's global setup`);
  return url;
}

export function databaseUrl(name: string): string {
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  return url.toString();
}

export async function withAdminClient<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A fresh, migrated database for one spec file. */
export async function createTestDatabase(): Promise<string> {
  const template = process.env[ENV_TEMPLATE];
  if (!template) throw new Error(`${ENV_TEMPLATE} is not set`);
  const name = `${template}_${randomBytes(4).toString('hex')}`;
  await withAdminClient((client) => client.query(`CREATE DATABASE ${name} TEMPLATE ${template}`));
  return databaseUrl(name);
}

export async function dropTestDatabase(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  await withAdminClient((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}

/**
 * Until `count` sessions of the database at `url` wait for a lock (one the test holds): the
 * moment a request or chunk has reached the step the test blocks.
 */
export async function waitForLockWaiters(url: string, count: number): Promise<void> {
  const watcher = new pg.Client({ connectionString: url });
  await watcher.connect();
  try {
    for (let waiting = 0; waiting < count;) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      const rows = await watcher.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE datname = current_database() AND wait_event_type = 'Lock'`,
      );
      waiting = rows.rows[0].n;
    }
  } finally {
    await watcher.end();
  }
}
