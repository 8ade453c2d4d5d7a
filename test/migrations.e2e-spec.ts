import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { loadConfig } from '../src/config/app-config.js';
import { dataSourceOptions } from '../src/database/data-source-options.js';
import { schemaDrift } from '../src/database/migrate.js';
import { createTestDatabase, dropTestDatabase } from './support/test-database.js';

describe('migrations', () => {
  let url: string;
  let dataSource: DataSource;
  beforeAll(async () => {
    url = await createTestDatabase();
    dataSource = new DataSource(dataSourceOptions({ ...loadConfig({}), databaseUrl: url }));
    await dataSource.initialize();
  });
  afterAll(async () => {
    await dataSource.destroy();
    await dropTestDatabase(url);
  });

  it('build exactly the schema the entities describe (no drift)', async () => {
    expect(await schemaDrift(dataSource)).toEqual([]);
  });

  it('seed the control catalog from the shipped catalog.json', async () => {
    const [row] = await dataSource.query(
      `SELECT count(*)::int AS n, max(max_score) FILTER (WHERE control_name = 'AdminMFAV2')::text AS admin_mfa
       FROM control_profiles WHERE source = 'seed'`,
    );
    expect(row).toEqual({ n: 435, admin_mfa: '10' });
  });

  it('compress bulk-written values with lz4 where the server is built with it, else pglz', async () => {
    const [{ supported }] = await dataSource.query(
      `SELECT 'lz4' = ANY(enumvals) AS supported FROM pg_settings
       WHERE name = 'default_toast_compression'`,
    );
    const rows: { attname: string; method: string }[] = await dataSource.query(
      `SELECT attname, attcompression::text AS method FROM pg_attribute
       WHERE attrelid = 'assessments'::regclass AND attname IN ('rating', 'catalog_max_scores')`,
    );
    expect(rows.map((row) => row.method)).toEqual([supported ? 'l' : '', supported ? 'l' : '']);
  });

  it('revert and re-apply cleanly', async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const before = (await client.query('SELECT count(*)::int AS n FROM migrations')).rows[0].n;
      await dataSource.undoLastMigration();
      expect((await client.query('SELECT count(*)::int AS n FROM migrations')).rows[0].n).toBe(
        before - 1,
      );
      await dataSource.runMigrations();
      expect((await client.query('SELECT count(*)::int AS n FROM migrations')).rows[0].n).toBe(
        before,
      );
    } finally {
      await client.end();
    }
  });
});
