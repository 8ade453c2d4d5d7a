import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { migrateDatabase } from '../src/database/database-startup.js';
import { loadConfig } from '../src/config/app-config.js';
import { freePort, startEmbeddedPostgres } from '../src/database/embedded-postgres.js';

export interface Figure {
  name: string;
  value: number;
  unit: string;
  baseline?: number;
  ratio?: number;
}

export interface BenchServer {
  url: string;
  adminKey: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export interface BenchDatabase {
  url: string;
  stop(): Promise<void>;
}

/**
 * A migrated database for one benchmark: a fresh database on BENCH_DATABASE_URL's server when
 * set, else a fresh embedded PostgreSQL in a temporary folder.
 */
export async function startBenchDatabase(): Promise<BenchDatabase> {
  const external = process.env.BENCH_DATABASE_URL;
  let url: string;
  let stopServer = async () => undefined as void;
  let dropDatabase = async () => undefined as void;
  if (external) {
    const name = `ssu_bench_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: external });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const target = new URL(external);
    target.pathname = `/${name}`;
    url = target.toString();
    dropDatabase = async () => {
      const client = new pg.Client({ connectionString: external });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    };
  } else {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssu-bench-db-'));
    const embedded = await startEmbeddedPostgres({ dataDir, port: null });
    url = embedded.url;
    stopServer = async () => {
      await embedded.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    };
  }
  await migrateDatabase(loadConfig({}), url);
  return {
    url,
    stop: async () => {
      await dropDatabase();
      await stopServer();
    },
  };
}

/** The real service in its own process, so the load generator does not share its event loop. */
export async function startServer(
  databaseUrl: string,
  env: Record<string, string> = {},
): Promise<BenchServer> {
  const port = await freePort();
  const adminKey = `bench-admin-${randomBytes(16).toString('hex')}`;
  const child = spawn(process.execPath, ['dist/src/main.js'], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: databaseUrl,
      BOOTSTRAP_API_KEY: adminKey,
      LOG_LEVEL: 'warn',
      // The load is one key at thousands of requests a second: the limiter is measured (it runs
      // on every request) but set above what the benchmark sends.
      RATE_LIMIT_PER_SECOND: '1000000',
      RATE_LIMIT_BURST: '1000000',
      // The real snapshot posted is from 2024.
      SNAPSHOT_MAX_AGE_DAYS: '0',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  await waitUntilReady(url, child);
  return {
    url,
    adminKey,
    process: child,
    stop: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function waitUntilReady(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`The server exited with code ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/health/ready`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error('The server did not become ready within 60 s');
}

export interface LoadOptions {
  url: string;
  connections: number;
  seconds: number;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  requests?: autocannon.Request[];
}

/** Requests per second of successful (2xx) answers; a non-2xx answer fails the benchmark. */
export async function measureLoad(options: LoadOptions): Promise<number> {
  const run = (seconds: number) =>
    autocannon({
      url: options.url,
      connections: options.connections,
      duration: seconds,
      method: options.method ?? 'GET',
      headers: options.headers,
      body: options.body,
      requests: options.requests,
    });
  await run(1); // warm-up: JIT, pools, caches
  const result = await run(options.seconds);
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${options.url}: ${result.non2xx} non-2xx answers and ${result.errors} errors`);
  }
  return result.requests.average;
}

export function withRatio(figure: Figure, baseline: number): Figure {
  return { ...figure, baseline, ratio: Number((figure.value / baseline).toFixed(3)) };
}

/** Peak resident memory (VmHWM) of a process, read from /proc while it runs; 0 where unknown. */
export function watchPeakRss(pid: number): { stop(): number } {
  let peak = 0;
  const read = () => {
    try {
      const match = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (match) peak = Math.max(peak, Number(match[1]) * 1024);
    } catch {
      // the process has exited
    }
  };
  const timer = setInterval(read, 100);
  return {
    stop: () => {
      read();
      clearInterval(timer);
      return peak;
    },
  };
}
