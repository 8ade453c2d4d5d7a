import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { exampleTable, FIXTURES, snapshotFor } from './support/fixtures.js';
import { runCli } from './support/processes.js';
import { createTestDatabase, dropTestDatabase } from './support/test-database.js';

const AS_OF = '2026-07-20T00:00:00Z';
const STACK_FRAME = /^\s+at /m;

async function mustRun(args: string[], env: Record<string, string>): Promise<string> {
  const result = await runCli(args, env);
  if (result.code !== 0)
    throw new Error(`${args.join(' ')} exited ${result.code}: ${result.stdout}${result.stderr}`);
  return result.stdout;
}

describe('the runs:start command', () => {
  let url: string;
  let db: pg.Client;
  let dir: string;
  let env: Record<string, string>;
  const count = async (table: string) =>
    Number((await db.query(`SELECT count(*) FROM ${table}`)).rows[0].count);

  beforeAll(async () => {
    url = await createTestDatabase();
    env = { DATABASE_URL: url };
    db = new pg.Client({ connectionString: url });
    await db.connect();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssu-runs-cli-'));
    // The example table applies from 2027; a copy in force from 2024 rates as of AS_OF.
    const table = path.join(dir, 'table.json');
    fs.writeFileSync(
      table,
      JSON.stringify({
        ...exampleTable(),
        version: 'cli-run.1',
        effectiveFrom: '2024-01-01',
        effectiveTo: null,
      }),
    );
    await mustRun(['tables:publish', table], env);
    // Four client tenants: two real payloads, and two generated ones (one with two snapshots).
    const book = path.join(dir, 'book');
    fs.mkdirSync(book);
    for (const name of ['heimdall2.secureScore.json', 'graph2otel.liveScores.json'])
      fs.copyFileSync(path.join(FIXTURES, name), path.join(book, name));
    const generated = [
      snapshotFor('runs-cli-1', '2026-07-01'),
      snapshotFor('runs-cli-1', '2026-07-10'),
      snapshotFor('runs-cli-2', '2026-07-01', 'graph2otel.liveScores.json'),
    ];
    fs.writeFileSync(
      path.join(book, 'generated.ndjson'),
      generated.map((s) => JSON.stringify(s)).join('\n') + '\n',
    );
    expect(await mustRun(['import', book], env)).toMatch(/^stored 5, duplicates 0, rejected 0 /m);
  }, 60_000);
  afterAll(async () => {
    fs.rmSync(dir, { recursive: true, force: true });
    await db.end();
    await dropTestDatabase(url);
  });

  it('runs the book with --wait, printing the run id, then the succeeded run as JSON', async () => {
    const tenants = await count('client_tenants');
    expect(tenants).toBe(4);
    // No worker is running: the waiting CLI must process the run's chunks itself.
    const result = await runCli(
      ['runs:start', '--table', 'sme-cyber', '--as-of', AS_OF, '--wait'],
      env,
    );
    expect(result.code).toBe(0);
    const id = /^run ([0-9a-f-]{36})$/m.exec(result.stdout)?.[1];
    expect(id).toEqual(expect.any(String));
    const json = result.stdout.slice(result.stdout.indexOf('\n{') + 1);
    const run = JSON.parse(json);
    expect(run).toMatchObject({
      id,
      status: 'succeeded',
      table: { name: 'sme-cyber', version: 'cli-run.1', published: true },
      asOf: new Date(AS_OF).toISOString(),
      total: tenants,
      done: tenants,
      failed: 0,
      finishedAt: expect.any(String),
    });
    const tiers = Object.values(run.summary.tiers as Record<string, number>);
    expect(tiers.reduce((a, b) => a + b, 0)).toBe(tenants);
    expect(run.summary.factor.rated).toBe(tenants);

    const { rows } = await db.query(
      `SELECT status FROM portfolio_runs WHERE id = $1
        UNION ALL
       SELECT count(*)::text FROM assessments WHERE portfolio_run_id = $1`,
      [id],
    );
    expect(rows.map((row) => row.status)).toEqual(['succeeded', String(tenants)]);
  }, 60_000);

  it('exits 1 with a readable message, and starts no run, for an unknown table or version', async () => {
    const before = await count('portfolio_runs');
    const unknown = await runCli(
      ['runs:start', '--table', 'no-such-table', '--as-of', AS_OF, '--wait'],
      env,
    );
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('No weighting table is named no-such-table');
    expect(unknown.stderr).not.toMatch(STACK_FRAME);
    expect(unknown.stdout).not.toMatch(/^run /m);

    const early = await runCli(
      ['runs:start', '--table', 'sme-cyber', '--as-of', '2020-07-20T00:00:00Z', '--wait'],
      env,
    );
    expect(early.code).toBe(1);
    expect(early.stderr).toContain(
      'No published weighting table version of sme-cyber is in force on 2020-07-20',
    );
    expect(early.stderr).not.toMatch(STACK_FRAME);

    const version = await runCli(
      ['runs:start', '--table', 'sme-cyber@9.9', '--as-of', AS_OF, '--wait'],
      env,
    );
    expect(version.code).toBe(1);
    expect(version.stderr).toContain('Weighting table sme-cyber version 9.9 does not exist');
    expect(version.stderr).not.toMatch(STACK_FRAME);
    expect(await count('portfolio_runs')).toBe(before);
  }, 60_000);

  it('checks its options as the HTTP route checks its body: no bad filter is stored or reaches SQL', async () => {
    const before = await count('portfolio_runs');
    for (const [options, message] of [
      [['--table', 'sme-cyber@cli-run.1@2'], '--table must be name or name@version'],
      [['--table', 'sme-cyber', '--industry', 'BAD'], '--industry must be a lowercase slug'],
      [['--table', 'sme-cyber', '--partner', 'xyz'], '--partner must be a UUID'],
      [['--table', 'sme-cyber', '--compare-run', 'xyz'], '--compare-run must be a UUID'],
      [['--table', 'sme-cyber', '--compare-table', 'Bad Name'], '--compare-table must be'],
      [['--table', 'sme-cyber', '--as-of', '2026-07-20'], '--as-of must be a date-time'],
      [
        [
          '--table',
          'sme-cyber',
          '--compare-run',
          '00000000-0000-4000-8000-000000000000',
          '--compare-table',
          'sme-cyber@cli-run.1',
        ],
        'not both',
      ],
    ] as const) {
      const result = await runCli(['runs:start', ...options], env);
      expect([result.code, result.stderr]).toEqual([1, expect.stringContaining(message)]);
      expect(result.stderr).not.toMatch(STACK_FRAME);
    }
    expect(await count('portfolio_runs')).toBe(before);
  }, 60_000);
});
