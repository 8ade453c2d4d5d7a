import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { parseSecureScorePayload } from '../src/secure-scores/graph/secure-score-payload.parser.js';
import { copyTextRow } from '../src/database/copy-text.js';
import {
  prepareSnapshot,
  ROW_COLUMNS,
  type RowColumn,
  snapshotColumns,
} from '../src/secure-scores/snapshot-writer.js';
import { generateSnapshot } from './generate.js';
import {
  rateAgainstTarget,
  Figure,
  measureLoad,
  startBenchDatabase,
  startBenchService,
  watchCpu,
  watchPeakRss,
} from './support.js';

const HTTP_CONNECTIONS = 16;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const BULK_SNAPSHOTS = Number(process.env.BENCH_BULK_SNAPSHOTS ?? 100_000);
/** The target for both, as a ratio to the raw COPY. */
const RATIO_TARGET = 0.5;

/**
 * `ingest.http`: POST /v1/secure-scores of the real 68-control snapshot under distinct client
 * tenants, 16 connections. `ingest.bulk`: the CLI importer on generated ~100-control snapshots
 * (NDJSON), with its peak RSS. Each beside a raw COPY of the same rows in the same table layout,
 * and with its CPU per snapshot by process (`.cpu`).
 */
export async function benchIngest(): Promise<Figure[]> {
  const figures: Figure[] = [];
  figures.push(...(await benchHttp()));
  figures.push(...(await benchBulk()));
  return figures;
}

async function benchHttp(): Promise<Figure[]> {
  const { database, server } = await startBenchService();
  try {
    const fixture = JSON.parse(
      fs.readFileSync(
        path.resolve('../shared/fixtures/securescore/heimdall2.secureScore.json'),
        'utf8',
      ),
    ).value[0];
    // Each request names a new client tenant, written over the last one in the encoded body:
    // serialising (or even splicing and encoding) 53 KB per request in the load generator took
    // CPU from the server it measures (the same two cores). autocannon copies the body into each
    // request it builds, so the next request may overwrite it.
    const tenantOf = (counter: number) =>
      `http-bench-${process.pid}-${String(counter).padStart(12, '0')}`;
    const body = Buffer.from(
      JSON.stringify({ ...fixture, azureTenantId: tenantOf(0), id: `${tenantOf(0)}_2024-01-01` }),
    );
    const tenantAt = [body.indexOf(tenantOf(0)), body.lastIndexOf(tenantOf(0))];
    let counter = 0;
    const ingest = await measureLoad(
      {
        url: `${server.url}/v1/secure-scores`,
        connections: HTTP_CONNECTIONS,
        seconds: SECONDS,
        method: 'POST',
        headers: { authorization: `Bearer ${server.adminKey}`, 'content-type': 'application/json' },
        requests: [
          {
            setupRequest: (request) => {
              const tenant = tenantOf(counter++);
              for (const at of tenantAt) body.write(tenant, at, 'latin1');
              return { ...request, body };
            },
          },
        ],
      },
      server.process.pid,
    );
    // Every request built stored a snapshot, not a duplicate of one already there, but those
    // cut off in flight at the end of the warm-up and of the run.
    const stored = await countSnapshots(database.url);
    if (stored < counter - 2 * HTTP_CONNECTIONS) {
      throw new Error(`${counter} requests stored only ${stored} snapshots`);
    }
    const copyRate = await copyBaseline(
      database.url,
      Math.max(2_000, Math.round(ingest.rate * SECONDS)),
      (i) => ({
        ...fixture,
        azureTenantId: `copy-http-${i}`,
      }),
    );
    return rateAgainstTarget(
      { name: 'ingest.http', unit: 'snapshots/s', rate: ingest.rate },
      copyRate,
      { cpu: ingest.cpu!, requests: ingest.requests },
      RATIO_TARGET,
    );
  } finally {
    await server.stop();
    await database.stop();
  }
}

