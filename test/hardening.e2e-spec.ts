import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { gzipSync } from 'node:zlib';
import pg from 'pg';
import { pino } from 'pino';
import { exampleTable, snapshotFor } from './support/fixtures.js';
import { createApiKey, createTestApp, TestApp } from './support/test-app.js';
import { TcpProxy } from './support/tcp-proxy.js';

const BODY_LIMIT = 64 * 1024;

async function partnerCount(t: TestApp): Promise<number> {
  const client = new pg.Client({ connectionString: t.databaseUrl });
  await client.connect();
  try {
    return Number((await client.query('SELECT count(*) FROM partners')).rows[0].count);
  } finally {
    await client.end();
  }
}

describe('hardened JSON input on every route', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ bodyLimitBytes: BODY_LIMIT });
  });
  afterAll(async () => {
    await t.close();
  });

  const post = (rawBody: string | Buffer, contentType = 'application/json') =>
    t.request({
      method: 'POST',
      url: '/v1/partners',
      rawBody,
      headers: { 'content-type': contentType },
    });

  it.each([
    ['truncated JSON', '{"name": "a"', 400],
    ['a trailing comma', '{"name": "a",}', 400],
    ['a NaN literal', '{"name": NaN}', 400],
    ['single quotes', "{'name': 'a'}", 400],
    ['a duplicate key', '{"name": "a", "name": "b"}', 400],
    ['a __proto__ key', '{"name": "a", "__proto__": {"polluted": true}}', 400],
    ['a nested constructor key', '{"name": "a", "x": {"constructor": {"prototype": {}}}}', 400],
    ['a number overflowing to Infinity', '{"name": "a", "n": 1e400}', 400],
    ['nesting deeper than the limit', `{"name": ${'['.repeat(20_000)}${']'.repeat(20_000)}}`, 400],
    ['an array root', '[{"name": "a"}]', 422],
    ['a null root', 'null', 422],
    ['a string root', '"a"', 422],
    ['a number as the name', '{"name": 5}', 422],
  ])('answers %s with a problem document and stores nothing', async (_case, body, status) => {
    const before = await partnerCount(t);
    const response = await post(body);
    expect(response.status).toBe(status);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({
      status,
      type: expect.any(String),
      title: expect.any(String),
    });
    expect(await partnerCount(t)).toBe(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('names the pointer of a duplicate key', async () => {
    const response = await post('{"name": "a", "name": "b"}');
    expect(response.body.errors).toEqual([
      { pointer: '/name', message: expect.stringContaining('more than once') },
    ]);
  });

  it.each([
    ['text/plain', '{"name": "a"}'],
    ['application/x-www-form-urlencoded', 'name=a'],
    [
      'multipart/form-data; boundary=x',
      '--x\r\nContent-Disposition: form-data; name="name"\r\n\r\na\r\n--x--',
    ],
  ])('answers 415 to %s', async (contentType, body) => {
    const response = await post(body, contentType);
    expect(response.status).toBe(415);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it.each([
    ['/v1/partners', '{"name":"a"}'],
    ['/v1/secure-scores', JSON.stringify(snapshotFor('no-content-type'))],
  ])('answers 415 to a body without a content type on %s', async (url, rawBody) => {
    const response = await t.request({ method: 'POST', url, rawBody });
    expect(response.status).toBe(415);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('accepts application/problem+json-style and charset variants of JSON', async () => {
    const response = await post('{"name": "charset partner"}', 'application/json; charset=utf-8');
    expect(response.status).toBe(201);
  });

  it('answers 413 over a real socket instead of resetting the connection', async () => {
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = t.app.getHttpServer().address() as net.AddressInfo;
    const body = Buffer.from(JSON.stringify({ name: 'x'.repeat(BODY_LIMIT * 4) }));
    const result = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const request = http.request(
        {
          port,
          host: '127.0.0.1',
          method: 'POST',
          path: '/v1/partners',
          headers: {
            'content-type': 'application/json',
            'content-length': body.length,
            authorization: `Bearer ${t.adminKey}`,
          },
        },
        (response) => {
          let text = '';
          response.on('data', (chunk: Buffer) => (text += chunk.toString()));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
        },
      );
      request.on('error', reject);
      request.end(body);
    });
    expect(result.status).toBe(413);
    expect(JSON.parse(result.text)).toMatchObject({ status: 413 });
  });
});

describe('database outages', () => {
  let t: TestApp;
  let proxy: TcpProxy;
  beforeAll(async () => {
    const { createTestDatabase } = await import('./support/test-database.js');
    const direct = new URL(await createTestDatabase());
    proxy = new TcpProxy(direct.hostname, Number(direct.port));
    const proxied = new URL(direct.toString());
    proxied.port = String(await proxy.start());
    const { createHttpApp } = await import('../src/app.factory.js');
    const { loadConfig } = await import('../src/config/app-config.js');
    const config = loadConfig({}, { logLevel: 'silent', dbConnectTimeoutMs: 1_000, dbPoolSize: 4 });
    const app = await createHttpApp(config, proxied.toString(), { skipMigrations: true });
    t = {
      app,
      config,
      databaseUrl: direct.toString(),
      adminKey: '',
      request: async ({ url }) => {
        const response = await app.inject({ method: 'GET', url });
        return {
          status: response.statusCode,
          headers: response.headers,
          body: response.json(),
          text: response.body,
        };
      },
      close: async () => {
        await app.close();
        const { dropTestDatabase } = await import('./support/test-database.js');
        await dropTestDatabase(direct.toString());
      },
    };
  });
  afterAll(async () => {
    await t.close();
    await proxy.cut();
  });

  it('answers 503 while the database is down and recovers within seconds', async () => {
    expect((await t.request({ method: 'GET', url: '/health/ready' })).status).toBe(200);
    await proxy.cut();
    const down = await Promise.all(
      Array.from({ length: 8 }, () => t.request({ method: 'GET', url: '/health/ready' })),
    );
    for (const response of down) {
      expect(response.status).toBe(503);
      expect(response.headers['retry-after']).toBeDefined();
      expect(response.body).toMatchObject({ status: 503 });
    }
    await proxy.restore();
    const started = Date.now();
    let status = 0;
    while (Date.now() - started < 10_000) {
      status = (await t.request({ method: 'GET', url: '/health/ready' })).status;
      if (status === 200) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(status).toBe(200);
  });

  it('survives its connections being terminated by the server', async () => {
    for (let round = 0; round < 3; round++) {
      await Promise.all(
        Array.from({ length: 4 }, () => t.request({ method: 'GET', url: '/health/ready' })),
      );
      const admin = new pg.Client({ connectionString: t.databaseUrl });
      await admin.connect();
      await admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
         WHERE datname = current_database() AND pid <> pg_backend_pid()`,
      );
      await admin.end();
      const during = await t.request({ method: 'GET', url: '/health/ready' });
      expect([200, 503]).toContain(during.status);
    }
    const started = Date.now();
    let status = 0;
    while (Date.now() - started < 10_000 && status !== 200) {
      status = (await t.request({ method: 'GET', url: '/health/ready' })).status;
    }
    expect(status).toBe(200);
  });

  it('fails a query on a connection gone silent (half open) with a 503, and replaces it', async () => {
    // One pooled connection, which the proxy then stops forwarding without closing it: a
    // failover or partition seen from the client. The query must not wait for TCP to give up.
    const direct = new URL(t.databaseUrl);
    const silentProxy = new TcpProxy(direct.hostname, Number(direct.port));
    const url = new URL(t.databaseUrl);
    url.port = String(await silentProxy.start());
    const { createHttpApp } = await import('../src/app.factory.js');
    const { loadConfig } = await import('../src/config/app-config.js');
    const config = loadConfig(
      {},
      {
        logLevel: 'silent',
        role: 'all',
        ingestThreads: 0,
        ratingThreads: 0,
        rateThreads: 0,
        dbPoolSize: 1,
        dbStatementTimeoutMs: 300,
        dbSocketTimeoutMs: 1_000,
      },
    );
    const app = await createHttpApp(config, url.toString(), { skipMigrations: true });
    const ready = async () => {
      const started = Date.now();
      let timer: NodeJS.Timeout | undefined;
      const response = await Promise.race([
        app.inject({ method: 'GET', url: '/health/ready' }),
        new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), 10_000))),
      ]);
      clearTimeout(timer);
      return { status: response?.statusCode ?? 'no answer in 10 s', ms: Date.now() - started };
    };
    try {
      expect((await ready()).status).toBe(200);
      silentProxy.blackhole();
      const silent = await ready();
      expect(silent).toEqual({ status: 503, ms: expect.any(Number) });
      expect(silent.ms).toBeLessThan(3_000);
      // The only pool slot was the dead connection's: it must have been given back.
      expect((await ready()).status).toBe(200);
    } finally {
      // The job queue's connections went silent too (role all): its stop must not wait on them.
      const closed = app.close();
      const inTime = await Promise.race([
        closed.then(() => true),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 5_000).unref()),
      ]);
      // Resets whatever is still open, so that a close stuck on a silent connection ends too.
      await silentProxy.cut();
      await closed;
      expect(inTime).toBe(true);
    }
  }, 30_000);

  it('starts the job queue on the next call after a start the database refused', async () => {
    const { JobQueue } = await import('../src/portfolio-runs/job-queue.js');
    const direct = new URL(t.databaseUrl);
    const queueProxy = new TcpProxy(direct.hostname, Number(direct.port));
    const url = new URL(t.databaseUrl);
    url.port = String(await queueProxy.start());
    const queue = new JobQueue(t.config, url.toString());
    try {
      await queueProxy.cut();
      await expect(queue.start(false)).rejects.toThrow();
      await queueProxy.restore();
      await expect(queue.start(false)).resolves.toBeDefined();
    } finally {
      await queue.onApplicationShutdown();
      await queueProxy.cut();
    }
  });

  it('takes a transaction whose backend was terminated between two queries for an outage', async () => {
    // TypeORM releases the query runner when its connection fails, so the transaction's next
    // query throws QueryRunnerAlreadyReleasedError rather than the driver's error: it must
    // answer 503, not 500.
    const { DataSource } = await import('typeorm');
    const { isDatabaseUnavailable } = await import('../src/common/errors/database-errors.js');
    const dataSource = t.app.get(DataSource);
    const failure = await dataSource
      .transaction(async (manager) => {
        const [{ pid }] = await manager.query<{ pid: number }[]>('SELECT pg_backend_pid() AS pid');
        const admin = new pg.Client({ connectionString: t.databaseUrl });
        await admin.connect();
        await admin.query('SELECT pg_terminate_backend($1)', [pid]);
        await admin.end();
        const started = Date.now();
        while (!manager.queryRunner!.isReleased && Date.now() - started < 5_000) {
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        await manager.query('SELECT 1');
      })
      .then(
        () => null,
        (error: unknown) => error as Error,
      );
    expect(failure?.name).toMatch(/^QueryRunner(Provider)?AlreadyReleasedError$/);
    expect(isDatabaseUnavailable(failure)).toBe(true);
  });
});

describe('input outside a well-formed JSON body', () => {
  let t: TestApp;
  let clientTenantId: string;
  const logLines: string[] = [];
  beforeAll(async () => {
    const logger = pino({ level: 'debug' }, { write: (line: string) => void logLines.push(line) });
    t = await createTestApp({ logLevel: 'debug' }, { logger });
    const stored = await t.request({
      method: 'POST',
      url: '/v1/secure-scores',
      body: snapshotFor('outside-the-body'),
    });
    clientTenantId = stored.body.snapshots[0].clientTenantId;
  });
  afterAll(async () => {
    await t.close();
  });

  const expectProblem = (
    response: { status: number; headers: Record<string, unknown>; body: any },
    status: number,
  ) => {
    expect(response.status).toBe(status);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({
      status,
      type: expect.stringMatching(/^urn:securescore:problem:/),
    });
  };

  it.each([
    ['POST', '/v1/partners', '{"name":"a\\ud800"}'],
    ['POST', '/v1/api-keys', '{"name":"a\\udc00b","role":"admin"}'],
    ['PATCH', '/v1/client-tenants/{id}', '{"name":"x\\ud83d"}'],
    ['POST', '/v1/control-profiles', '[{"id":"AdminMFAV2","title":"\\ude00"}]'],
    ['POST', '/v1/weighting-tables', '{"name":"t","description":"\\ud800"}'],
    ['POST', '/v1/rate', '{"snapshot":{},"table":{"name":"\\ud800"}}'],
  ] as const)(
    'answers 400 to a lone surrogate escape on %s %s, and stores nothing',
    async (method, url, rawBody) => {
      const before = await t.request({ method: 'GET', url: '/v1/partners' });
      const response = await t.request({
        method,
        url: url.replace('{id}', clientTenantId),
        rawBody,
        headers: { 'content-type': 'application/json' },
      });
      expectProblem(response, 400);
      expect(response.body.detail).toContain('lone surrogate');
      expect((await t.request({ method: 'GET', url: '/v1/partners' })).body).toEqual(before.body);
    },
  );

  it.each(['"x\\ud800"', '"x\\0"'])(
    'answers 400 to a YAML table whose description escapes %s, and creates nothing',
    async (escaped) => {
      const response = await t.request({
        method: 'POST',
        url: '/v1/weighting-tables',
        rawBody: `name: yaml-escape\nversion: '1'\ndescription: ${escaped}\n`,
        headers: { 'content-type': 'application/yaml' },
      });
      expectProblem(response, 400);
      expect(response.body.errors).toEqual([
        {
          pointer: '',
          message: expect.stringMatching(/^line 3, column 14: .*(NUL|lone surrogate)/),
        },
      ]);
      const versions = await t.request({
        method: 'GET',
        url: '/v1/weighting-tables/yaml-escape/versions',
      });
      expect(versions.body.items ?? []).toEqual([]);
    },
  );

  it('answers 400 to a Secure Score whose control description holds a lone surrogate', async () => {
    const body = JSON.stringify(snapshotFor('lone-surrogate')).replace(
      '"controlScores":[{',
      '"controlScores":[{"description":"x\\udc00y",',
    );
    expect(body).toContain('\\udc00');
    const response = await t.request({
      method: 'POST',
      url: '/v1/secure-scores',
      rawBody: body,
      headers: { 'content-type': 'application/json' },
    });
    expectProblem(response, 400);
    const tenants = await t.request({
      method: 'GET',
      url: '/v1/client-tenants?azureTenantId=lone-surrogate',
    });
    expect(tenants.body.items).toEqual([]);
  });

  // Decoded on the event loop (partners), or as bytes on a thread (the deferred routes).
  it.each([['/v1/partners'], ['/v1/secure-scores'], ['/v1/rate']])(
    'answers 400 to bytes that are not UTF-8 posted to %s instead of storing U+FFFD',
    async (url) => {
      const snapshot = JSON.stringify(snapshotFor('not-utf-8')).replace(
        '"id":',
        '"name":"a#","id":',
      );
      const [before, after] = snapshot.split('#');
      const response = await t.request({
        method: 'POST',
        url,
        rawBody: Buffer.from([...Buffer.from(before), 0xff, 0xfe, 0xc3, ...Buffer.from(after)]),
        headers: { 'content-type': 'application/json' },
      });
      expectProblem(response, 400);
      expect(response.body).toMatchObject({
        type: expect.stringMatching(/:bad-request$/),
        detail: 'The text is not valid UTF-8',
      });
      const tenants = await t.request({
        method: 'GET',
        url: '/v1/client-tenants?azureTenantId=not-utf-8',
      });
      expect(tenants.body.items).toEqual([]);
    },
  );

  it('refuses bytes that are not UTF-8 with one problem on every route, before its own checks', async () => {
    // A malformed Idempotency-Key and an unknown query member, which the ingest route's own
    // checks would answer first if the body reached it.
    const answers = [];
    for (const url of ['/v1/partners', '/v1/secure-scores?backfill=maybe', '/v1/rate']) {
      const response = await t.request({
        method: 'POST',
        url,
        rawBody: Buffer.from([0x7b, 0xff, 0x7d]),
        headers: { 'content-type': 'application/json', 'idempotency-key': 'not a key!' },
      });
      expectProblem(response, 400);
      const { type, title, status, detail, errors } = response.body;
      answers.push({ type, title, status, detail, errors });
    }
    expect(answers[0]).toMatchObject({ detail: 'The text is not valid UTF-8' });
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
  });

  it.each([['application/json; charset=iso-8859-1'], ['application/json;charset="utf-16"']])(
    'answers 415 to %s',
    async (contentType) => {
      const response = await t.request({
        method: 'POST',
        url: '/v1/partners',
        rawBody: '{"name":"latin"}',
        headers: { 'content-type': contentType },
      });
      expectProblem(response, 415);
    },
  );

  it('answers 415 to a compressed body instead of parsing its bytes', async () => {
    const response = await t.request({
      method: 'POST',
      url: '/v1/partners',
      rawBody: gzipSync('{"name":"zipped"}'),
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
    });
    expectProblem(response, 415);
    expect(response.body.detail).toContain('Content-Encoding');
  });

  it.each([
    ['/v1/client-tenants?azureTenantId=%00'],
    ['/v1/client-tenants?industry=a%00b'],
    ['/v1/weighting-tables/a%00b/versions'],
  ])('answers 400 to the NUL character in %s', async (url) => {
    expectProblem(await t.request({ method: 'GET', url }), 400);
  });

  it.each([
    ['a byte that is not UTF-8', '/v1/client-tenants/%FF', 400],
    ['an encoded surrogate', '/v1/client-tenants/%ED%A0%80', 400],
    ['a 5,000-character id', `/v1/client-tenants/${'x'.repeat(5_000)}`, 414],
    ['an overlong UTF-8 sequence in its query', '/v1/client-tenants?cursor=%c0%af', 400],
    ['an encoded surrogate in its query', '/v1/client-tenants?cursor=%ed%a0%80', 400],
    ['a bare % in its query', '/v1/client-tenants?limit=%', 400],
    ['a bad escape in its query', '/v1/client-tenants?industry=%zz', 400],
  ])(
    "answers a URL with %s with a problem document, not Fastify's own JSON",
    async (_, url, status) => {
      expectProblem(await t.request({ method: 'GET', url }), status);
    },
  );

  it('takes a query that is well-encoded UTF-8', async () => {
    const response = await t.request({ method: 'GET', url: '/v1/client-tenants?industry=%C3%A9' });
    // Refused as an industry slug (422), not as an encoding (400).
    expectProblem(response, 422);
    expect(response.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual(['/industry']);
  });

  describe('bodies of very many members', () => {
    const members = (count: number, extra: Record<string, unknown> = {}) => {
      const object: Record<string, unknown> = { ...extra };
      for (let i = 0; i < count; i++) object[`k${i}`] = i;
      return object;
    };

    it('lists each unknown member of a DTO body up to 1,000 members', async () => {
      const response = await t.request({
        method: 'POST',
        url: '/v1/partners',
        body: members(999, { name: 'Crowded' }),
      });
      expectProblem(response, 422);
      expect(response.body.errors).toHaveLength(999);
      expect(response.body.errors[998]).toEqual({
        pointer: '/k998',
        message: 'property k998 should not exist',
      });
    });

    it.each([
      ['POST', '/v1/partners', (crowd: object) => ({ name: 'Crowded', ...crowd }), ''],
      [
        'POST',
        '/v1/portfolio-runs',
        (crowd: object) => ({ table: { name: 'x' }, filter: crowd }),
        '/filter',
      ],
      ['PATCH', '/v1/client-tenants/{id}', (crowd: object) => crowd, ''],
    ] as const)(
      'answers one violation, at once, to a %s %s object of 200,000 members, and stores nothing',
      async (method, url, body, pointer) => {
        const before = await partnerCount(t);
        const response = await t.request({
          method,
          url: url.replace('{id}', clientTenantId),
          body: body(members(200_000)),
        });
        expectProblem(response, 422);
        expect(response.body.errors).toEqual([
          { pointer, message: expect.stringMatching(/^has 20000[01] members/) },
        ]);
        expect(await partnerCount(t)).toBe(before);
      },
    );

    it('lists at most 1,000 violations of a weighting table, and counts the rest', async () => {
      const document = { ...exampleTable(), version: 'crowded.1', ...members(5_000) };
      const response = await t.request({
        method: 'POST',
        url: '/v1/weighting-tables',
        body: document,
      });
      expectProblem(response, 422);
      expect(response.body.errors).toHaveLength(1_001);
      expect(response.body.errors[1_000]).toEqual({
        pointer: '',
        message: '4000 more violations are not listed',
      });
      // One over the limit is one more, counted too.
      const oneOver = await t.request({
        method: 'POST',
        url: '/v1/weighting-tables',
        body: { ...exampleTable(), version: 'crowded.2', ...members(1_001) },
      });
      expect(oneOver.body.errors).toHaveLength(1_001);
      expect(oneOver.body.errors[999].pointer).toBe('/k999');
      expect(oneOver.body.errors[1_000]).toEqual({
        pointer: '',
        message: '1 more violations are not listed',
      });
    });

    it('answers 413 to a YAML table over 256 KiB, which it would be slow to parse', async () => {
      const text = Object.keys(members(30_000))
        .map((key) => `${key}: 1\n`)
        .join('');
      expect(Buffer.byteLength(text)).toBeGreaterThan(256 * 1024);
      const response = await t.request({
        method: 'POST',
        url: '/v1/weighting-tables',
        rawBody: text,
        headers: { 'content-type': 'application/yaml' },
      });
      expectProblem(response, 413);
      expect(response.body.detail).toContain('send a larger one as JSON');
    });
  });

  it.each([
    ['PUT', '/v1/partners', 'GET, HEAD, POST'],
    ['DELETE', '/v1/me', 'GET, HEAD'],
    ['GET', '/v1/secure-scores', 'POST'],
    ['POST', '/health/live', 'GET, HEAD'],
    ['GET', '/v1/api-keys/0b9f6a54-1a39-4f0c-9d1e-8f1f2b0c3d4e/revoke', 'POST'],
    ['POST', '/v1/client-tenants/{id}?x=1', 'GET, HEAD, PATCH'],
  ] as const)(
    'answers 405 with Allow to %s %s, a path whose routes take other methods',
    async (method, url, allow) => {
      const response = await t.request({
        method,
        url: url.replace('{id}', clientTenantId),
        key: null,
      });
      expectProblem(response, 405);
      expect(response.headers.allow).toBe(allow);
      expect(response.body.detail).toContain(`takes ${allow}, not ${method}`);
    },
  );

  it('answers 404 to a path no route takes, whatever the method', async () => {
    for (const method of ['GET', 'PUT'] as const) {
      const response = await t.request({ method, url: '/v1/nowhere' });
      expectProblem(response, 404);
      expect(response.headers.allow).toBeUndefined();
    }
    // A file missing under a static route that takes GET: not "takes GET, HEAD, not GET".
    const missing = await t.request({ method: 'GET', url: '/docs/nowhere.js', key: null });
    expectProblem(missing, 404);
    expect(missing.headers.allow).toBeUndefined();
  });

  it('answers 422 to a null body on a route whose fields are all optional, and changes nothing', async () => {
    const response = await t.request({
      method: 'PATCH',
      url: `/v1/client-tenants/${clientTenantId}`,
      rawBody: 'null',
      headers: { 'content-type': 'application/json' },
    });
    expectProblem(response, 422);
    expect(response.body.errors).toEqual([
      { pointer: '', message: expect.stringContaining('null') },
    ]);
  });

  it.each([
    ['a blank client tenant name', 'PATCH', '/v1/client-tenants/{id}', { name: '   ' }, '/name'],
    [
      'an API key that has already expired',
      'POST',
      '/v1/api-keys',
      { name: 'late', role: 'underwriter', expiresAt: '2020-01-01T00:00:00Z' },
      '/expiresAt',
    ],
    [
      'an expiry without a time zone',
      'POST',
      '/v1/api-keys',
      { name: 'local', role: 'underwriter', expiresAt: '2999-01-01T00:00:00' },
      '/expiresAt',
    ],
  ] as const)('answers 422 to %s', async (_, method, url, body, pointer) => {
    const response = await t.request({ method, url: url.replace('{id}', clientTenantId), body });
    expectProblem(response, 422);
    expect(response.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual([pointer]);
  });

  it.each([['1e2'], ['0x10'], ['1.5'], [' 5'], ['0'], ['501']])(
    'answers 422 to the page size limit=%s',
    async (limit) => {
      const response = await t.request({
        method: 'GET',
        url: `/v1/client-tenants?limit=${encodeURIComponent(limit)}`,
      });
      expectProblem(response, 422);
      expect(response.body.errors[0].pointer).toBe('/limit');
    },
  );

  it('describes API keys as opaque bearer tokens in the OpenAPI document', async () => {
    const docs = await t.request({ method: 'GET', url: '/docs-json', key: null });
    expect(docs.body.components.securitySchemes.bearer.bearerFormat).not.toBe('JWT');
    const ingest = docs.body.paths['/v1/secure-scores'].post;
    expect(Object.keys(ingest.responses).sort()).toEqual(['200', '201', '422', 'default']);
    expect(ingest.parameters.map((p: { name: string }) => p.name)).toContain('backfill');
    // INPUT-12: the enforced limits are the published ones.
    const [snapshot, envelope] = ingest.requestBody.content['application/json'].schema.oneOf;
    expect(snapshot.properties.controlScores.maxItems).toBe(5000);
    expect(snapshot.properties.enabledServices).toMatchObject({ maxItems: 1000, nullable: true });
    expect(snapshot.properties.controlScores.items.properties.description.maxLength).toBe(100000);
    expect(envelope.properties.value.maxItems).toBe(1000);
  });

  const cursor = (values: unknown) => Buffer.from(JSON.stringify(values)).toString('base64url');
  it.each([
    ['/v1/client-tenants/{id}/secure-scores', ['1', '00000000-0000-4000-8000-000000000000']],
    [
      '/v1/client-tenants/{id}/secure-scores',
      ['+275760-09-13T00:00:00.000Z', '00000000-0000-4000-8000-000000000000'],
    ],
    [
      '/v1/client-tenants/{id}/secure-scores',
      ['2024-02-30T00:00:00.000Z', '00000000-0000-4000-8000-000000000000'],
    ],
    ['/v1/client-tenants/{id}/assessments', ['1', '00000000-0000-4000-8000-000000000000']],
    // Year 0000: JavaScript has one, PostgreSQL does not.
    [
      '/v1/client-tenants/{id}/secure-scores',
      ['0000-01-01T00:00:00.000Z', '00000000-0000-4000-8000-000000000000'],
    ],
    [
      '/v1/client-tenants/{id}/assessments',
      ['0000-01-01T00:00:00.000Z', '00000000-0000-4000-8000-000000000000'],
    ],
    ['/v1/weighting-tables/sme-cyber/versions', ['0000-01-01', 'a']],
    ['/v1/weighting-tables', ['\u0000']],
    ['/v1/weighting-tables/sme-cyber/versions', ['x', 'y']],
    ['/v1/weighting-tables/sme-cyber/versions', ['2027-13-01', '1']],
    ['/v1/client-tenants', ['not-a-uuid']],
    ['/v1/partners', [1]],
  ])('answers 422 to a hand-made cursor for %s (%j)', async (url, values) => {
    const response = await t.request({
      method: 'GET',
      url: `${url.replace('{id}', clientTenantId)}?cursor=${cursor(values)}`,
    });
    expectProblem(response, 422);
    expect(response.body.errors).toEqual([{ pointer: '/cursor', message: expect.any(String) }]);
  });

  it.each([
    [
      '/v1/control-profiles',
      [
        {
          id: 'AdminMFAV2',
          azureTenantId: 'outside-the-body',
          controlStateUpdates: [{ state: 'Ignored', updatedDateTime: '0000-06-01T00:00:00Z' }],
        },
      ],
      '/0/controlStateUpdates/0/updatedDateTime',
    ],
    [
      '/v1/rate',
      {
        snapshot: snapshotFor('year-zero'),
        table: { name: 'sme-cyber' },
        asOf: '0000-06-01T00:00:00Z',
      },
      '/asOf',
    ],
    ['/v1/client-tenants/{id}/assessments', { asOf: '0000-06-01T00:00:00Z' }, '/asOf'],
    [
      '/v1/weighting-tables',
      { ...exampleTable(), version: 'year-zero', effectiveFrom: '0000-01-01' },
      '/effectiveFrom',
    ],
    [
      '/v1/portfolio-runs',
      { table: { name: 'sme-cyber' }, asOf: '0001-01-01T00:00:00+01:00' },
      '/asOf',
    ],
  ])('answers 422 to an instant before year 0001 on %s, not a 500', async (url, body, pointer) => {
    const response = await t.request({
      method: 'POST',
      url: url.replace('{id}', clientTenantId),
      body,
    });
    expectProblem(response, 422);
    expect(response.body.errors).toEqual([{ pointer, message: expect.any(String) }]);
  });

  it.each(['__proto__', 'constructor', 'prototype', 'hasOwnProperty', '__proto__[x]'])(
    'answers a query parameter named %s as any unknown one, with a 422 problem',
    async (name) => {
      for (const url of ['/v1/client-tenants', '/v1/partners', '/v1/secure-scores']) {
        const response = await t.request({
          method: url === '/v1/secure-scores' ? 'POST' : 'GET',
          url: `${url}?${name}=x`,
          ...(url === '/v1/secure-scores' ? { body: snapshotFor('query-proto') } : {}),
        });
        expectProblem(response, 422);
        expect(response.body.errors).toEqual([
          expect.objectContaining({ pointer: expect.stringMatching(/^\//) }),
        ]);
      }
    },
  );

  it('answers a body member named like an Object.prototype member as an unknown one, beside the other violations', async () => {
    const before = await t.request({ method: 'GET', url: '/v1/partners' });
    const response = await t.request({
      method: 'POST',
      url: '/v1/partners',
      body: { name: '', hasOwnProperty: 1, nested: { toString: 'x' } },
    });
    expectProblem(response, 422);
    expect(response.body.errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual([
      '/hasOwnProperty',
      '/name',
      '/nested',
    ]);
    const patched = await t.request({
      method: 'PATCH',
      url: `/v1/client-tenants/${clientTenantId}`,
      body: { valueOf: 'x' },
    });
    expectProblem(patched, 422);
    expect((await t.request({ method: 'GET', url: '/v1/partners' })).body).toEqual(before.body);
  });

  it('refuses an API key in the URL, and neither logs it nor echoes it', async () => {
    const key = t.adminKey;
    const response = await t.request({
      method: 'GET',
      url: `/v1/me?api_key=${key}&x=1`,
      key: null,
    });
    expectProblem(response, 401);
    expect(response.text).not.toContain(key);
    expect(response.body.instance).toBe('/v1/me');
    const logged = logLines.join('');
    expect(logged).toContain('api_key=[redacted]');
    expect(logged).not.toContain(key);
  });

  it('echoes no key-shaped query member name in the violations it lists', async () => {
    const { key, prefix, secret } = await createApiKey(t, {
      name: 'leaky name',
      role: 'underwriter',
    });
    // Authenticated, so the query is validated and its unknown member named.
    const response = await t.request({ method: 'GET', url: `/v1/client-tenants?${key}=x` });
    expectProblem(response, 422);
    expect(response.body.errors).toEqual([
      expect.objectContaining({ pointer: `/${prefix}_[redacted]` }),
    ]);
    expect(response.text).not.toContain(secret);
  });

  it.each([
    '/v1/client-tenants?bearer={key}',
    '/v1/me?{key}',
    '/v1/me?api%5Fk%65y={key}',
    '/v1/me;api_key={key}',
    '/v1/nowhere/{key}?x=1',
    '/v1/me?q=ssk%5F{rest}',
  ])('neither echoes nor logs a key-shaped secret in %s', async (url) => {
    const { key, secret } = await createApiKey(t, { name: 'leaky', role: 'underwriter' });
    logLines.length = 0;
    const response = await t.request({
      method: 'GET',
      url: url.replace('{key}', key).replace('{rest}', key.slice(4)),
      key: null,
    });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.text).not.toContain(secret);
    expect(logLines.join('')).not.toContain(secret);
    expect(logLines.join('')).toContain('[redacted]');
  });

  it.each([
    '/v1/me?{key}',
    '/v1/me?q=1&{key}',
    '/v1/me?x={key}',
    '/v1/nowhere/{key}',
    '/v1/me;{key}',
  ])(
    'neither echoes nor logs the bootstrap key, which has no shape of ours, in %s',
    async (url) => {
      // The test app's bootstrap key is `test-admin-<hex>`: the operator's own text, which
      // redaction by shape (`ssk_…`) does not see.
      logLines.length = 0;
      const response = await t.request({
        method: 'GET',
        url: url.replace('{key}', encodeURIComponent(t.adminKey)),
        key: null,
      });
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.text).not.toContain(t.adminKey);
      expect(logLines.join('')).not.toContain(t.adminKey);
      expect(logLines.join('')).toContain('[redacted]');
    },
  );

  it("replaces an X-Request-Id that is a credential, and echoes and logs any other client's id", async () => {
    const { key, secret } = await createApiKey(t, { name: 'id as key', role: 'underwriter' });
    const sent = [
      { id: key, as: key }, // one of our keys, as its own bearer token
      { id: key, as: t.adminKey }, // one of our keys, by its shape
      { id: t.adminKey, as: key }, // the bootstrap key, by its text
      { id: 'plain-secret-token.1234', as: 'plain-secret-token.1234' }, // this request's token
    ];
    for (const { id, as } of sent) {
      logLines.length = 0;
      const response = await t.request({
        method: 'GET',
        url: '/v1/nowhere',
        key: as,
        headers: { 'x-request-id': id },
      });
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.headers['x-request-id']).not.toBe(id);
      expect(response.body.requestId).toBe(response.headers['x-request-id']);
      for (const text of [response.text, logLines.join('')]) {
        expect(text).not.toContain(secret);
        expect(text).not.toContain(t.adminKey);
        expect(text).not.toContain(`"plain-secret-token.1234"`);
      }
    }
    const traced = await t.request({
      method: 'GET',
      url: '/v1/me',
      headers: { 'x-request-id': 'trace-4bf92f35.77' },
    });
    expect(traced.headers['x-request-id']).toBe('trace-4bf92f35.77');
  });

  it('answers malformed HTTP framing and oversized headers on a socket with problem documents', async () => {
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = t.app.getHttpServer().address() as net.AddressInfo;
    const raw = (request: string) =>
      new Promise<string>((resolve, reject) => {
        const socket = net.connect(port, '127.0.0.1', () => socket.end(request));
        let text = '';
        socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
        socket.on('close', () => resolve(text));
        socket.on('error', reject);
      });
    const framing = await raw(
      'POST /v1/partners HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n{}',
    );
    expect(framing).toMatch(/^HTTP\/1.1 400 /);
    expect(framing).toContain('Content-Type: application/problem+json');
    expect(JSON.parse(framing.slice(framing.indexOf('\r\n\r\n') + 4))).toMatchObject({
      status: 400,
      type: 'urn:securescore:problem:bad-request',
    });
    const headers = await raw(
      `GET /v1/me HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    );
    expect(headers).toMatch(/^HTTP\/1.1 431 /);
    expect(headers).toContain('urn:securescore:problem:header-fields-too-large');
    // A request line longer than the header limit is a URL too long, whole path or segments.
    for (const path of [
      `/v1/${'a'.repeat(200_000)}`,
      `/v1/weighting-tables/${'n'.repeat(10_000)}/versions/${'v'.repeat(10_000)}`,
    ]) {
      const url = await raw(`GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`);
      expect(url).toMatch(/^HTTP\/1.1 414 /);
      expect(url).toContain('urn:securescore:problem:uri-too-long');
    }
  });

  it('answers 408 and closes a socket still trickling its headers after 8 s (slowloris)', async () => {
    await t.app.listen({ port: 0, host: '127.0.0.1' }).catch(() => undefined);
    const { port } = t.app.getHttpServer().address() as net.AddressInfo;
    const started = Date.now();
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1');
      let text = '';
      // One header byte a second: connectionTimeout never fires while bytes keep arriving.
      const header = `GET /v1/me HTTP/1.1\r\nHost: x\r\nX-Slow: ${'a'.repeat(60)}`;
      let sent = 0;
      const drip = setInterval(() => socket.write(header[sent++] ?? 'a'), 1_000);
      socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
      socket.on('close', () => {
        clearInterval(drip);
        resolve(text);
      });
      socket.on('error', reject);
    });
    expect(Date.now() - started).toBeLessThan(12_000);
    expect(answer).toMatch(/^HTTP\/1.1 408 /);
    expect(answer).toContain('urn:securescore:problem:request-timeout');
  }, 20_000);
});

describe('raw HTTP on a listening server: silence (HTTP_IDLE_TIMEOUT_MS), Host, Expect', () => {
  let t: TestApp;
  let port: number;
  beforeAll(async () => {
    t = await createTestApp({ httpIdleTimeoutMs: 1_500 });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    port = (t.app.getHttpServer().address() as net.AddressInfo).port;
  });
  afterAll(async () => {
    await t.close();
  });

  /** Everything the server sends on a socket given `request`, until it closes the socket. */
  const exchange = (request: string) =>
    new Promise<{ text: string; closedAfterMs: number }>((resolve, reject) => {
      const started = Date.now();
      const socket = net.connect(port, '127.0.0.1', () => socket.write(request));
      let text = '';
      socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
      socket.on('close', () => resolve({ text, closedAfterMs: Date.now() - started }));
      socket.on('error', reject);
    });

  it.each([
    ['a body shorter than its Content-Length', 'Content-Length: 100\r\n\r\n{"name":"Stalled'],
    ['a chunked body that stops', 'Transfer-Encoding: chunked\r\n\r\n10\r\n{"name":"Stalle'],
  ])('answers 408 to %s, and stores nothing', async (_, rest) => {
    const before = await partnerCount(t);
    const { text, closedAfterMs } = await exchange(
      `POST /v1/partners HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${t.adminKey}\r\n` +
        `Content-Type: application/json\r\n${rest}`,
    );
    expect(closedAfterMs).toBeGreaterThanOrEqual(1_400);
    expect(closedAfterMs).toBeLessThan(10_000);
    expect(text).toMatch(/^HTTP\/1.1 408 /);
    const [head, body] = text.split('\r\n\r\n');
    expect(head).toMatch(/\r\nX-Request-Id: \S+/);
    expect(JSON.parse(body)).toMatchObject({
      type: 'urn:securescore:problem:request-timeout',
      status: 408,
      instance: '/v1/partners',
      detail: 'The request body stopped arriving before it was complete',
    });
    expect(await partnerCount(t)).toBe(before);
  });

  it('answers 417 with a problem document to an Expect it cannot meet', async () => {
    const { text } = await exchange(
      'GET /health/live HTTP/1.1\r\nHost: x\r\nExpect: 999-foo\r\nConnection: close\r\n\r\n',
    );
    expect(text).toMatch(/^HTTP\/1.1 417 /);
    expect(text).toMatch(/content-type: application\/problem\+json/i);
    expect(text).toContain('urn:securescore:problem:expectation-failed');
  });

  it('answers an HTTP/1.1 request without Host with a problem document', async () => {
    const { text } = await exchange(
      `GET /health/live HTTP/1.1\r\nAuthorization: Bearer ${t.adminKey}\r\nConnection: close\r\n\r\n`,
    );
    expect(text).toMatch(/^HTTP\/1.1 400 /);
    expect(text).toMatch(/content-type: application\/problem\+json/i);
    expect(text).toContain('must have a Host header');
    // HTTP/1.0 has no Host requirement.
    expect((await exchange('GET /health/live HTTP/1.0\r\n\r\n')).text).toMatch(/^HTTP\/1.1 200 /);
  });

  it('closes an idle keep-alive connection after its answer, sending nothing more', async () => {
    const { text, closedAfterMs } = await exchange(
      `GET /v1/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${t.adminKey}\r\n\r\n`,
    );
    expect(text).toMatch(/^HTTP\/1.1 200 /);
    expect(text.match(/HTTP\/1.1 /g)).toHaveLength(1);
    // At the keep-alive timeout (5 s), which governs a connection between requests.
    expect(closedAfterMs).toBeLessThan(8_000);
  }, 15_000);

  /**
   * Sends `request` while another session holds a lock its handler waits for, releases the lock
   * after `holdMs`, and returns what the socket received until it closed.
   */
  async function whileLocked(request: string, holdMs: number): Promise<string> {
    const locker = new pg.Client({ connectionString: t.databaseUrl });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE partners IN ACCESS EXCLUSIVE MODE');
      const received = exchange(request);
      await new Promise((resolve) => setTimeout(resolve, holdMs));
      await locker.query('COMMIT');
      return (await received).text;
    } finally {
      await locker.end();
    }
  }

  it('answers a request whose handler takes longer than the idle timeout', async () => {
    const text = await whileLocked(
      `GET /v1/partners HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${t.adminKey}\r\n` +
        'Connection: close\r\n\r\n',
      3_500,
    );
    expect(text).toMatch(/^HTTP\/1.1 200 /);
    expect(text).toContain('"items"');
  }, 15_000);

  it('answers no 408 in place of the answer to a request pipelined before the stalled one', async () => {
    const text = await whileLocked(
      `GET /v1/partners HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${t.adminKey}\r\n\r\n` +
        `POST /v1/partners HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${t.adminKey}\r\n` +
        'Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"name":"Stall',
      3_500,
    );
    // The stalled request closes the connection; whatever comes first is the GET's own answer.
    expect(text).not.toContain('408');
    if (text !== '') expect(text).toMatch(/^HTTP\/1.1 200 /);
  }, 15_000);
});
