import { isIP } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { looksLikeKey } from '../access/api-key-secret.js';

export type ProcessRole = 'api' | 'worker' | 'all';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** Every start-up setting, validated once; a bad one stops start-up with a message naming it. */
export interface AppConfig {
  port: number;
  host: string;
  databaseUrl: string | null;
  dataDir: string;
  embeddedPgPort: number | null;
  bootstrapApiKey: string | null;
  logLevel: LogLevel;
  dbPoolSize: number;
  dbConnectTimeoutMs: number;
  dbStatementTimeoutMs: number;
  /**
   * A database connection that receives and sends nothing this long is presumed dead (half open
   * after a failover or a partition) and destroyed. Longer than the statement timeout, after
   * which a live server always answers.
   */
  dbSocketTimeoutMs: number;
  bodyLimitBytes: number;
  jsonMaxDepth: number;
  shutdownTimeoutMs: number;
  role: ProcessRole;
  /** A chunk job running longer is presumed dead (its worker crashed) and is retried. */
  jobExpireSeconds: number;
  /** How often a worker looks for expired jobs to retry. */
  jobMaintenanceSeconds: number;
  portfolioChunkSize: number;
  /** Chunk jobs one worker process rates at once (rating is CPU, writing is database time). */
  workerConcurrency: number;
  /** Worker threads that parse, validate, hash and compress Secure Score bodies (0: inline). */
  ingestThreads: number;
  /**
   * The caller's own thread prepares bodies too while the ingest threads are busy. Set by the
   * CLI (whose thread would otherwise wait on them), never from the environment: a server's
   * event loop must stay free for requests.
   */
  ingestOnCallerThread: boolean;
  /** Worker threads that rate portfolio-run chunks in a worker process (0: inline). */
  ratingThreads: number;
  /** Worker threads that parse and validate `POST /v1/rate` bodies (0: inline). */
  rateThreads: number;
  /**
   * `POST /v1/secure-scores` refuses snapshots older than this many whole days (0: no limit)
   * unless `?backfill=true`: Graph keeps 90 days, so an older snapshot is a replayed archive.
   */
  snapshotMaxAgeDays: number;
  /** Requests per second one API key may make, per process (0: no limit). */
  rateLimitPerSecond: number;
  /** Requests one API key may make at once above its rate. */
  rateLimitBurst: number;
  /** Failed authentications per minute one client address may make before 429s (0: no limit). */
  authFailuresPerMinute: number;
  /** Requests one process serves at once; the next ones get 503 at once (0: no limit). */
  maxInFlightRequests: number;
  /**
   * The proxies whose `X-Forwarded-For` gives the client's address (Fastify's `trustProxy`):
   * their addresses or CIDR ranges (or `loopback`, `linklocal`, `uniquelocal`); false trusts
   * none, and the client is the socket's peer.
   */
  trustProxy: false | string[];
  /**
   * A connection that sends nothing this long while its request is arriving gets 408 and is
   * closed; one silent this long otherwise (idle, or not reading its answer) is closed.
   */
  httpIdleTimeoutMs: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

type Env = Record<string, string | undefined>;

const LOG_LEVELS: readonly LogLevel[] = [
  'fatal',
  'error',
  'warn',
  'info',
  'debug',
  'trace',
  'silent',
];
const ROLES: readonly ProcessRole[] = ['api', 'worker', 'all'];

export function loadConfig(env: Env = process.env, overrides: Partial<AppConfig> = {}): AppConfig {
  const problems: string[] = [];
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!/^\d+$/.test(raw.trim()) || value < min || value > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
      return fallback;
    }
    return value;
  };
  const oneOf = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    if ((allowed as readonly string[]).includes(raw)) return raw as T;
    problems.push(`${name} must be one of ${allowed.join(', ')} (got "${raw}")`);
    return fallback;
  };

  const databaseUrl = env.DATABASE_URL?.trim() || null;
  if (databaseUrl !== null && !isPostgresUrl(databaseUrl)) {
    problems.push('DATABASE_URL must be a postgres:// or postgresql:// URL');
  }
  // Kept exactly as given (not trimmed): it must then authenticate as a bearer token does.
  const bootstrapApiKey = env.BOOTSTRAP_API_KEY || null;
  if (bootstrapApiKey !== null && !looksLikeKey(bootstrapApiKey)) {
    problems.push(
      'BOOTSTRAP_API_KEY must be 24 to 256 visible ASCII characters, without spaces (a bearer token)',
    );
  }
  const host = env.HOST?.trim() || '0.0.0.0';
  if (!isHost(host)) {
    problems.push(`HOST must be an IP address or a host name (got "${env.HOST}")`);
  }
  const embeddedPort = env.EMBEDDED_PG_PORT ? int('EMBEDDED_PG_PORT', 0, 1024, 65535) : null;

  const statementTimeoutMs = int('DB_STATEMENT_TIMEOUT_MS', 60_000, 100, 86_400_000);
  const socketTimeoutMs = int(
    'DB_SOCKET_TIMEOUT_MS',
    statementTimeoutMs + 10_000,
    1_000,
    86_400_000 + 60_000,
  );
  if (socketTimeoutMs <= statementTimeoutMs) {
    problems.push(
      `DB_SOCKET_TIMEOUT_MS (${socketTimeoutMs}) must be longer than DB_STATEMENT_TIMEOUT_MS (${statementTimeoutMs}), or a slow query would count as a dead connection`,
    );
  }
  const trustProxy = parseTrustProxy(env.TRUST_PROXY, problems);
  const config: AppConfig = {
    port: int('PORT', 3000, 0, 65535),
    host,
    databaseUrl,
    dataDir: path.resolve(env.DATA_DIR?.trim() || './data'),
    embeddedPgPort: embeddedPort,
    bootstrapApiKey,
    logLevel: oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
    dbPoolSize: int('DB_POOL_SIZE', 10, 1, 500),
    dbConnectTimeoutMs: int('DB_CONNECT_TIMEOUT_MS', 5_000, 100, 600_000),
    dbStatementTimeoutMs: statementTimeoutMs,
    dbSocketTimeoutMs: socketTimeoutMs,
    bodyLimitBytes: int('BODY_LIMIT_BYTES', 16 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
    jsonMaxDepth: int('JSON_MAX_DEPTH', 32, 4, 1000),
    shutdownTimeoutMs: int('SHUTDOWN_TIMEOUT_MS', 10_000, 100, 600_000),
    role: oneOf('ROLE', ROLES, 'all'),
    jobExpireSeconds: int('JOB_EXPIRE_SECONDS', 60, 2, 86_400),
    jobMaintenanceSeconds: int('JOB_MAINTENANCE_SECONDS', 30, 1, 3_600),
    portfolioChunkSize: int('PORTFOLIO_CHUNK_SIZE', 250, 1, 100_000),
    workerConcurrency: int('WORKER_CONCURRENCY', 2, 1, 64),
    ingestThreads: int('INGEST_THREADS', defaultThreads(), 0, 64),
    ingestOnCallerThread: false,
    ratingThreads: int('RATING_THREADS', defaultThreads(), 0, 64),
    rateThreads: int('RATE_THREADS', defaultThreads(), 0, 64),
    snapshotMaxAgeDays: int('SNAPSHOT_MAX_AGE_DAYS', 90, 0, 36_500),
    rateLimitPerSecond: int('RATE_LIMIT_PER_SECOND', 100, 0, 1_000_000),
    rateLimitBurst: int('RATE_LIMIT_BURST', 200, 1, 1_000_000),
    maxInFlightRequests: int('MAX_IN_FLIGHT_REQUESTS', 256, 0, 1_000_000),
    authFailuresPerMinute: int('AUTH_FAILURES_PER_MINUTE', 20, 0, 1_000_000),
    trustProxy,
    // Below the 120 s in which a whole request must arrive (app.factory.ts requestTimeout):
    // past that, Node answers a stalled body itself, with less to say.
    httpIdleTimeoutMs: int('HTTP_IDLE_TIMEOUT_MS', 30_000, 1_000, 110_000),
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return { ...config, ...overrides };
}

const PROXY_RANGES = ['loopback', 'linklocal', 'uniquelocal'];

/**
 * TRUST_PROXY: unset trusts no proxy; else a comma-separated list of the proxies' addresses, CIDR
 * ranges and named ranges. Checked here, because Fastify would only throw on a bad entry at its
 * first request. No hop count: Fastify no longer believes one (it cannot tell a proxy from a
 * client that sends the header itself).
 */
function parseTrustProxy(raw: string | undefined, problems: string[]): false | string[] {
  const text = raw?.trim() ?? '';
  if (text === '') return false;
  const entries = text.split(',').map((entry) => entry.trim());
  const bad = entries.filter((entry) => !isProxyRange(entry));
  if (bad.length > 0) {
    problems.push(
      `TRUST_PROXY must be a comma-separated list of IP addresses, CIDR ranges and ${PROXY_RANGES.join(', ')} (not ${bad.map((entry) => `"${entry}"`).join(', ')})`,
    );
    return false;
  }
  return entries;
}

function isProxyRange(entry: string): boolean {
  if (PROXY_RANGES.includes(entry)) return true;
  const [address, prefix, extra] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || extra !== undefined) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

function isHost(value: string): boolean {
  if (isIP(value) !== 0) return true;
  // RFC 1123 host names: dot-separated labels of letters, digits and inner hyphens.
  return (
    value.length <= 253 &&
    /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)(?:\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))*$/.test(value) &&
    !/^[\d.]+$/.test(value)
  );
}

function isPostgresUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'postgres:' || url.protocol === 'postgresql:';
  } catch {
    return false;
  }
}

/** One fewer than the cores (the event loop and PostgreSQL need one), at least one. */
function defaultThreads(): number {
  return Math.max(1, os.availableParallelism() - 1);
}
