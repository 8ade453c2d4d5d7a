import os from 'node:os';
import path from 'node:path';

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
  /** Worker threads that rate portfolio-run chunks in a worker process (0: inline). */
  ratingThreads: number;
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
  const bootstrapApiKey = env.BOOTSTRAP_API_KEY?.trim() || null;
  if (bootstrapApiKey !== null && bootstrapApiKey.length < 24) {
    problems.push('BOOTSTRAP_API_KEY must be at least 24 characters long');
  }
  const embeddedPort = env.EMBEDDED_PG_PORT ? int('EMBEDDED_PG_PORT', 0, 1024, 65535) : null;

  const config: AppConfig = {
    port: int('PORT', 3000, 0, 65535),
    host: env.HOST?.trim() || '0.0.0.0',
    databaseUrl,
    dataDir: path.resolve(env.DATA_DIR?.trim() || './data'),
    embeddedPgPort: embeddedPort,
    bootstrapApiKey,
    logLevel: oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
    dbPoolSize: int('DB_POOL_SIZE', 10, 1, 500),
    dbConnectTimeoutMs: int('DB_CONNECT_TIMEOUT_MS', 5_000, 100, 600_000),
    dbStatementTimeoutMs: int('DB_STATEMENT_TIMEOUT_MS', 60_000, 100, 86_400_000),
    bodyLimitBytes: int('BODY_LIMIT_BYTES', 16 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
    jsonMaxDepth: int('JSON_MAX_DEPTH', 32, 4, 1000),
    shutdownTimeoutMs: int('SHUTDOWN_TIMEOUT_MS', 10_000, 100, 600_000),
    role: oneOf('ROLE', ROLES, 'all'),
    jobExpireSeconds: int('JOB_EXPIRE_SECONDS', 300, 2, 86_400),
    jobMaintenanceSeconds: int('JOB_MAINTENANCE_SECONDS', 30, 1, 3_600),
    portfolioChunkSize: int('PORTFOLIO_CHUNK_SIZE', 250, 1, 100_000),
    workerConcurrency: int('WORKER_CONCURRENCY', 2, 1, 64),
    ingestThreads: int('INGEST_THREADS', defaultThreads(), 0, 64),
    ratingThreads: int('RATING_THREADS', defaultThreads(), 0, 64),
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return { ...config, ...overrides };
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