async function benchBulk(): Promise<Figure[]> {
  const database = await startBenchDatabase();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssu-bench-bulk-'));
  try {
    const file = path.join(dir, 'snapshots.ndjson');
    await pipeline(
      Readable.from(
        (function* () {
          for (let i = 0; i < BULK_SNAPSHOTS; i++) yield `${JSON.stringify(generateSnapshot(i))}\n`;
        })(),
      ),
      fs.createWriteStream(file),
    );
    const started = Date.now();
    const child = spawn(process.execPath, ['dist/src/cli.js', 'import', file], {
      env: { ...process.env, DATABASE_URL: database.url, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const rss = watchPeakRss(child.pid!);
    const cpu = watchCpu(child.pid!);
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    const peak = rss.stop();
    const used = cpu.stop();
    if (code !== 0) throw new Error(`the importer exited with ${code}`);
    const rate = BULK_SNAPSHOTS / ((Date.now() - started) / 1000);
    const copyRate = await copyBaseline(database.url, BULK_SNAPSHOTS, (i) => ({
      ...generateSnapshot(i),
      azureTenantId: `copy-bulk-${i}`,
    }));
    const [rated, cpuPerSnapshot] = rateAgainstTarget(
      { name: 'ingest.bulk', unit: 'snapshots/s', rate },
      copyRate,
      { cpu: used, requests: BULK_SNAPSHOTS },
      RATIO_TARGET,
    );
    return [
      rated,
      { name: 'ingest.bulk.peak-rss', value: Math.round(peak / 1024 / 1024), unit: 'MB' },
      cpuPerSnapshot,
    ];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    await database.stop();
  }
}

async function countSnapshots(databaseUrl: string): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return Number(
      (await client.query('SELECT count(*) AS n FROM secure_score_snapshots')).rows[0].n,
    );
  } finally {
    await client.end();
  }
}

/**
 * The physical limit: the same snapshots, already validated, hashed and compressed, written to a
 * file in COPY format (untimed), then streamed with COPY into the same table (timed).
 */
async function copyBaseline(
  databaseUrl: string,
  count: number,
  make: (i: number) => Record<string, unknown>,
): Promise<number> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssu-bench-copy-'));
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const tenants: { id: string }[] = (
      await client.query(
        `INSERT INTO client_tenants (azure_tenant_id) SELECT 'copy-' || g || '-' || $2 FROM generate_series(1, $1) g RETURNING id`,
        [count, process.hrtime.bigint().toString()],
      )
    ).rows;
    const file = path.join(dir, 'rows.copy');
    const out = fs.createWriteStream(file);
    for (let i = 0; i < count; i++) {
      const parsed = parseSecureScorePayload(make(i));
      if (!parsed.ok) throw new Error('generated snapshot is invalid');
      const snapshot = parsed.snapshots[0];
      const prepared = prepareSnapshot(snapshot);
      const row = snapshotColumns(snapshot, prepared.contentSha256);
      if (!out.write(copyRow(tenants[i].id, row, prepared.rawGzip))) {
        await new Promise<void>((resolve) => out.once('drain', () => resolve()));
      }
    }
    await new Promise<void>((resolve) => out.end(() => resolve()));
    const started = Date.now();
    await pipeline(
      fs.createReadStream(file),
      client.query(
        copyFrom(
          `COPY secure_score_snapshots (client_tenant_id, ${ROW_COLUMNS.filter(
            ([name]) => name !== 'azure_tenant_id',
          )
            .map(([name]) => name)
            .join(', ')}, raw_gzip) FROM STDIN`,
        ),
      ),
    );
    return count / ((Date.now() - started) / 1000);
  } finally {
    await client.end();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function copyRow(
  clientTenantId: string,
  row: Record<RowColumn, string | null>,
  rawGzip: Uint8Array,
): string {
  // The writer's own columns, as COPY text: the same values in the same columns.
  return copyTextRow([
    clientTenantId,
    ...ROW_COLUMNS.filter(([name]) => name !== 'azure_tenant_id').map(([name]) => row[name]),
    `\\x${Buffer.from(rawGzip).toString('hex')}`,
  ]);
}
