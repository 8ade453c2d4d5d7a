import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { createTestApp, TestApp } from './support/test-app.js';
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

  it('answers 415 to a body without a content type', async () => {
    const response = await t.request({
      method: 'POST',
      url: '/v1/partners',
      rawBody: '{"name":"a"}',
    });
    expect([400, 415]).toContain(response.status);
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
});
