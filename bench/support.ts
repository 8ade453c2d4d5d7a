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
  /** What the value is made of, for a CPU figure: µs per request by process. */
  parts?: Record<string, number>;
  /** For a CPU figure: the µs per request this machine's cores allow at the ratio target. */
  budget?: number;
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

/**
 * A fresh database and the service on it. The caller stops both; if the service does not start,
 * the database is stopped (and dropped) here, not left behind.
 */
export async function startBenchService(
  env: Record<string, string> = {},
): Promise<{ database: BenchDatabase; server: BenchServer }> {
  const database = await startBenchDatabase();
  try {
    return { database, server: await startServer(database.url, env) };
  } catch (error) {
    await database.stop();
    throw error;
  }
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

export interface LoadResult {
  /** Successful (2xx) answers per second. */
  rate: number;
  requests: number;
  /** Where the CPU went during the measured run, when the service's pid was given. */
  cpu?: CpuUse;
}

/**
 * Requests per second of successful (2xx) answers, after a one-second warm-up; a non-2xx answer
 * fails the benchmark. With `servicePid`, also the CPU each process used meanwhile.
 */
export async function measureLoad(options: LoadOptions, servicePid?: number): Promise<LoadResult> {
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
  const cpu = servicePid === undefined ? undefined : watchCpu(servicePid);
  const result = await run(options.seconds);
  const used = cpu?.stop();
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${options.url}: ${result.non2xx} non-2xx answers and ${result.errors} errors`);
  }
  return { rate: result.requests.average, requests: result.requests.total, cpu: used };
}

/** CPU time in µs: the measured process (all its threads), this one, and PostgreSQL's. */
export interface CpuUse {
  service: number;
  loadGenerator: number;
  database: number;
}

// Linux reports process CPU in clock ticks of 1/USER_HZ s, which is 100 on every architecture
// Node runs on.
const MICROSECONDS_PER_TICK = 10_000;

/**
 * Watches the CPU a benchmark costs, from /proc (on other systems the parts read 0): the
 * measured process, this process (the load generator where there is one; it includes this
 * polling, about a millisecond a pass), and every process named `postgres` on this machine,
 * embedded or not (a database elsewhere reads 0; another database's work on the same machine
 * counts). Polled every 250 ms, so that backends ending before `stop` still count, less their
 * last quarter second.
 */
export function watchCpu(pid: number): { stop(): CpuUse } {
  const startedCpu = process.cpuUsage();
  const startedChildren = reapedChildrenTicks();
  const service = { first: processTicks(pid) ?? 0, last: 0 };
  const database = new Map<number, { first: number; last: number }>();
  let starting = true;
  const read = () => {
    service.last = processTicks(pid) ?? service.last;
    for (const [id, ticks] of postgresTicks()) {
      // A backend first seen after the start began during the run: all of its CPU counts.
      const seen = database.get(id) ?? { first: starting ? ticks : 0, last: ticks };
      seen.last = ticks;
      database.set(id, seen);
    }
    starting = false;
  };
  read();
  const timer = setInterval(read, 250);
  return {
    stop: () => {
      read();
      clearInterval(timer);
      const loadGenerator = process.cpuUsage(startedCpu);
      let databaseTicks = 0;
      for (const { first, last } of database.values()) databaseTicks += last - first;
      // A measured child that has exited and been reaped (the importer) is counted whole, by
      // what the kernel added to this process's children's time, not by its last poll.
      const serviceTicks =
        processTicks(pid) === null
          ? reapedChildrenTicks() - startedChildren
          : service.last - service.first;
      return {
        service: serviceTicks * MICROSECONDS_PER_TICK,
        loadGenerator: loadGenerator.user + loadGenerator.system,
        database: databaseTicks * MICROSECONDS_PER_TICK,
      };
    },
  };
}

/** The CPU, in ticks, of this process's children that have exited and been waited for. */
function reapedChildrenTicks(): number {
  try {
    const stat = fs.readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[13]) + Number(fields[14]); // cutime and cstime
  } catch {
    return 0;
  }
}

/** User plus system clock ticks of a process, all threads; null once it has gone. */
function processTicks(pid: number): number | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // After the command name (which may hold spaces): state, then utime and stime at 11 and 12.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return null;
  }
}

function postgresTicks(): Map<number, number> {
  const ticks = new Map<number, number>();
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return ticks;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (fs.readFileSync(`/proc/${entry}/comm`, 'utf8') !== 'postgres\n') continue;
    } catch {
      continue;
    }
    const used = processTicks(Number(entry));
    if (used !== null) ticks.set(Number(entry), used);
  }
  return ticks;
}

/**
 * CPU per request (or snapshot) by process, beside what the machine's cores allow per request
 * at `target` times `baseline`: where a ratio target is out of reach, this says by how much.
 */
export function cpuFigure(
  name: string,
  cpu: CpuUse,
  requests: number,
  target: { ratio: number; baseline: number },
): Figure {
  const perRequest = (microseconds: number) => Math.round(microseconds / requests);
  const parts = {
    service: perRequest(cpu.service),
    'load generator': perRequest(cpu.loadGenerator),
    database: perRequest(cpu.database),
  };
  const cores = os.availableParallelism();
  return {
    name,
    value: parts.service + parts['load generator'] + parts.database,
    unit: 'µs CPU/req',
    parts,
    budget: Math.round((cores * 1_000_000) / (target.ratio * target.baseline)),
  };
}

export function withRatio(figure: Figure, baseline: number): Figure {
  return { ...figure, baseline, ratio: Number((figure.value / baseline).toFixed(3)) };
}

/**
 * A rate beside its baseline as a ratio, and the CPU one of its requests cost against what the
 * cores allow at the ratio target: the pair each benchmark with a ratio target prints.
 */
export function rateAgainstTarget(
  figure: { name: string; unit: string; rate: number },
  baseline: number,
  use: { cpu: CpuUse; requests: number },
  target: number,
): [Figure, Figure] {
  return [
    withRatio(
      { name: figure.name, value: Math.round(figure.rate), unit: figure.unit },
      Math.round(baseline),
    ),
    cpuFigure(`${figure.name}.cpu`, use.cpu, use.requests, { ratio: target, baseline }),
  ];
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
