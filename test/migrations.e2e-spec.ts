import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { loadConfig } from '../src/config/app-config.js';
import { dataSourceOptions } from '../src/database/data-source-options.js';
import { LackingControlCounts1764378000000 } from '../migrations/1764378000000-LackingControlCounts.js';
import { LowerCaseAzureTenantIds1764392400000 } from '../migrations/1764392400000-LowerCaseAzureTenantIds.js';
import { RatedIndustryOfRunResults1764396000000 } from '../migrations/1764396000000-RatedIndustryOfRunResults.js';
import { schemaDrift } from '../src/database/migrate.js';
import { MIGRATIONS } from '../src/database/migrations.js';
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

  it('rebuild the per-chunk lacking-control counts of runs written before them', async () => {
    // Back to before LackingControlCounts, undoing the migrations after it first.
    const undo = MIGRATIONS.length - MIGRATIONS.indexOf(LackingControlCounts1764378000000);
    for (let i = 0; i < undo; i++) await dataSource.undoLastMigration();
    // The column is back, compressed as its siblings are.
    const restored = await dataSource.query<{ attname: string; method: string }[]>(
      `SELECT attname, attcompression::text AS method FROM pg_attribute
       WHERE attrelid = 'portfolio_run_results'::regclass
         AND attname IN ('lacking_controls', 'reasons')
       ORDER BY attname`,
    );
    expect(restored.map((row) => row.attname)).toEqual(['lacking_controls', 'reasons']);
    expect(restored[0].method).toBe(restored[1].method);
    const [{ id: runId }] = await dataSource.query(
      `INSERT INTO portfolio_runs (status, table_name, table_version, table_sha256, table_published,
         as_of, filter, total, created_by)
       VALUES ('running', 'sme-cyber', '1', 'sha', true, now(), '{}', 3, 'test') RETURNING id`,
    );
    const tenants = await dataSource.query<{ id: string }[]>(
      `SELECT gen_random_uuid() AS id FROM generate_series(1, 4)`,
    );
    const rows = [
      { chunk: 0, lacking: ['AdminMFAV2', 'OneAdmin'], error: null },
      { chunk: 0, lacking: ['AdminMFAV2'], error: null },
      { chunk: 1, lacking: ['AdminMFAV2'], error: null },
      { chunk: 1, lacking: ['OneAdmin'], error: 'no snapshot at or before asOf' },
    ];
    for (const [i, row] of rows.entries()) {
      await dataSource.query(
        `INSERT INTO portfolio_run_members (run_id, client_tenant_id, chunk) VALUES ($1, $2, $3)`,
        [runId, tenants[i].id, row.chunk],
      );
      await dataSource.query(
        `INSERT INTO portfolio_run_results (run_id, client_tenant_id, lacking_controls, error)
         VALUES ($1, $2, $3, $4)`,
        [runId, tenants[i].id, row.lacking, row.error],
      );
    }
    await dataSource.runMigrations();
    const counts = await dataSource.query(
      `SELECT chunk, control, clients FROM portfolio_run_lacking_controls WHERE run_id = $1
       ORDER BY chunk, control`,
      [runId],
    );
    expect(counts).toEqual([
      { chunk: 0, control: 'AdminMFAV2', clients: 2 },
      { chunk: 0, control: 'OneAdmin', clients: 1 },
      { chunk: 1, control: 'AdminMFAV2', clients: 1 },
    ]);
  });

  it('lower the Azure tenant ids stored before; of ids that differ only in case, one is lowered and the rest left', async () => {
    const undo = MIGRATIONS.length - MIGRATIONS.indexOf(LowerCaseAzureTenantIds1764392400000);
    for (let i = 0; i < undo; i++) await dataSource.undoLastMigration();
    const insert = async (id: string) =>
      (
        await dataSource.query<{ id: string }[]>(
          `INSERT INTO client_tenants (azure_tenant_id, created_at)
           VALUES ($1, clock_timestamp()) RETURNING id`,
          [id],
        )
      )[0].id;
    const mixed = await insert('AbCd-0001');
    // A group with a lower-case member: that one keeps receiving feeds.
    const upperFirst = await insert('EEEE-0002');
    const lower = await insert('eeee-0002');
    // A group without one: the first created is lowered, as ownership is first come.
    const first = await insert('FFFF-0003');
    const second = await insert('FfFf-0003');
    await dataSource.runMigrations();
    const rows = await dataSource.query<{ id: string; azureTenantId: string }[]>(
      `SELECT id, azure_tenant_id AS "azureTenantId" FROM client_tenants WHERE id = ANY($1)`,
      [[mixed, upperFirst, lower, first, second]],
    );
    expect(Object.fromEntries(rows.map((r) => [r.id, r.azureTenantId]))).toEqual({
      [mixed]: 'abcd-0001',
      [upperFirst]: 'EEEE-0002',
      [lower]: 'eeee-0002',
      [first]: 'ffff-0003',
      [second]: 'FfFf-0003',
    });
    await dataSource.query(`DELETE FROM client_tenants WHERE id = ANY($1)`, [
      [mixed, upperFirst, lower, first, second],
    ]);
  });

  it('backfill the industry of earlier run results by the rating rule at the run asOf', async () => {
    const undo = MIGRATIONS.length - MIGRATIONS.indexOf(RatedIndustryOfRunResults1764396000000);
    for (let i = 0; i < undo; i++) await dataSource.undoLastMigration();
    const [{ id: tenant }] = await dataSource.query(
      `INSERT INTO client_tenants (azure_tenant_id, industry) VALUES ('backfill-1', 'healthcare')
       RETURNING id`,
    );
    await dataSource.query(
      `INSERT INTO client_tenant_industry_history (client_tenant_id, effective_at, industry)
       VALUES ($1, '2026-01-01', 'education'), ($1, '2026-09-01', 'healthcare')`,
      [tenant],
    );
    const [{ id: run }] = await dataSource.query(
      `INSERT INTO portfolio_runs (status, table_name, table_version, table_sha256, table_published,
         as_of, filter, total, created_by)
       VALUES ('succeeded', 'sme-cyber', '1', 'sha', false, '2026-07-20', '{}', 1, 'test')
       RETURNING id`,
    );
    await dataSource.query(
      `INSERT INTO portfolio_run_results (run_id, client_tenant_id) VALUES ($1, $2)`,
      [run, tenant],
    );
    await dataSource.runMigrations();
    const [row] = await dataSource.query(
      `SELECT industry FROM portfolio_run_results WHERE run_id = $1`,
      [run],
    );
    // In force on 2026-07-20: education, though the tenant is in healthcare now.
    expect(row).toEqual({ industry: 'education' });
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

describe('migrations under the advisory lock', () => {
  it('keep the lock, and report success, when they take longer than the socket timeout', async () => {
    const { runMigrationsLocked } = await import('../src/database/migrate.js');
    const url = await createTestDatabase();
    class SlowMigration1999999999999 {
      name = 'SlowMigration1999999999999';
      async up(runner: { query(sql: string): Promise<unknown> }): Promise<void> {
        // Each statement is within the statement timeout; together they outlast the socket's.
        for (let i = 0; i < 4; i++) await runner.query('SELECT pg_sleep(0.4)');
      }
      async down(): Promise<void> {}
    }
    const config = loadConfig(
      {},
      { databaseUrl: url, dbStatementTimeoutMs: 500, dbSocketTimeoutMs: 1_000 },
    );
    const slow = new DataSource({
      ...dataSourceOptions({ ...config, databaseUrl: url }),
      migrations: [SlowMigration1999999999999],
    });
    await slow.initialize();
    try {
      await expect(runMigrationsLocked(slow)).resolves.toEqual(['SlowMigration1999999999999']);
    } finally {
      await slow.destroy();
      await dropTestDatabase(url);
    }
  });
});
