import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { freePort } from '../src/database/embedded-postgres.js';
import { cloneBook } from './support/book.js';
import { exampleTable, fixture } from './support/fixtures.js';
import { exitOf, startServerProcess } from './support/processes.js';
import { publishTable } from './support/tables.js';
import { createApiKey, createTestApp, TestApp } from './support/test-app.js';
import { waitForLockWaiters } from './support/test-database.js';

const FINISHED = ['succeeded', 'failed', 'cancelled'];

async function waitForRun(
  t: TestApp,
  id: string,
  until = (run: any) => FINISHED.includes(run.status),
  timeoutMs = 60_000,
) {
  const started = Date.now();
  for (;;) {
    const run = (await t.request({ method: 'GET', url: `/v1/portfolio-runs/${id}` })).body;
    if (until(run)) return run;
    if (Date.now() - started > timeoutMs)
      throw new Error(`run ${id} still ${run.status}: ${JSON.stringify(run)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * A run's accumulation counted afresh from the ratings it filed (the controls with an
 * improvement, i.e. adopted below 1), beside the per-chunk counts the run wrote: each client
 * tenant counted once.
 */
async function lackingCounts(
  db: pg.Client,
  runId: string,
): Promise<{ fromAssessments: unknown[]; fromChunks: unknown[] }> {
  const fromAssessments = await db.query(
    `SELECT c.control, count(*)::int AS clients
     FROM assessments a,
       json_array_elements_text(a.rating->'improvements'->'control') AS c(control)
     WHERE a.portfolio_run_id = $1
     GROUP BY c.control ORDER BY c.control`,
    [runId],
  );
  const fromChunks = await db.query(
    `SELECT control, sum(clients)::int AS clients FROM portfolio_run_lacking_controls
     WHERE run_id = $1 GROUP BY control ORDER BY control`,
    [runId],
  );
  return { fromAssessments: fromAssessments.rows, fromChunks: fromChunks.rows };
}

/** RFC 4180 enough for the export: quoted fields with doubled quotes, CRLF rows. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let field = '';
  let row: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted && c === '"' && text[i + 1] === '"') {
      field += '"';
      i++;
    } else if (c === '"') {
      quoted = !quoted;
    } else if (!quoted && c === ',') {
      row.push(field);
      field = '';
    } else if (!quoted && c === '\n') {
      row.push(field.replace(/\r$/, ''));
      rows.push(row);
      row = [];
      field = '';
    } else {
      field += c;
    }
  }
  return rows;
}

describe('portfolio runs', () => {
  let t: TestApp;
  let db: pg.Client;

  beforeAll(async () => {
    t = await createTestApp({ portfolioChunkSize: 7, role: 'all' });
    db = new pg.Client({ connectionString: t.databaseUrl });
    await db.connect();
    const ingested = await t.request({
      method: 'POST',
      url: '/v1/secure-scores',
      body: fixture('heimdall2.secureScore.json'),
    });
    await cloneBook(t.databaseUrl, ingested.body.snapshots[0].id, 30, 'book');
    await t.request({
      method: 'POST',
      url: '/v1/secure-scores',
      body: fixture('graph2otel.liveScores.json'),
    });
    await publishTable(t, 'run.1', '2024-01-01');
    const tiers = exampleTable().tiers;
    tiers[1] = { ...tiers[1], minIndex: 75 };
    await publishTable(t, 'run.2-draft', '2030-01-01', { tiers }, false);
  });
  afterAll(async () => {
    await db.end();
    await t.close();
  });

  let firstRunId: string;

  it('rates the whole book in chunks, with one result per client tenant and a summary', async () => {
    const created = await t.request({
      method: 'POST',
      url: '/v1/portfolio-runs',
      body: { table: { name: 'sme-cyber' }, asOf: '2026-07-20T00:00:00Z' },
    });
    expect(created.status).toBe(202);
    firstRunId = created.body.id;
    expect(created.headers.location).toBe(`/v1/portfolio-runs/${firstRunId}`);
    const run = await waitForRun(t, firstRunId);
    expect(run).toMatchObject({ status: 'succeeded', total: 32, done: 32, failed: 0 });
    expect(run.summary.tiers).toEqual(expect.any(Object));
    expect(
      Object.values(run.summary.tiers as Record<string, number>).reduce((a, b) => a + b, 0),
    ).toBe(32);
    expect(run.summary.decisions.decline).toBeGreaterThanOrEqual(1);
    expect(run.summary.factor).toMatchObject({
      mean: expect.any(String),
      median: expect.any(String),
      p90: expect.any(String),
    });
    expect(run.summary.accumulation[0]).toMatchObject({
      control: expect.any(String),
      statement: expect.stringMatching(/% of insureds lack /),
    });
    const { rows } = await db.query(
      `SELECT count(*)::int AS n FROM assessments WHERE portfolio_run_id = $1`,
      [firstRunId],
    );
    expect(rows[0].n).toBe(32);
    const lacking = await lackingCounts(db, firstRunId);
    expect(lacking.fromAssessments.length).toBeGreaterThan(0);
    expect(lacking.fromChunks).toEqual(lacking.fromAssessments);
    const top = lacking.fromAssessments as { control: string; clients: number }[];
    const most = Math.max(...top.map((row) => row.clients));
    expect(run.summary.accumulation[0].clients).toBe(most);
    // An assessment filed by the run is reproduced bit for bit from its stored inputs.
    const filed = await db.query(`SELECT id FROM assessments WHERE portfolio_run_id = $1 LIMIT 1`, [
      firstRunId,
    ]);
    const replay = await t.request({
      method: 'POST',
      url: `/v1/assessments/${filed.rows[0].id}/replay`,
    });
    expect(replay.body).toEqual({ matches: true, differences: [] });
  });

  it('pages results as JSON and streams them as CSV, one row per client tenant', async () => {
    const page = await t.request({
      method: 'GET',
      url: `/v1/portfolio-runs/${firstRunId}/results?limit=10`,
    });
    expect(page.body.items).toHaveLength(10);
    expect(page.body.nextCursor).toEqual(expect.any(String));
    const csv = await t.request({
      method: 'GET',
      url: `/v1/portfolio-runs/${firstRunId}/results?format=csv`,
    });
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const rows = parseCsv(csv.text);
    expect(rows[0]).toEqual([
      'clientTenantId',
      'azureTenantId',
      'name',
      'industry',
      'snapshotId',
      'index',
      'tier',
      'factor',
      'decision',
      'reasons',
      'previousTier',
      'previousFactor',
      'missingControls',
      'error',
      'assessmentId',
    ]);
    expect(rows).toHaveLength(33);
    expect(new Set(rows.slice(1).map((r) => r[0])).size).toBe(32);
    expect(csv.headers['portfolio-run-status']).toBe('succeeded');
    expect(csv.headers['content-disposition']).toBe(
      `attachment; filename="portfolio-run-${firstRunId}.csv"`,
    );
  });

  it('exports a run still in progress as CSV only when asked for partial results, and names it so', async () => {
    // No worker in this process: a run stays queued.
    const api = await createTestApp({ role: 'api' });
    try {
      await api.request({
        method: 'POST',
        url: '/v1/secure-scores',
        body: fixture('heimdall2.secureScore.json'),
      });
      await publishTable(api, 'run.1', '2024-01-01');
      const created = await api.request({
        method: 'POST',
        url: '/v1/portfolio-runs',
        body: { table: { name: 'sme-cyber' }, asOf: '2026-07-20T00:00:00Z' },
      });
      const url = `/v1/portfolio-runs/${created.body.id}/results?format=csv`;
      const refused = await api.request({ method: 'GET', url });
      expect(refused.status).toBe(409);
      expect(refused.body.detail).toBe(
        `Portfolio run ${created.body.id} is queued (0 of 1 members done): export it once it has finished, or pass partial=true for the results so far`,
      );
      const partial = await api.request({ method: 'GET', url: `${url}&partial=true` });
      expect(partial.status).toBe(200);
      expect(partial.headers['portfolio-run-status']).toBe('queued');
      expect(partial.headers['content-disposition']).toBe(
        `attachment; filename="portfolio-run-${created.body.id}-partial.csv"`,
      );
      expect(parseCsv(partial.text)).toHaveLength(1);
      await api.request({ method: 'POST', url: `/v1/portfolio-runs/${created.body.id}/cancel` });
      const cancelled = await api.request({ method: 'GET', url });
      expect(cancelled.status).toBe(200);
      expect(cancelled.headers['content-disposition']).toBe(
        `attachment; filename="portfolio-run-${created.body.id}-cancelled.csv"`,
      );
      const bad = await api.request({ method: 'GET', url: `${url}&partial=yes` });
      expect(bad.status).toBe(422);
    } finally {
      await api.close();
    }
  });

  it('impact-tests a draft version against the published one: results only, with the migration matrix', async () => {
    const before = (await db.query(`SELECT count(*)::int AS n FROM assessments`)).rows[0].n;
    const created = await t.request({
      method: 'POST',
      url: '/v1/portfolio-runs',
      body: {
        table: { name: 'sme-cyber', version: 'run.2-draft' },
        asOf: '2026-07-20T00:00:00Z',
        compareTo: { table: { name: 'sme-cyber', version: 'run.1' } },
      },
    });
    const run = await waitForRun(t, created.body.id);
    expect(run).toMatchObject({ status: 'succeeded', table: { published: false } });
    const matrix = run.summary.comparison.tierMigration;
    expect(matrix.B.C).toBe(31); // the index 70.59 book moves from B to C under minIndex 75
    expect(run.summary.comparison.meanFactorChange).toEqual(expect.any(String));
    expect((await db.query(`SELECT count(*)::int AS n FROM assessments`)).rows[0].n).toBe(before);
    const compareRun = await t.request({
      method: 'POST',
      url: '/v1/portfolio-runs',
      body: {
        table: { name: 'sme-cyber', version: 'run.2-draft' },
        asOf: '2026-07-20T00:00:00Z',
        compareTo: { runId: firstRunId },
      },
    });
    const compared = await waitForRun(t, compareRun.body.id);
    expect(compared.summary.comparison.tierMigration.B.C).toBe(31);
  });

  it('lets an actuary impact-test a draft, but not run a published table, which files assessments', async () => {
    const actuary = await createApiKey(t, { name: 'actuary', role: 'actuary' });
    const runCount = async () =>
      (await db.query(`SELECT count(*)::int AS n FROM portfolio_runs`)).rows[0].n;
    const start = (table: object, compareTo?: object) =>
      t.request({
        method: 'POST',
        url: '/v1/portfolio-runs',
        key: actuary.key,
        body: { table, asOf: '2026-07-20T00:00:00Z', ...(compareTo ? { compareTo } : {}) },
      });
    const draftTable = { name: 'sme-cyber', version: 'run.2-draft' };
    const before = await runCount();
    const published = await start({ name: 'sme-cyber', version: 'run.1' });
    expect(published.status).toBe(403);
    expect(published.body.detail).toContain('impact test');
    expect((await start({ name: 'sme-cyber' })).status).toBe(403);
    expect(await runCount()).toBe(before);
    const draft = await start(draftTable, { table: { name: 'sme-cyber', version: 'run.1' } });
    expect(draft.status).toBe(202);
    expect(await waitForRun(t, draft.body.id)).toMatchObject({
      status: 'succeeded',
      table: { published: false },
    });
    // It reads its impact tests, and not the runs that rated and filed the book.
    const read = (url: string) => t.request({ method: 'GET', url, key: actuary.key });
    expect((await read(`/v1/portfolio-runs/${draft.body.id}/results`)).status).toBe(200);
    for (const url of [
      `/v1/portfolio-runs/${firstRunId}`,
      `/v1/portfolio-runs/${firstRunId}/results`,
      `/v1/portfolio-runs/${firstRunId}/results?format=csv`,
    ]) {
      expect((await read(url)).status).toBe(403);
    }
    const cancel = await t.request({
      method: 'POST',
      url: `/v1/portfolio-runs/${firstRunId}/cancel`,
      key: actuary.key,
    });
    expect(cancel.status).toBe(403);
    // Nor through a comparison, which would copy that run's tiers and factors into its own.
    const runsBefore = await runCount();
    const comparing = await start(draftTable, { runId: firstRunId });
    expect(comparing.status).toBe(403);
    expect(comparing.body.detail).toContain('compareTo.table');
    expect(await runCount()).toBe(runsBefore);
    // An impact test of its own is one it may compare with.
    const withDraftRun = await start(draftTable, { runId: draft.body.id });
    expect(withDraftRun.status).toBe(202);
    await waitForRun(t, withDraftRun.body.id);
    // Nor through an impact test someone else compared with it.
    const byAdmin = await t.request({
      method: 'POST',
      url: '/v1/portfolio-runs',
      body: { table: draftTable, asOf: '2026-07-20T00:00:00Z', compareTo: { runId: firstRunId } },
    });
    await waitForRun(t, byAdmin.body.id);
    for (const url of [
      `/v1/portfolio-runs/${byAdmin.body.id}`,
      `/v1/portfolio-runs/${byAdmin.body.id}/results`,
      `/v1/portfolio-runs/${byAdmin.body.id}/results?format=csv`,
    ]) {
      const refused = await read(url);
      expect(refused.status).toBe(403);
      expect(refused.body.detail).toContain('compares with a run on a published table');
    }
    expect((await read(`/v1/portfolio-runs/${withDraftRun.body.id}/results`)).status).toBe(200);
  });

  it('starts one run per Idempotency-Key, replaying its 202 and Location to a retry', async () => {
    const runs = async () =>
      Number((await db.query(`SELECT count(*) FROM portfolio_runs`)).rows[0].count);
    const before = await runs();
    const start = () =>
      t.request({
        method: 'POST',
        url: '/v1/portfolio-runs',
        body: {
          table: { name: 'sme-cyber', version: 'run.2-draft' },
          asOf: '2026-07-20T00:00:00Z',
        },
        headers: { 'idempotency-key': 'run-retry-1' },
      });
    const first = await start();
    const retry = await start();
    expect([first.status, retry.status]).toEqual([202, 202]);
    expect(retry.body).toEqual(first.body);
    expect(retry.headers.location).toBe(`/v1/portfolio-runs/${first.body.id}`);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(await runs()).toBe(before + 1);
    await waitForRun(t, first.body.id);
  });

  it('lists runs newest first, paged, by status and table; an actuary sees the impact tests it may read', async () => {
    const all = (
      await db.query(
        `SELECT id, status, table_published, compare_to FROM portfolio_runs
          ORDER BY date_trunc('milliseconds', created_at) DESC, id DESC`,
      )
    ).rows;
    expect(all.length).toBeGreaterThan(2);
    const listed = async (query: string, key?: string) => {
      const ids: string[] = [];
      let cursor: string | null = null;
      do {
        const page: any = await t.request({
          method: 'GET',
          url: `/v1/portfolio-runs?limit=2${query}${cursor ? `&cursor=${cursor}` : ''}`,
          key,
        });
        expect(page.status).toBe(200);
        ids.push(...page.body.items.map((run: { id: string }) => run.id));
        cursor = page.body.nextCursor;
      } while (cursor !== null);
      return ids;
    };
    expect(await listed('')).toEqual(all.map((run) => run.id));
    expect(await listed('&status=succeeded')).toEqual(
      all.filter((run) => run.status === 'succeeded').map((run) => run.id),
    );
    expect(await listed('&table=nope')).toEqual([]);
    const actuary = await createApiKey(t, { name: 'lister', role: 'actuary' });
    const published = new Set(all.filter((run) => run.table_published).map((run) => run.id));
    const readable = all.filter(
      (run) => !run.table_published && !published.has(run.compare_to?.runId),
    );
    expect(readable.length).toBeGreaterThan(0);
    expect(await listed('', actuary.key)).toEqual(readable.map((run) => run.id));
    const bad = await t.request({ method: 'GET', url: '/v1/portfolio-runs?status=done' });
    expect([bad.status, bad.body.errors[0].pointer]).toEqual([422, '/status']);
  });

  it('records a client tenant that cannot be rated and goes on', async () => {
    await db.query(`INSERT INTO client_tenants (azure_tenant_id) VALUES ('no-snapshot-yet')`);
    const created = await t.request({
      method: 'POST',
      url: '/v1/portfolio-runs',
      body: { table: { name: 'sme-cyber' }, asOf: '2026-07-20T00:00:00Z' },
    });
    const run = await waitForRun(t, created.body.id);
    expect(run).toMatchObject({ status: 'succeeded', total: 33, done: 32, failed: 1 });
    const results = await t.request({
      method: 'GET',
      url: `/v1/portfolio-runs/${created.body.id}/results?limit=500`,
    });
    expect(results.body.items.filter((r: any) => r.error !== null)).toEqual([
      expect.objectContaining({
        azureTenantId: 'no-snapshot-yet',
        error: 'no snapshot at or before asOf',
      }),
    ]);
    // The CSV export says why too: a failed member is not a blank row.
    const csv = await t.request({
      method: 'GET',
      url: `/v1/portfolio-runs/${created.body.id}/results?format=csv`,
    });
    const rows = parseCsv(csv.text);
    const error = rows[0].indexOf('error');
    expect(rows.filter((row) => row[error] !== '' && row !== rows[0])).toEqual([
      expect.arrayContaining(['no-snapshot-yet', 'no snapshot at or before asOf']),
    ]);
  });

  it('takes a filter member given as null for no filter, and stores none', async () => {
    const created = await t.request({
      method: 'POST',
      url: '/v1/portfolio-runs',
      body: {
        table: { name: 'sme-cyber' },
        asOf: '2026-07-20T00:00:00Z',
        filter: { industry: null, partnerId: null, clientTenantIds: null },
      },
    });
    expect(created.status).toBe(202);
    const run = await waitForRun(t, created.body.id);
    expect(run).toMatchObject({ status: 'succeeded', filter: {} });
  });

  it('rejects bad run requests with problem documents', async () => {
    for (const body of [
      {},
      { table: { name: 'Bad Name' } },
      { table: { name: 'sme-cyber' }, compareTo: { runId: 'x' } },
      { table: { name: 'nope' } },
      { table: { name: 'sme-cyber' }, asOf: '2024-01-20T00:00:00' },
      {
        table: { name: 'sme-cyber' },
        compareTo: { runId: firstRunId, table: { name: 'sme-cyber', version: 'run.1' } },
      },
    ]) {
      const response = await t.request({ method: 'POST', url: '/v1/portfolio-runs', body });
      expect(response.status).toBe(422);
    }
    const both = await t.request({
      method: 'POST',
      url: '/v1/portfolio-runs',
      body: {
        table: { name: 'sme-cyber' },
        compareTo: { runId: firstRunId, table: { name: 'nope' } },
      },
    });
    expect([both.status, both.body.errors]).toEqual([
      422,
      [{ pointer: '/compareTo', message: expect.stringContaining('not both') }],
    ]);
    // A filter naming what does not exist would leave its client tenants out without a word.
    const existing = (await db.query(`SELECT id FROM client_tenants LIMIT 1`)).rows[0].id;
    const unknown = await t.request({
      method: 'POST',
      url: '/v1/portfolio-runs',
      body: {
        table: { name: 'sme-cyber' },
        filter: {
          partnerId: '00000000-0000-4000-8000-000000000001',
          clientTenantIds: [existing, '00000000-0000-4000-8000-000000000002'],
        },
      },
    });
    expect([unknown.status, unknown.body.errors]).toEqual([
      422,
      [
        { pointer: '/filter/partnerId', message: 'No partner has this id' },
        { pointer: '/filter/clientTenantIds/1', message: 'No client tenant has this id' },
      ],
    ]);
    const none = await t.request({
      method: 'POST',
      url: '/v1/portfolio-runs',
      body: { table: { name: 'sme-cyber' }, filter: { clientTenantIds: [] } },
    });
    expect([none.status, none.body.errors?.[0]?.pointer]).toEqual([422, '/filter/clientTenantIds']);
    // A compareTo that names nothing compares with nothing: said, not ignored.
    for (const compareTo of [{}, { runId: null }]) {
      const neither = await t.request({
        method: 'POST',
        url: '/v1/portfolio-runs',
        body: { table: { name: 'sme-cyber' }, compareTo },
      });
      expect([neither.status, neither.body.errors]).toEqual([
        422,
        [{ pointer: '/compareTo', message: expect.stringContaining('name one') }],
      ]);
    }
    const csvCursor = await t.request({
      method: 'GET',
      url: `/v1/portfolio-runs/${firstRunId}/results?format=csv&cursor=x`,
    });
    expect([csvCursor.status, csvCursor.body.errors]).toEqual([
      422,
      [{ pointer: '/cursor', message: expect.stringContaining('format=csv') }],
    ]);
    expect(
      (
        await t.request({
          method: 'GET',
          url: '/v1/portfolio-runs/00000000-0000-4000-8000-000000000000',
        })
      ).status,
    ).toBe(404);
  });

  // Last: the PATCH adds industry history, which any later run of this book would rate with.
  it('shows each result with the industry it was rated with, not one set since', async () => {
    const results = async () =>
      (
        await t.request({
          method: 'GET',
          url: `/v1/portfolio-runs/${firstRunId}/results?limit=500`,
        })
      ).body.items as { clientTenantId: string; industry: string | null }[];
    const [member] = await results();
    const rated = member.industry;
    const patch = (industry: string | null) =>
      t.request({
        method: 'PATCH',
        url: `/v1/client-tenants/${member.clientTenantId}`,
        body: { industry },
      });
    expect((await patch('industry-set-later')).status).toBe(200);
    try {
      const after = (await results()).find((r) => r.clientTenantId === member.clientTenantId);
      expect(after?.industry).toBe(rated);
    } finally {
      await patch(rated);
    }
  });
});

describe('portfolio runs survive a killed worker', () => {
  let api: TestApp;
  let db: pg.Client;
  beforeAll(async () => {
    // The enqueuing process sets each job's expiry: short, so a killed worker's chunk is retried soon.
    api = await createTestApp({ role: 'api', portfolioChunkSize: 25, jobExpireSeconds: 3 });
    db = new pg.Client({ connectionString: api.databaseUrl });
    await db.connect();
    const ingested = await api.request({
      method: 'POST',
      url: '/v1/secure-scores',
      body: fixture('heimdall2.secureScore.json'),
    });
    await cloneBook(api.databaseUrl, ingested.body.snapshots[0].id, 1_999, 'crash');
    await publishTable(api, 'crash.1', '2024-01-01');
  });
  afterAll(async () => {
    await db.end();
    await api.close();
  });

  const startWorker = async () =>
    startServerProcess(
      {
        ROLE: 'worker',
        DATABASE_URL: api.databaseUrl,
        PORT: String(await freePort()),
        JOB_EXPIRE_SECONDS: '3',
        JOB_MAINTENANCE_SECONDS: '1',
        PORTFOLIO_CHUNK_SIZE: '25',
        // Rating threads, whatever the machine: this is the test of the threaded path.
        RATING_THREADS: '2',
      },
      { waitForHttp: false },
    );

  it('finishes with exactly one result per client tenant after SIGKILL and a restart', async () => {
    const created = await api.request({
      method: 'POST',
      url: '/v1/portfolio-runs',
      body: { table: { name: 'sme-cyber' }, asOf: '2026-07-20T00:00:00Z' },
    });
    const first = await startWorker();
    await waitForRun(api, created.body.id, (run) => run.done >= 100);
    first.child.kill('SIGKILL');
    await exitOf(first.child);
    const mid = (await api.request({ method: 'GET', url: `/v1/portfolio-runs/${created.body.id}` }))
      .body;
    expect(mid.done).toBeLessThan(2_000);
    const second = await startWorker();
    try {
      const run = await waitForRun(api, created.body.id, undefined, 120_000);
      expect(run).toMatchObject({ status: 'succeeded', total: 2_000, done: 2_000, failed: 0 });
      const counts = await db.query(
        `SELECT (SELECT count(*)::int FROM portfolio_run_results WHERE run_id = $1) AS results,
                (SELECT count(DISTINCT client_tenant_id)::int FROM portfolio_run_results WHERE run_id = $1) AS tenants,
                (SELECT count(*)::int FROM assessments WHERE portfolio_run_id = $1) AS assessments`,
        [created.body.id],
      );
      expect(counts.rows[0]).toEqual({ results: 2_000, tenants: 2_000, assessments: 2_000 });
      const lacking = await lackingCounts(db, created.body.id);
      expect(lacking.fromChunks).toEqual(lacking.fromAssessments);
      // What the rating threads filed is what the inline core recomputes, bit for bit.
      const filed = await db.query(
        `SELECT id FROM assessments WHERE portfolio_run_id = $1 ORDER BY id LIMIT 3`,
        [created.body.id],
      );
      for (const { id } of filed.rows) {
        const replay = await api.request({ method: 'POST', url: `/v1/assessments/${id}/replay` });
        expect(replay.body).toEqual({ matches: true, differences: [] });
      }
    } finally {
      second.child.kill('SIGTERM');
      await exitOf(second.child);
    }
  }, 180_000);

  it('stops taking chunks once cancelled', async () => {
    const created = await api.request({
      method: 'POST',
      url: '/v1/portfolio-runs',
      body: { table: { name: 'sme-cyber' }, asOf: '2026-07-20T00:00:00Z' },
    });
    // A run not (yet) succeeded is no baseline: its results cover part of its book at most.
    const compareWith = () =>
      api.request({
        method: 'POST',
        url: '/v1/portfolio-runs',
        body: {
          table: { name: 'sme-cyber' },
          asOf: '2026-07-20T00:00:00Z',
          compareTo: { runId: created.body.id },
        },
      });
    const queued = await compareWith();
    expect([queued.status, queued.body.errors]).toEqual([
      422,
      [{ pointer: '/compareTo/runId', message: expect.stringMatching(/^The run is queued: /) }],
    ]);
    const cancelled = await api.request({
      method: 'POST',
      url: `/v1/portfolio-runs/${created.body.id}/cancel`,
    });
    expect(cancelled.body.status).toBe('cancelled');
    expect((await compareWith()).body.errors[0].message).toMatch(/^The run is cancelled: /);
    const worker = await startWorker();
    try {
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      const run = (
        await api.request({ method: 'GET', url: `/v1/portfolio-runs/${created.body.id}` })
      ).body;
      expect(run).toMatchObject({ status: 'cancelled', done: 0 });
    } finally {
      worker.child.kill('SIGTERM');
      await exitOf(worker.child);
    }
  }, 60_000);

  const startRun = async (body: Record<string, unknown> = {}) => {
    const created = await api.request({
      method: 'POST',
      url: '/v1/portfolio-runs',
      body: { table: { name: 'sme-cyber' }, asOf: '2026-07-20T00:00:00Z', ...body },
    });
    expect(created.status).toBe(202);
    return created.body.id as string;
  };
  const cancel = (id: string) =>
    api.request({ method: 'POST', url: `/v1/portfolio-runs/${id}/cancel` });
  /** Until every chunk job of the run has completed: what it was to file is filed by then. */
  const waitForChunkJobs = async (id: string) => {
    const started = Date.now();
    for (;;) {
      const open = await db.query(
        `SELECT count(*)::int AS n FROM pgboss.job
          WHERE name = 'portfolio-run-chunk' AND data->>'runId' = $1 AND state <> 'completed'`,
        [id],
      );
      if (open.rows[0].n === 0) return;
      if (Date.now() - started > 20_000) throw new Error(`run ${id}: chunk jobs still open`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  /**
   * A 5-member run, closed by `close` while its chunk is being rated: the chunk waits for the
   * snapshots behind a lock until then. Its worker goes on, for the caller to stop.
   */
  const closeWhileRated = async (close: (id: string) => Promise<void>) => {
    const id = await startRun({ filter: { clientTenantIds: await someTenants(5) } });
    await db.query('BEGIN');
    await db.query('LOCK TABLE secure_score_snapshots IN ACCESS EXCLUSIVE MODE');
    const worker = await startWorker();
    try {
      await waitForRun(api, id, (run) => run.status === 'running');
      await close(id);
    } finally {
      await db.query('COMMIT');
    }
    return { id, worker };
  };
  const filedFor = async (id: string) =>
    (
      await db.query(
        `SELECT (SELECT count(*)::int FROM portfolio_run_results WHERE run_id = $1) AS results,
                (SELECT count(*)::int FROM assessments WHERE portfolio_run_id = $1) AS assessments`,
        [id],
      )
    ).rows[0];
  const someTenants = async (count: number) =>
    (
      await db.query<{ id: string }>(`SELECT id FROM client_tenants ORDER BY id LIMIT $1`, [count])
    ).rows.map((row) => row.id);

  it('configures the chunk queue with bounded retries, backoff, an expiry and a dead-letter queue', async () => {
    await startRun({ filter: { industry: 'no-client-tenant-has-this-industry' } });
    const queues = await db.query(
      `SELECT name, retry_limit, retry_delay, retry_backoff, expire_seconds, dead_letter
         FROM pgboss.queue ORDER BY name`,
    );
    expect(queues.rows).toEqual([
      {
        name: 'portfolio-run-chunk',
        retry_limit: 6,
        retry_delay: 2,
        retry_backoff: true,
        expire_seconds: 3,
        dead_letter: 'portfolio-run-chunk-dead',
      },
      expect.objectContaining({ name: 'portfolio-run-chunk-dead', dead_letter: null }),
    ]);
  });

  it('never cancels a run its last chunk closed meanwhile', async () => {
    const id = await startRun({ filter: { clientTenantIds: await someTenants(5) } });
    // The closing chunk's transaction, holding the run's row, commits after cancel has asked.
    await db.query('BEGIN');
    await db.query(
      `UPDATE portfolio_runs SET status = 'succeeded', finished_at = now(), summary = '{}' WHERE id = $1`,
      [id],
    );
    const cancelling = cancel(id);
    // Commit only once the cancel waits for the row, so the test is of the lock.
    await waitForLockWaiters(api.databaseUrl, 1);
    await db.query('COMMIT');
    const answer = await cancelling;
    expect(answer.body.status).toBe('succeeded');
    const stored = await db.query(
      `SELECT status, (SELECT count(*)::int FROM audit_log
                        WHERE action = 'portfolio-run.cancelled' AND entity_id = $2) AS cancels
         FROM portfolio_runs WHERE id = $1`,
      [id, id],
    );
    expect(stored.rows).toEqual([{ status: 'succeeded', cancels: 0 }]);
  });

  it('never reopens, nor adds to, a run that failed while its last chunk was being rated', async () => {
    // As the sweep fails a run when its chunk's job expired on its last attempt.
    const { id, worker } = await closeWhileRated(async (id) => {
      await db.query(
        `UPDATE portfolio_runs SET status = 'failed', finished_at = now(),
                summary = '{"error": "expired"}' WHERE id = $1`,
        [id],
      );
    });
    try {
      // The chunk rates its members, finds the run closed and files nothing: the failed run's
      // results stay as they were when it failed.
      await waitForChunkJobs(id);
      const run = (await api.request({ method: 'GET', url: `/v1/portfolio-runs/${id}` })).body;
      expect(run).toMatchObject({ status: 'failed', done: 0, summary: { error: 'expired' } });
      expect(await filedFor(id)).toEqual({ results: 0, assessments: 0 });
    } finally {
      worker.child.kill('SIGTERM');
      await exitOf(worker.child);
    }
  }, 60_000);

  it('files nothing for a chunk whose run was cancelled while it was rated', async () => {
    const { id, worker } = await closeWhileRated(async (id) => {
      expect((await cancel(id)).body.status).toBe('cancelled');
    });
    try {
      await waitForChunkJobs(id);
      const exported = await api.request({
        method: 'GET',
        url: `/v1/portfolio-runs/${id}/results?format=csv`,
      });
      // The header alone: an export made at the cancel stays true afterwards.
      expect(exported.text.trim().split('\n')).toHaveLength(1);
      const run = (await api.request({ method: 'GET', url: `/v1/portfolio-runs/${id}` })).body;
      expect(run).toMatchObject({ status: 'cancelled', done: 0, failed: 0 });
      expect(await filedFor(id)).toEqual({ results: 0, assessments: 0 });
    } finally {
      worker.child.kill('SIGTERM');
      await exitOf(worker.child);
    }
  }, 60_000);

  it('lets the chunks in hand finish on SIGTERM, rating threads included', async () => {
    const worker = await startWorker();
    // A first run starts the rating threads, which a shutdown then has to keep until the end.
    const warmUp = await startRun({ filter: { clientTenantIds: await someTenants(5) } });
    expect(await waitForRun(api, warmUp)).toMatchObject({ status: 'succeeded' });
    // The next run's two chunks wait for the snapshots, behind this lock, until after SIGTERM:
    // they reach the rating threads during the shutdown.
    await db.query('BEGIN');
    await db.query('LOCK TABLE secure_score_snapshots IN ACCESS EXCLUSIVE MODE');
    const id = await startRun({ filter: { clientTenantIds: await someTenants(50) } });
    try {
      await waitForLockWaiters(api.databaseUrl, 2);
      worker.child.kill('SIGTERM');
      await new Promise((resolve) => setTimeout(resolve, 500));
    } finally {
      await db.query('COMMIT');
    }
    expect(await exitOf(worker.child)).toBe(0);
    const run = (await api.request({ method: 'GET', url: `/v1/portfolio-runs/${id}` })).body;
    expect(run).toMatchObject({ status: 'succeeded', done: 50, failed: 0 });
    const broken = await db.query(
      `SELECT state, output FROM pgboss.job
        WHERE name = 'portfolio-run-chunk' AND data->>'runId' = $1 AND state <> 'completed'`,
      [id],
    );
    expect(broken.rows).toEqual([]);
  }, 60_000);

  it('fails the chunks still in hand at the shutdown deadline, so they are retried at once', async () => {
    const id = await startRun({ filter: { clientTenantIds: await someTenants(5) } });
    await db.query('BEGIN');
    await db.query('LOCK TABLE secure_score_snapshots IN ACCESS EXCLUSIVE MODE');
    try {
      const worker = await startServerProcess(
        {
          ROLE: 'worker',
          DATABASE_URL: api.databaseUrl,
          PORT: String(await freePort()),
          SHUTDOWN_TIMEOUT_MS: '2000',
        },
        { waitForHttp: false },
      );
      await waitForRun(api, id, (run) => run.status === 'running');
      worker.child.kill('SIGTERM');
      await exitOf(worker.child);
    } finally {
      await db.query('COMMIT');
    }
    // Not left active until JOB_EXPIRE_SECONDS: failed, and waiting for its retry.
    const job = await db.query(
      `SELECT state, output FROM pgboss.job WHERE name = 'portfolio-run-chunk' AND data->>'runId' = $1`,
      [id],
    );
    expect(job.rows).toEqual([
      { state: 'retry', output: { message: 'The worker shut down while the chunk was active' } },
    ]);
    await cancel(id);
  }, 60_000);

  it('starts a small run queued behind a big one within a chunk or two, not after it', async () => {
    const big = await startRun();
    const small = await startRun({ filter: { clientTenantIds: await someTenants(5) } });
    const worker = await startWorker();
    try {
      const finished = await waitForRun(api, small);
      expect(finished).toMatchObject({ status: 'succeeded', total: 5, done: 5 });
      const meanwhile = (await api.request({ method: 'GET', url: `/v1/portfolio-runs/${big}` }))
        .body;
      // Chunks of 25: first come, first served, the big run's 2,000 would all go first.
      expect(meanwhile.done).toBeLessThan(500);
    } finally {
      await cancel(big);
      worker.child.kill('SIGTERM');
      await exitOf(worker.child);
    }
  }, 60_000);

  it('fails a run whose chunk died on its last attempt by expiry, with the reason', async () => {
    const id = await startRun({ filter: { clientTenantIds: await someTenants(50) } });
    // Chunk 0 as a worker that died during its last allowed attempt leaves it: active, long
    // expired, no retry left (pg-boss's own tests backdate it the same way).
    const updated = await db.query(
      `UPDATE pgboss.job SET state = 'active', retry_count = retry_limit,
              started_on = now() - interval '1 hour'
        WHERE name = 'portfolio-run-chunk' AND data->>'runId' = $1 AND data->>'chunk' = '0'`,
      [id],
    );
    expect(updated.rowCount).toBe(1);
    const worker = await startWorker();
    try {
      const run = await waitForRun(api, id, undefined, 30_000);
      expect(run).toMatchObject({ status: 'failed', done: 25 });
      expect(run.summary).toMatchObject({ chunk: 0, error: expect.stringMatching(/timeout/) });
    } finally {
      worker.child.kill('SIGTERM');
      await exitOf(worker.child);
    }
  }, 60_000);

  it('fails an impact test whose draft was replaced during the run instead of mixing documents', async () => {
    const draft = await publishTable(api, 'crash.draft', '2031-01-01', {}, false);
    const id = await startRun({
      table: { name: 'sme-cyber', version: 'crash.draft' },
      filter: { clientTenantIds: await someTenants(50) },
    });
    const replaced = await api.request({
      method: 'PUT',
      url: '/v1/weighting-tables/sme-cyber/versions/crash.draft',
      body: { ...draft.document, rounding: { ...draft.document.rounding, factor: 3 } },
    });
    expect(replaced.status).toBe(200);
    const worker = await startWorker();
    try {
      const run = await waitForRun(api, id, undefined, 30_000);
      expect(run).toMatchObject({ status: 'failed', done: 0 });
      expect(run.summary.error).toMatch(/crash\.draft changed during the run/);
    } finally {
      worker.child.kill('SIGTERM');
      await exitOf(worker.child);
    }
  }, 60_000);
});
