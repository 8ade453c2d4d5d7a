import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { freePort } from '../src/database/embedded-postgres.js';
import { exitOf, runCli, startServerProcess } from './support/processes.js';
import { exampleTable, snapshotFor } from './support/fixtures.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import {
  createTestDatabase,
  databaseUrl,
  dropTestDatabase,
  withAdminClient,
} from './support/test-database.js';

describe('the server process', () => {
  it('starts on an embedded PostgreSQL, and a second start reuses its data', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssu-start-'));
    const key = 'bootstrap-key-for-the-start-test-0001';
    try {
      const first = await startServerProcess({
        PORT: String(await freePort()),
        DATA_DIR: dataDir,
        BOOTSTRAP_API_KEY: key,
      });
      const created = await fetch(`${first.url}/v1/partners`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'survives restarts' }),
      });
      expect(created.status).toBe(201);
      first.child.kill('SIGTERM');
      expect(await exitOf(first.child)).toBe(0);

      const second = await startServerProcess({
        PORT: String(await freePort()),
        DATA_DIR: dataDir,
        BOOTSTRAP_API_KEY: key,
      });
      const list = await fetch(`${second.url}/v1/partners`, {
        headers: { authorization: `Bearer ${key}` },
      });
      expect(
        ((await list.json()) as { items: { name: string }[] }).items.map((p) => p.name),
      ).toEqual(['survives restarts']);
      second.child.kill('SIGTERM');
      expect(await exitOf(second.child)).toBe(0);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 90_000);

  it('stops its embedded PostgreSQL when it cannot start (a port in use), so a retry starts', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssu-busy-port-'));
    const taken = http.createServer();
    const port = await freePort();
    await new Promise<void>((resolve) => taken.listen(port, '127.0.0.1', resolve));
    const postmasterPid = path.join(dataDir, 'pg', 'postmaster.pid');
    try {
      const failed = spawn(process.execPath, ['dist/src/main.js'], {
        env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir },
        stdio: 'ignore',
      });
      expect(await exitOf(failed)).toBe(1);
      // A running cluster keeps postmaster.pid; a stopped one removes it.
      expect(fs.existsSync(postmasterPid)).toBe(false);
      await new Promise((resolve) => taken.close(resolve));
      const retry = await startServerProcess({ PORT: String(port), DATA_DIR: dataDir });
      retry.child.kill('SIGTERM');
      expect(await exitOf(retry.child)).toBe(0);
    } finally {
      if (taken.listening) taken.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 90_000);

  it("stops the CLI's embedded PostgreSQL after help and usage errors too", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssu-cli-exits-'));
    const postmasterPid = path.join(dataDir, 'pg', 'postmaster.pid');
    const env = { DATABASE_URL: '', DATA_DIR: dataDir };
    try {
      const outcomes = [];
      for (const args of [['--help'], ['import', '--help'], ['bogus'], ['import']]) {
        const run = await runCli(args, env);
        // commander used to end these with process.exit, past the CLI's database stop.
        outcomes.push({ args, code: run.code, running: fs.existsSync(postmasterPid) });
        if (args[0] === 'bogus') {
          expect(run.stderr.match(/unknown command 'bogus'/g)).toHaveLength(1);
        }
        if (args[0] === 'import' && args.length === 1) {
          expect(run.stderr).toContain("missing required argument 'source'");
        }
      }
      expect(outcomes).toEqual([
        { args: ['--help'], code: 0, running: false },
        { args: ['import', '--help'], code: 0, running: false },
        { args: ['bogus'], code: 1, running: false },
        { args: ['import'], code: 1, running: false },
      ]);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 90_000);

  it('changes no schema for help or a usage error, and migrates for a command', async () => {
    const name = `ssu_help_${process.pid}`;
    await withAdminClient((client) => client.query(`CREATE DATABASE ${name}`));
    const env = { DATABASE_URL: databaseUrl(name) };
    const tables = async () => {
      const { Client } = (await import('pg')).default;
      const client = new Client({ connectionString: env.DATABASE_URL });
      await client.connect();
      try {
        const { rows } = await client.query(
          `SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'`,
        );
        return rows[0].n as number;
      } finally {
        await client.end();
      }
    };
    try {
      for (const args of [['--help'], ['import', '--help'], []]) {
        const run = await runCli(args, env);
        // Without a command, commander prints the help as an error (stderr, exit 1).
        expect(run.stdout + run.stderr).toContain('Usage: cli');
      }
      for (const args of [['bogus'], ['import'], ['import', '--batch-size', '0', 'x']]) {
        expect((await runCli(args, env)).code).toBe(1);
      }
      expect(await tables()).toBe(0);
      const check = await runCli(['migrate:check'], env);
      expect(check.code).toBe(0);
      expect(await tables()).toBeGreaterThan(0);
    } finally {
      await withAdminClient((client) =>
        client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
      );
    }
  }, 60_000);

  // As root only: embedded PostgreSQL then runs as the OS user "postgres" (not as the caller).
  (process.getuid?.() === 0 ? it : it.skip)(
    'refuses, naming the folder, an embedded cluster the postgres OS user cannot reach',
    async () => {
      const { spawnSync } = await import('node:child_process');
      const privateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssu-private-'));
      try {
        fs.chmodSync(privateDir, 0o700);
        const result = spawnSync(process.execPath, ['dist/src/main.js'], {
          env: {
            ...process.env,
            DATABASE_URL: '',
            DATA_DIR: path.join(privateDir, 'data'),
            PORT: String(await freePort()),
          },
          encoding: 'utf8',
          timeout: 60_000,
        });
        expect(result.status).toBe(1);
        expect(result.stderr).toContain(`cannot enter ${privateDir} (mode 700)`);
        expect(result.stderr).toContain(`chmod o+x ${privateDir}`);
        expect(fs.existsSync(path.join(privateDir, 'data', 'pg'))).toBe(false);
      } finally {
        fs.rmSync(privateDir, { recursive: true, force: true });
      }
    },
    90_000,
  );

  it('starts one embedded cluster after another in one process (as the benchmarks do)', async () => {
    const { spawnSync } = await import('node:child_process');
    const dirs = [0, 1].map(() => fs.mkdtempSync(path.join(os.tmpdir(), 'ssu-two-')));
    try {
      const script = `
        import { startEmbeddedPostgres } from './dist/src/database/embedded-postgres.js';
        import pg from 'pg';
        for (const dataDir of ${JSON.stringify(dirs)}) {
          const db = await startEmbeddedPostgres({ dataDir, port: null });
          const client = new pg.Client({ connectionString: db.url });
          await client.connect();
          await client.query('SELECT 1');
          await client.end();
          await db.stop();
        }`;
      const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
    } finally {
      for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ LOG_LEVEL: 'chatty' }, 'LOG_LEVEL'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ DB_POOL_SIZE: '0' }, 'DB_POOL_SIZE'],
    [{ BODY_LIMIT_BYTES: '-5' }, 'BODY_LIMIT_BYTES'],
    [{ BOOTSTRAP_API_KEY: 'short' }, 'BOOTSTRAP_API_KEY'],
    // It would start, and never authenticate: a bearer token has no spaces.
    [{ BOOTSTRAP_API_KEY: 'my bootstrap key with spaces 12345' }, 'BOOTSTRAP_API_KEY'],
    [{ BOOTSTRAP_API_KEY: 'k'.repeat(300) }, 'BOOTSTRAP_API_KEY'],
    [{ HOST: '999.999.1.1' }, 'HOST'],
    [{ RATE_LIMIT_PER_SECOND: 'lots' }, 'RATE_LIMIT_PER_SECOND'],
    [{ ROLE: 'api', argv: '--role=cook' }, 'ROLE'],
  ])('refuses to start with %j, naming the setting', async (env, name) => {
    const { spawnSync } = await import('node:child_process');
    const { argv, ...settings } = env as Record<string, string>;
    const result = spawnSync(process.execPath, ['dist/src/main.js', ...(argv ? [argv] : [])], {
      env: { ...process.env, ...settings },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.status).toBe(78);
    expect(result.stderr).toContain(name);
  });

  describe('on an external database', () => {
    let databaseUrl: string;
    beforeAll(async () => {
      databaseUrl = await createTestDatabase();
    });
    afterAll(async () => {
      await dropTestDatabase(databaseUrl);
    });

    it('says in one line which database setting to check when it cannot start on it (exit 69)', async () => {
      const { spawnSync } = await import('node:child_process');
      const start = (url: string) =>
        spawnSync(process.execPath, ['dist/src/main.js'], {
          env: { ...process.env, DATABASE_URL: url, PORT: '0' },
          encoding: 'utf8',
          timeout: 30_000,
        });
      const missing = new URL(databaseUrl);
      missing.pathname = '/no_such_database_here';
      for (const [url, says] of [
        [missing.toString(), 'the database DATABASE_URL names does not exist'],
        ['postgres://postgres:hunter2secret@127.0.0.1:1/x', 'the database cannot be reached'],
      ]) {
        const result = start(url);
        expect(result.status).toBe(69);
        expect(result.stderr).toContain(`Start-up failed: ${says}`);
        expect(result.stderr).not.toMatch(/^\s+at /m);
        expect(result.stderr).not.toContain('hunter2secret');
      }
    });

    /**
     * POSTs `body` in two parts with SIGTERM between them, so the request is in flight (its
     * body still arriving) during the shutdown. Resolves with its status and when it ended.
     */
    const postAcrossSigterm = (options: {
      server: { child: ChildProcess };
      port: number;
      key: string;
      path: string;
      body: string;
      sentBeforeSigterm: number;
      agent?: http.Agent;
    }) =>
      new Promise<{ status: number; answeredAt: number }>((resolve, reject) => {
        const { server, port, key, path: url, body, sentBeforeSigterm, agent } = options;
        const request = http.request(
          {
            host: '127.0.0.1',
            port,
            method: 'POST',
            path: url,
            agent,
            headers: {
              authorization: `Bearer ${key}`,
              'content-type': 'application/json',
              'content-length': Buffer.byteLength(body),
            },
          },
          (res) => {
            res.resume();
            res.on('end', () => resolve({ status: res.statusCode ?? 0, answeredAt: Date.now() }));
          },
        );
        request.on('error', reject);
        request.write(body.slice(0, sentBeforeSigterm));
        setTimeout(() => server.child.kill('SIGTERM'), 200);
        setTimeout(() => request.end(body.slice(sentBeforeSigterm)), 800);
      });

    it('finishes an in-flight request on SIGTERM, then exits 0', async () => {
      const port = await freePort();
      const key = 'bootstrap-key-for-the-drain-test-0001';
      const server = await startServerProcess({
        PORT: String(port),
        DATABASE_URL: databaseUrl,
        BOOTSTRAP_API_KEY: key,
      });
      const response = await postAcrossSigterm({
        server,
        port,
        key,
        path: '/v1/partners',
        body: JSON.stringify({ name: 'slow upload' }),
        sentBeforeSigterm: 5,
      });
      expect(response.status).toBe(201);
      expect(await exitOf(server.child)).toBe(0);
    }, 60_000);

    it('ingests a snapshot whose body arrives after SIGTERM, then closes its keep-alive socket and exits', async () => {
      const port = await freePort();
      const key = 'bootstrap-key-for-the-ingest-drain-01';
      const server = await startServerProcess({
        PORT: String(port),
        DATABASE_URL: databaseUrl,
        BOOTSTRAP_API_KEY: key,
        INGEST_THREADS: '1',
      });
      // The ingest threads are started on first use: warm, they are the ones a shutdown ends.
      const warm = await fetch(`http://127.0.0.1:${port}/v1/secure-scores?backfill=true`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify(snapshotFor('drain-warm-up')),
      });
      expect(warm.status).toBe(201);
      const agent = new http.Agent({ keepAlive: true });
      try {
        // The body reaches the ingest threads only after SIGTERM: they must still be there.
        const response = await postAcrossSigterm({
          server,
          port,
          key,
          path: '/v1/secure-scores?backfill=true',
          body: JSON.stringify(snapshotFor('drain-after-sigterm')),
          sentBeforeSigterm: 1_000,
          agent,
        });
        expect(response.status).toBe(201);
        // The socket stays open on the client's side (keep-alive): the server must close it
        // rather than wait out its keepAliveTimeout (5 s) before it can exit.
        expect(await exitOf(server.child)).toBe(0);
        expect(Date.now() - response.answeredAt).toBeLessThan(2_500);
      } finally {
        agent.destroy();
      }
    }, 60_000);

    it('ingests on its ingest threads exactly as the inline path answers', async () => {
      const port = await freePort();
      const key = 'bootstrap-key-for-the-ingest-threads-01';
      const server = await startServerProcess({
        PORT: String(port),
        DATABASE_URL: databaseUrl,
        BOOTSTRAP_API_KEY: key,
        INGEST_THREADS: '2',
      });
      const inline = await createTestApp({ ingestThreads: 0 });
      try {
        const bad = snapshotFor('threads-bad');
        bad.controlScores[3].score = -1;
        delete bad.controlScores[5].controlName;
        const bodies = [
          JSON.stringify(snapshotFor('threads-0')),
          JSON.stringify(snapshotFor('threads-0')), // a duplicate: 200
          JSON.stringify(bad),
          '{"azureTenantId": "x", "azureTenantId": "y"}',
          '{"value": [',
          '',
          Buffer.from([...Buffer.from(JSON.stringify(snapshotFor('threads-latin1'))), 0xfc]),
        ];
        const { viaThreads, viaInline } = postBoth(port, key, inline, '/v1/secure-scores');
        for (const body of bodies) expect(await viaThreads(body)).toEqual(await viaInline(body));
        expect((await viaThreads(bodies[0])).status).toBe(200);
        expect((await viaThreads(bodies[2])).status).toBe(422);
        // Many at once across both threads: every one stored, none lost.
        const many = await Promise.all(
          Array.from({ length: 24 }, (_, i) =>
            viaThreads(JSON.stringify(snapshotFor(`threads-${i + 1}`))),
          ),
        );
        expect(many.map((r) => r.status)).toEqual(Array(24).fill(201));
        // The Idempotency-Key fingerprint is taken before the body's bytes move to a thread
        // (taken after, every body of 4 KB or more would hash as empty, and any would replay).
        const keyed = async (body: string) => {
          const response = await fetch(`http://127.0.0.1:${port}/v1/secure-scores`, {
            method: 'POST',
            headers: {
              authorization: `Bearer ${key}`,
              'content-type': 'application/json',
              'idempotency-key': 'threads-keyed-0001',
            },
            body,
          });
          return [response.status, response.headers.get('idempotent-replayed')];
        };
        const keyedBody = JSON.stringify(snapshotFor('threads-keyed'));
        expect(await keyed(keyedBody)).toEqual([201, null]);
        expect(await keyed(keyedBody)).toEqual([201, 'true']);
        expect(await keyed(JSON.stringify(snapshotFor('threads-keyed-other')))).toEqual([
          422,
          null,
        ]);
      } finally {
        server.child.kill('SIGTERM');
        await exitOf(server.child);
        await inline.close();
      }
    }, 60_000);

    it('rates on its rate threads exactly as the inline path answers', async () => {
      const port = await freePort();
      const key = 'bootstrap-key-for-the-rate-threads-001';
      const server = await startServerProcess({
        PORT: String(port),
        DATABASE_URL: databaseUrl,
        BOOTSTRAP_API_KEY: key,
        RATE_THREADS: '2',
      });
      const inline = await createTestApp({ rateThreads: 0 });
      try {
        const table = { ...exampleTable(), effectiveFrom: '2024-01-01' };
        const request = (snapshot: unknown, extra: Record<string, unknown> = {}) =>
          JSON.stringify({ snapshot, table, asOf: '2024-01-20T00:00:00Z', ...extra });
        const bad = snapshotFor('rate-threads-bad');
        bad.controlScores[3].score = -1;
        delete bad.controlScores[5].controlName;
        const bodies = [
          request(snapshotFor('rate-threads-0'), { industry: 'healthcare' }),
          request(snapshotFor('rate-threads-0'), { table: { name: 'no-such-table' } }),
          request(bad, { asOf: 'yesterday' }),
          request(snapshotFor('rate-threads-0')).replace('"asOf"', '"snapshot": {}, "asOf"'),
          '{"snapshot": [',
          '"\\ud800"',
          '',
          Buffer.from([...Buffer.from(request(snapshotFor('rate-threads-0'))), 0xfc]),
        ];
        const { viaThreads, viaInline } = postBoth(port, key, inline, '/v1/rate');
        // The pool starts its threads on first use: two more in the process once it has rated.
        const threads = () =>
          Number(
            /^Threads:\s+(\d+)/m.exec(
              fs.readFileSync(`/proc/${server.child.pid}/status`, 'utf8'),
            )![1],
          );
        const idle = threads();
        for (const body of bodies) expect(await viaThreads(body)).toEqual(await viaInline(body));
        expect(threads()).toBeGreaterThanOrEqual(idle + 2);
        expect((await viaThreads(bodies[0])).body).toMatchObject({ index: '70.59', tier: 'B' });
        expect((await Promise.all(bodies.map(viaThreads))).map((r) => r.status)).toEqual([
          200, 422, 422, 400, 400, 400, 400, 400,
        ]);
        // Many at once across both threads: each answered with its own rating.
        const many = await Promise.all(
          Array.from({ length: 24 }, (_, i) => {
            const snapshot = snapshotFor(`rate-threads-${i}`);
            // Two ratings, told apart by their index: AdminMFAV2 weighs most in the table, and its
            // scoreInPercentage is its adoption.
            const adminMfa = snapshot.controlScores.find(
              (c: { controlName: string }) => c.controlName === 'AdminMFAV2',
            );
            adminMfa.scoreInPercentage = i % 2 === 0 ? 0 : 100;
            return viaThreads(request(snapshot));
          }),
        );
        expect(many.map((r) => (r.body as { snapshot: { id: string } }).snapshot.id)).toEqual(
          Array.from({ length: 24 }, (_, i) => `rate-threads-${i}_2024-01-01`),
        );
        expect(new Set(many.map((r) => (r.body as { index: string }).index)).size).toBe(2);
      } finally {
        server.child.kill('SIGTERM');
        await exitOf(server.child);
        await inline.close();
      }
    }, 60_000);

    it('runs the CLI: migrate, migrate:check and keys:create', async () => {
      const env = { DATABASE_URL: databaseUrl };
      const migrate = await runCli(['migrate'], env);
      expect(migrate.code).toBe(0);
      expect(migrate.stdout).toContain('Foundation1764345600000');

      const check = await runCli(['migrate:check'], env);
      expect([check.code, check.stdout]).toEqual([0, 'Entities and migrations agree.\n']);

      const created = await runCli(['keys:create', '--role', 'underwriter', '--name', 'cli'], env);
      expect(created.code).toBe(0);
      expect(JSON.parse(created.stdout)).toMatchObject({
        role: 'underwriter',
        key: expect.stringMatching(/^ssk_/),
      });

      const orphan = await runCli(['keys:create', '--role', 'partner'], env);
      expect(orphan.code).toBe(1);
      expect(orphan.stderr).toContain('  --partner: ');

      const badRole = await runCli(['keys:create', '--role', 'root'], env);
      expect(badRole.code).not.toBe(0);

      // The name and partner as POST /v1/api-keys checks them.
      for (const [options, message] of [
        [['--name', ''], '--name must be 1 to 200 characters'],
        [['--name', 'x'.repeat(201)], '--name must be 1 to 200 characters'],
        [['--partner', 'xyz'], '--partner must be a UUID'],
      ] as const) {
        const refused = await runCli(['keys:create', '--role', 'underwriter', ...options], env);
        expect([refused.code, refused.stderr]).toEqual([1, expect.stringContaining(message)]);
      }
    }, 60_000);
  });
});

/**
 * POSTs a body, as sent, to `url` of the server process on `port` (with `key`) and of the
 * in-process app `inline`, each answer reduced to what the two can share (`comparable`).
 */
function postBoth(port: number, key: string, inline: TestApp, url: string) {
  return {
    viaThreads: async (body: string | Buffer) => {
      const response = await fetch(`http://127.0.0.1:${port}${url}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body,
      });
      return comparable(response.status, await response.json());
    },
    viaInline: async (body: string | Buffer) => {
      const response = await inline.request({
        method: 'POST',
        url,
        rawBody: body,
        headers: { 'content-type': 'application/json' },
      });
      return comparable(response.status, response.body);
    },
  };
}

/** A response without what differs between two databases (ids, request ids). */
function comparable(status: number, body: any): { status: number; body: unknown } {
  const rest = { ...(body ?? {}) };
  delete rest.requestId;
  const withoutIds = JSON.parse(
    JSON.stringify(rest).replace(/"(id|clientTenantId)":"[0-9a-f-]{36}"/g, '"$1":"<uuid>"'),
  );
  return { status, body: withoutIds };
}
