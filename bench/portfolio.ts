import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import pg from 'pg';
import { freePort } from '../src/database/embedded-postgres.js';
import { generateSnapshot } from './generate.js';
import { Figure, startBenchService, watchPeakRss } from './support.js';

const CLIENT_TENANTS = Number(process.env.BENCH_PORTFOLIO_CLIENT_TENANTS ?? 100_000);

/**
 * `portfolio.run`: a run over CLIENT_TENANTS client tenants (~100 controls each, generated and
 * loaded in bulk first) end to end, from POST to `succeeded`, on one worker process; with that
 * worker's peak RSS, beside a plain SELECT of the same control rows in the same run.
 */
export async function benchPortfolio(): Promise<Figure[]> {
  const { database, server } = await startBenchService({ ROLE: 'api' });
  try {
    await loadBook(database.url, server);
    const tableName = await publishBenchTable(server);
    const selectRate = await plainSelectRate(database.url);
    const worker = spawn(process.execPath, ['dist/src/main.js'], {
      env: {
        ...process.env,
        ROLE: 'worker',
        DATABASE_URL: database.url,
        LOG_LEVEL: 'warn',
        PORT: String(await freePort()),
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const rss = watchPeakRss(worker.pid!);
    try {
      const started = Date.now();
      const created = await api(server, 'POST', '/v1/portfolio-runs', {
        table: { name: tableName },
        asOf: '2026-07-20T00:00:00Z',
      });
      for (;;) {
        const run = await api(server, 'GET', `/v1/portfolio-runs/${created.id}`);
        if (run.status === 'succeeded') break;
        if (run.status === 'failed' || run.status === 'cancelled')
          throw new Error(`run ${run.status}`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      const seconds = (Date.now() - started) / 1000;
      const rate = CLIENT_TENANTS / seconds;
      return [
        {
          name: 'portfolio.run',
          value: Number(seconds.toFixed(1)),
          unit: `s for ${CLIENT_TENANTS} client tenants`,
        },
        {
          name: 'portfolio.run.rate',
          value: Math.round(rate),
          unit: 'client tenants/s',
          baseline: Math.round(selectRate),
          ratio: Number((rate / selectRate).toFixed(3)),
        },
        {
          name: 'portfolio.run.peak-rss',
          value: Math.round(rss.stop() / 1024 / 1024),
          unit: 'MB (worker)',
        },
      ];
    } finally {
      worker.kill('SIGTERM');
      await new Promise((resolve) => worker.once('exit', resolve));
    }
  } finally {
    await server.stop();
    await database.stop();
  }
}

async function api(
  server: { url: string; adminKey: string },
  method: string,
  url: string,
  body?: unknown,
): Promise<any> {
  const response = await fetch(`${server.url}${url}`, {
    method,
    headers: {
      authorization: `Bearer ${server.adminKey}`,
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!response.ok)
    throw new Error(`${method} ${url}: ${response.status} ${await response.text()}`);
  return response.json();
}

/** One real ingest, then the book cloned in SQL with per-client-tenant adoption (one statement). */
async function loadBook(
  databaseUrl: string,
  server: { url: string; adminKey: string },
): Promise<void> {
  const ingested = await api(server, 'POST', '/v1/secure-scores', generateSnapshot(0));
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    await db.query(
      `WITH tenants AS (
         INSERT INTO client_tenants (azure_tenant_id, industry)
         SELECT 'book-' || g, (ARRAY['healthcare', 'education', 'manufacturing', 'financial-services'])[1 + g % 4]
         FROM generate_series(2, $2) g RETURNING id)
       INSERT INTO secure_score_snapshots (client_tenant_id, created_date_time, graph_id, source_shape,
         current_score, max_score, active_user_count, licensed_user_count, enabled_services,
         average_comparative_scores, control_names, control_categories, control_scores,
         control_score_percentages, control_max_scores, content_sha256, raw_gzip)
       SELECT t.id, s.created_date_time, s.graph_id, s.source_shape, s.current_score, s.max_score,
         s.active_user_count, s.licensed_user_count, s.enabled_services, s.average_comparative_scores,
         s.control_names, s.control_categories, s.control_scores,
         ARRAY(SELECT round((random() * 100)::numeric, 2) FROM unnest(s.control_names)),
         s.control_max_scores, s.content_sha256, s.raw_gzip
       FROM tenants t, secure_score_snapshots s WHERE s.id = $1`,
      [ingested.snapshots[0].id, CLIENT_TENANTS],
    );
    await db.query('VACUUM ANALYZE secure_score_snapshots');
  } finally {
    await db.end();
  }
}

async function publishBenchTable(server: { url: string; adminKey: string }): Promise<string> {
  const document = JSON.parse(
    fs.readFileSync(
      path.resolve('../shared/examples/weighting-table.sme-cyber-2027.1.json'),
      'utf8',
    ),
  );
  document.version = 'bench.1';
  document.effectiveFrom = '2020-01-01';
  await api(server, 'POST', '/v1/weighting-tables', document);
  await api(server, 'POST', `/v1/weighting-tables/${document.name}/versions/bench.1/publish`);
  return document.name as string;
}

/** The floor: every client tenant's control vector read with one plain SELECT, streamed in batches. */
async function plainSelectRate(databaseUrl: string): Promise<number> {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const started = Date.now();
    await db.query('BEGIN');
    await db.query(
      `DECLARE book CURSOR FOR SELECT client_tenant_id, id, created_date_time, control_names, control_categories,
         control_scores::text[], control_score_percentages::text[], control_max_scores::text[]
       FROM secure_score_snapshots`,
    );
    let rows = 0;
    for (;;) {
      const { rowCount } = await db.query('FETCH 2000 FROM book');
      rows += rowCount ?? 0;
      if (!rowCount) break;
    }
    await db.query('COMMIT');
    return rows / ((Date.now() - started) / 1000);
  } finally {
    await db.end();
  }
}
