import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { ApiKeyEntity } from '../src/access/api-key.entity.js';
import { AccessService } from '../src/access/access.service.js';
import { ShutdownState } from '../src/health/shutdown-state.js';
import { createApiKey, createTestApp, TestApp } from './support/test-app.js';
import { waitForLockWaiters } from './support/test-database.js';

describe('access: partners, API keys and the global guard', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  const problem = (status: number) =>
    expect.objectContaining({ status, type: expect.stringMatching(/^urn:securescore:problem:/) });

  it('answers 401 problem documents for a missing, malformed or unknown key', async () => {
    for (const key of [null, 'short', 'ssk_00000000_' + 'A'.repeat(43)]) {
      const response = await t.request({ method: 'GET', url: '/v1/api-keys', key });
      expect(response.status).toBe(401);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body).toEqual(problem(401));
    }
    const basic = await t.request({
      method: 'GET',
      url: '/v1/api-keys',
      key: null,
      headers: { authorization: 'Basic dXNlcjpwYXNz' },
    });
    expect(basic.status).toBe(401);
  });

  it('answers a body without a valid key with 401 before reading it, whatever the body holds', async () => {
    for (const [body, headers] of [
      ['{"name": ', { 'content-type': 'application/json' }],
      ['{"name": "x"}', { 'content-type': 'application/json', 'content-encoding': 'gzip' }],
      ['name: [unclosed', { 'content-type': 'application/yaml' }],
      [`{"name": "${'x'.repeat(5_000_000)}"}`, { 'content-type': 'application/json' }],
    ] as const) {
      for (const key of [null, 'ssk_00000000_' + 'A'.repeat(43)]) {
        const response = await t.request({
          method: 'POST',
          url: '/v1/partners',
          key,
          rawBody: body,
          headers,
        });
        expect([response.status, response.body.type]).toEqual([
          401,
          'urn:securescore:problem:unauthenticated',
        ]);
      }
    }
    // With a valid key, the same broken body is judged as before.
    const judged = await t.request({
      method: 'POST',
      url: '/v1/partners',
      rawBody: '{"name": ',
      headers: { 'content-type': 'application/json' },
    });
    expect(judged.status).toBe(400);
  });

  it('leaves health and docs open', async () => {
    expect((await t.request({ method: 'GET', url: '/health/live', key: null })).status).toBe(200);
    expect((await t.request({ method: 'GET', url: '/health/ready', key: null })).body).toEqual({
      status: 'ok',
      database: 'ok',
    });
    const docs = await t.request({ method: 'GET', url: '/docs-json', key: null });
    expect(docs.status).toBe(200);
    expect(docs.body.openapi).toMatch(/^3\./);
    expect(Object.keys(docs.body.paths)).toEqual(
      expect.arrayContaining(['/v1/partners', '/v1/api-keys', '/health/ready']),
    );
    // The UI page names its assets relative to /docs: /docs/ is sent there.
    const ui = await t.request({ method: 'GET', url: '/docs', key: null });
    expect([ui.status, ui.text]).toEqual([200, expect.stringContaining('./docs/swagger-ui.css')]);
    const slash = await t.request({ method: 'GET', url: '/docs/', key: null });
    expect([slash.status, slash.headers.location]).toEqual([301, '/docs']);
  });

  it('fails readiness while draining, with a shutting-down problem that closes the connection', async () => {
    const shutdown = t.app.get(ShutdownState);
    shutdown.draining = true;
    try {
      const draining = await t.request({ method: 'GET', url: '/health/ready', key: null });
      expect(draining.status).toBe(503);
      expect(draining.body.type).toBe('urn:securescore:problem:shutting-down');
      expect([draining.headers.connection, draining.headers['retry-after']]).toEqual([
        'close',
        '1',
      ]);
    } finally {
      shutdown.draining = false;
    }
    expect((await t.request({ method: 'GET', url: '/health/ready', key: null })).status).toBe(200);
  });

  it('creates partners and keys; a key is shown once and works at once', async () => {
    const partner = await t.request({
      method: 'POST',
      url: '/v1/partners',
      body: { name: 'Northwind' },
    });
    expect(partner.status).toBe(201);
    expect(partner.body).toEqual({ id: expect.any(String), name: 'Northwind' });

    const created = await t.request({
      method: 'POST',
      url: '/v1/api-keys',
      body: { name: 'northwind feed', role: 'partner', partnerId: partner.body.id },
    });
    expect(created.status).toBe(201);
    expect(created.body.key).toMatch(/^ssk_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$/);
    expect(created.body.key.startsWith(created.body.prefix)).toBe(true);

    const list = await t.request({ method: 'GET', url: '/v1/api-keys' });
    expect(list.text).not.toContain(created.body.key);
    expect(list.body.items.find((k: { id: string }) => k.id === created.body.id)).toMatchObject({
      role: 'partner',
      partnerId: partner.body.id,
      revokedAt: null,
    });

    // A partner key is authenticated but may not manage keys.
    const forbidden = await t.request({
      method: 'GET',
      url: '/v1/api-keys',
      key: created.body.key,
    });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body).toEqual(problem(403));
  });

  it('rejects a duplicate partner name with 409 and a partner key without partnerId with 422', async () => {
    await t.request({ method: 'POST', url: '/v1/partners', body: { name: 'Contoso' } });
    const again = await t.request({
      method: 'POST',
      url: '/v1/partners',
      body: { name: 'Contoso' },
    });
    expect(again.status).toBe(409);
    const orphan = await t.request({
      method: 'POST',
      url: '/v1/api-keys',
      body: { name: 'x', role: 'partner' },
    });
    expect(orphan.status).toBe(422);
    expect(orphan.body.errors).toEqual([{ pointer: '/partnerId', message: expect.any(String) }]);
  });

  it('says a missing member is required, and of a value of the wrong type only that', async () => {
    const missing = await t.request({ method: 'POST', url: '/v1/partners', body: {} });
    expect([missing.status, missing.body.errors]).toEqual([
      422,
      [{ pointer: '/name', message: 'name is required' }],
    ]);
    const keyless = await t.request({ method: 'POST', url: '/v1/api-keys', body: {} });
    expect(keyless.body.errors).toEqual([
      { pointer: '/name', message: 'name is required' },
      { pointer: '/role', message: 'role is required' },
    ]);
    const limit = await t.request({ method: 'GET', url: '/v1/client-tenants?limit=abc' });
    expect([limit.status, limit.body.errors]).toEqual([
      422,
      [{ pointer: '/limit', message: 'limit must be an integer number' }],
    ]);
    // A value of the right type out of range still says why.
    const big = await t.request({ method: 'GET', url: '/v1/client-tenants?limit=501' });
    expect(big.body.errors).toEqual([
      { pointer: '/limit', message: 'limit must not be greater than 500' },
    ]);
  });

  it('lists every DTO violation with its pointer, unknown fields included', async () => {
    const response = await t.request({
      method: 'POST',
      url: '/v1/api-keys',
      body: { name: '', role: 'root', isAdmin: true },
    });
    expect(response.status).toBe(422);
    const pointers = response.body.errors.map((e: { pointer: string }) => e.pointer).sort();
    expect(pointers).toEqual(['/isAdmin', '/name', '/role']);
    const blank = await t.request({
      method: 'POST',
      url: '/v1/api-keys',
      body: { name: '   ', role: 'admin' },
    });
    expect([blank.status, blank.body.errors]).toEqual([
      422,
      [{ pointer: '/name', message: 'name must not be blank' }],
    ]);
  });

  it('stops a revoked key at once', async () => {
    const { id, key } = await createApiKey(t, { name: 'temp admin', role: 'admin' });
    expect((await t.request({ method: 'GET', url: '/v1/partners', key })).status).toBe(200);
    // Its id written in capitals names the same key, audited under the stored id.
    const revoked = await t.request({
      method: 'POST',
      url: `/v1/api-keys/${id.toUpperCase()}/revoke`,
    });
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ id, revokedAt: expect.any(String) });
    expect((await t.request({ method: 'GET', url: '/v1/partners', key })).status).toBe(401);
    const client = new pg.Client({ connectionString: t.databaseUrl });
    await client.connect();
    try {
      const audit = await client.query(
        `SELECT entity_id FROM audit_log WHERE action = 'api-key.revoked' ORDER BY id DESC LIMIT 1`,
      );
      expect(audit.rows).toEqual([{ entity_id: id }]);
    } finally {
      await client.end();
    }
  });

  it.each(['not-a-uuid', '00000000-0000-4000-8000-000000000000'])(
    'answers 404 to revoking %s, as every route with an id it does not know',
    async (id) => {
      const response = await t.request({ method: 'POST', url: `/v1/api-keys/${id}/revoke` });
      expect(response.status).toBe(404);
      expect(response.body.type).toBe('urn:securescore:problem:not-found');
    },
  );

  it('does not cache a key read before its revocation committed and answered after it', async () => {
    const created = await createApiKey(t, { name: 'raced', role: 'admin' });
    const key = created.key;
    const access = t.app.get(AccessService);
    // The real read, its answer held back until the revocation has committed: a request that
    // was already reading when the key was revoked.
    const keys = t.app.get(DataSource).getRepository(ApiKeyEntity);
    const read = keys.findOne.bind(keys);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const spy = jest.spyOn(keys, 'findOne').mockImplementationOnce(async (options) => {
      const found = await read(options);
      await held;
      return found;
    });
    try {
      const inFlight = access.authenticate(key);
      const revoked = await t.request({
        method: 'POST',
        url: `/v1/api-keys/${created.id}/revoke`,
      });
      expect(revoked.status).toBe(200);
      release();
      // It started before the revocation, so it may pass; it must not put the key back.
      await expect(inFlight).resolves.toMatchObject({ keyId: created.id });
      await expect(access.authenticate(key)).rejects.toThrow('The API key is not valid');
    } finally {
      spy.mockRestore();
    }
  });

  it('stops an expired key at its expiry, not a cache period later', async () => {
    // Expiring within the cache period (1 s) of its first use.
    const expiresAt = Date.now() + 700;
    const created = await t.request({
      method: 'POST',
      url: '/v1/api-keys',
      body: { name: 'short-lived', role: 'admin', expiresAt: new Date(expiresAt).toISOString() },
    });
    expect(created.status).toBe(201);
    const key = created.body.key as string;
    expect((await t.request({ method: 'GET', url: '/v1/me', key })).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, expiresAt + 50 - Date.now()));
    expect((await t.request({ method: 'GET', url: '/v1/me', key })).status).toBe(401);
  });

  it('stores no plaintext key, only its SHA-256, and audits key changes', async () => {
    const created = await t.request({
      method: 'POST',
      url: '/v1/api-keys',
      body: { name: 'audited', role: 'underwriter' },
    });
    const client = new pg.Client({ connectionString: t.databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query('SELECT * FROM api_keys');
      const dump =
        JSON.stringify(rows) + rows.map((r) => (r.key_hash as Buffer).toString('latin1')).join();
      expect(dump).not.toContain(created.body.key);
      // The secret part is base64url and may itself contain '_': take all after the prefix.
      const secret = (created.body.key as string).slice(`${created.body.prefix}_`.length);
      expect(secret).toHaveLength(43);
      expect(dump).not.toContain(secret);
      expect(dump).not.toContain(t.adminKey);
      const audit = await client.query(
        `SELECT action FROM audit_log WHERE entity_type = 'api-key' AND entity_id = $1`,
        [created.body.id],
      );
      expect(audit.rows).toEqual([{ action: 'api-key.created' }]);
      await expect(client.query(`UPDATE audit_log SET action = 'x'`)).rejects.toThrow(
        /append-only/,
      );
      await expect(client.query(`DELETE FROM audit_log`)).rejects.toThrow(/append-only/);
      await expect(client.query(`TRUNCATE audit_log`)).rejects.toThrow(/append-only/);
    } finally {
      await client.end();
    }
  });
});

describe('access: rate limits', () => {
  let t: TestApp;
  beforeAll(async () => {
    // One token a second: a test's requests land well within one refill.
    t = await createTestApp({ authFailuresPerMinute: 5, rateLimitPerSecond: 1, rateLimitBurst: 5 });
  });
  afterAll(async () => {
    await t.close();
  });

  const me = (key: string, remoteAddress = '127.0.0.1') =>
    t.app.inject({
      method: 'GET',
      url: '/v1/me',
      remoteAddress,
      headers: { authorization: `Bearer ${key}` },
    });

  it('answers 429 with Retry-After to an address after its failed authentications, before looking at keys', async () => {
    const wrong = 'ssk_00000000_' + 'A'.repeat(43);
    const statuses = [];
    for (let i = 0; i < 8; i++) statuses.push((await me(wrong, '10.0.0.1')).statusCode);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429, 429]);
    // Blocked before the key is read: a valid key from that address gets the same 429.
    const blocked = await me(t.adminKey, '10.0.0.1');
    expect(blocked.statusCode).toBe(429);
    expect(blocked.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(blocked.json()).toMatchObject({ type: 'urn:securescore:problem:rate-limited' });
    // Another address, and a 401 names its scheme.
    const other = await me(wrong, '10.0.0.2');
    expect([other.statusCode, other.headers['www-authenticate']]).toEqual([
      401,
      'Bearer realm="securescore"',
    ]);
  });

  it('counts failures per client behind a trusted proxy (TRUST_PROXY), and per socket otherwise', async () => {
    const proxied = await createTestApp({ authFailuresPerMinute: 2, trustProxy: ['10.9.0.0/16'] });
    try {
      const from = (key: string, remoteAddress: string, forwardedFor?: string) =>
        proxied.app.inject({
          method: 'GET',
          url: '/v1/me',
          remoteAddress,
          headers: {
            authorization: `Bearer ${key}`,
            ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}),
          },
        });
      const wrong = 'ssk_00000000_' + 'A'.repeat(43);
      const guesses = [];
      for (let i = 0; i < 3; i++)
        guesses.push((await from(wrong, '10.9.0.5', '203.0.113.7')).statusCode);
      expect(guesses).toEqual([401, 401, 429]);
      // Another client through the same proxy is not blocked by the first one's guesses ...
      expect((await from(proxied.adminKey, '10.9.0.5', '203.0.113.8')).statusCode).toBe(200);
      // ... the blocked one is, through any trusted proxy ...
      expect((await from(proxied.adminKey, '10.9.3.3', '203.0.113.7')).statusCode).toBe(429);
      // ... and a client that is not a trusted proxy cannot pick its address by the header.
      for (let i = 0; i < 2; i++) await from(wrong, '198.51.100.1', '203.0.113.9');
      expect((await from(proxied.adminKey, '198.51.100.1', '203.0.113.10')).statusCode).toBe(429);
      expect((await from(proxied.adminKey, '10.9.0.5', '203.0.113.9')).statusCode).toBe(200);
    } finally {
      await proxied.close();
    }
  });

  it("limits each key to its rate with a burst, without touching another key's", async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/v1/api-keys',
      headers: { authorization: `Bearer ${t.adminKey}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ name: 'quiet', role: 'underwriter' }),
    });
    const quiet = created.json().key as string;
    const noisy = await Promise.all(Array.from({ length: 12 }, () => me(t.adminKey, '10.0.1.1')));
    const limited = noisy.filter((r) => r.statusCode === 429);
    // The burst of 5 (one token went to creating the key above) and whatever refilled meanwhile.
    expect(limited.length).toBeGreaterThanOrEqual(5);
    expect(noisy.filter((r) => r.statusCode === 200).length).toBeGreaterThanOrEqual(3);
    expect(limited[0].headers['retry-after']).toBe('1');
    expect((await me(quiet, '10.0.1.1')).statusCode).toBe(200);
  });

  it('limits bodies the parser refuses as well, and takes one token per request with a body', async () => {
    // The admin key spent its burst above: a token refills in a second.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const { key } = await createApiKey(t, { name: 'bad bodies', role: 'underwriter' });
    const post = (payload: string, contentType = 'application/json') =>
      t.app.inject({
        method: 'POST',
        url: '/v1/rate',
        headers: { authorization: `Bearer ${key}`, 'content-type': contentType },
        payload,
      });
    // Authenticated before the body is read and guarded after it is parsed: one token, not
    // two, so the burst of 5 admits five requests.
    const valid = [];
    for (let i = 0; i < 5; i++) valid.push((await post('{}')).statusCode);
    expect(valid).toEqual([422, 422, 422, 422, 422]);
    // Malformed JSON and a refused content type are answered after the rate check, not before.
    const malformed = await post('{"snapshot": {');
    expect(malformed.statusCode).toBe(429);
    expect(malformed.headers['retry-after']).toBeDefined();
    expect((await post('hello', 'text/plain')).statusCode).toBe(429);
  });
});

describe('access: the bootstrap key', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  const me = (key: string) => t.request({ method: 'GET', url: '/v1/me', key });

  it('revokes the earlier bootstrap key when BOOTSTRAP_API_KEY changes, and never revives a revoked one', async () => {
    const access = t.app.get(AccessService);
    const first = t.adminKey;
    const second = `rotated-bootstrap-${'x'.repeat(24)}`;
    expect((await me(first)).status).toBe(200);
    const madeByApi = await createApiKey(t, { name: 'bootstrap', role: 'admin' });

    await access.ensureBootstrapKey(second);
    expect([(await me(first)).status, (await me(second)).status]).toEqual([401, 200]);
    // A key made through the API keeps working, whatever its name.
    expect((await me(madeByApi.key)).status).toBe(200);
    const db = new pg.Client({ connectionString: t.databaseUrl });
    await db.connect();
    try {
      const audit = await db.query(
        `SELECT details FROM audit_log WHERE action = 'api-key.revoked' AND actor_key_id = 'system'`,
      );
      expect(audit.rows).toEqual([{ details: { reason: 'BOOTSTRAP_API_KEY replaced' } }]);
    } finally {
      await db.end();
    }

    // A replica restarted with the earlier value during the rollout revokes nothing.
    await access.ensureBootstrapKey(first);
    expect([(await me(first)).status, (await me(second)).status]).toEqual([401, 200]);

    // The same value again changes nothing; revoked through the API, it stays revoked.
    await access.ensureBootstrapKey(second);
    expect((await me(second)).status).toBe(200);
    const listed = await t.request({ method: 'GET', url: '/v1/api-keys?limit=500', key: second });
    const secondId = listed.body.items.find(
      (k: { prefix: string; revokedAt: string | null }) =>
        k.prefix.startsWith('boot_') && k.revokedAt === null,
    ).id as string;
    const revoked = await t.request({
      method: 'POST',
      url: `/v1/api-keys/${secondId}/revoke`,
      key: madeByApi.key,
    });
    expect(revoked.status).toBe(200);
    await access.ensureBootstrapKey(second);
    expect((await me(second)).status).toBe(401);
  });
});

describe('access: load shedding', () => {
  let t: TestApp;
  let port: number;
  beforeAll(async () => {
    t = await createTestApp({ maxInFlightRequests: 2 });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    port = (t.app.getHttpServer().address() as AddressInfo).port;
  });
  afterAll(async () => {
    await t.close();
  });

  /** A POST whose body is still arriving: in flight until `finish` or `abort`. */
  let held = 0;
  const holdOpen = () => {
    const body = JSON.stringify({ name: `held open ${held++}` });
    let resolveStatus: (status: number) => void = () => undefined;
    const status = new Promise<number>((resolve) => (resolveStatus = resolve));
    const request = http.request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/v1/partners',
        headers: {
          authorization: `Bearer ${t.adminKey}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolveStatus(res.statusCode ?? 0));
      },
    );
    request.on('error', () => resolveStatus(0));
    request.write(body.slice(0, 3));
    return {
      status,
      finish: () => request.end(body.slice(3)),
      abort: () => request.destroy(),
    };
  };
  const me = () =>
    fetch(`http://127.0.0.1:${port}/v1/me`, { headers: { authorization: `Bearer ${t.adminKey}` } });

  it('answers 503 at once past its requests in flight, never to health checks, and recovers', async () => {
    const first = holdOpen();
    const second = holdOpen();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const shed = await me();
    expect(shed.status).toBe(503);
    expect(shed.headers.get('retry-after')).toBe('1');
    expect(await shed.json()).toMatchObject({ type: 'urn:securescore:problem:overloaded' });
    expect((await fetch(`http://127.0.0.1:${port}/health/live`)).status).toBe(200);
    // A request that ends counts no more, however it ends: answered, or its client gone.
    first.finish();
    expect(await first.status).toBe(201);
    second.abort();
    await second.status;
    await new Promise((resolve) => setTimeout(resolve, 100));
    // With one held open again, one place is left: none leaked.
    const third = holdOpen();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await me()).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    third.finish();
    expect(await third.status).toBe(201);
  });

  it('counts no pipelined request whose client reset the connection before it was answered', async () => {
    // The first request waits behind this lock, so the second, pipelined behind it, has been
    // read and counted but has no response of its own when the client resets.
    const db = new pg.Client({ connectionString: t.databaseUrl });
    await db.connect();
    await db.query('BEGIN');
    await db.query('LOCK TABLE partners IN ACCESS EXCLUSIVE MODE');
    const body = JSON.stringify({ name: 'pipelined' });
    const auth = `Authorization: Bearer ${t.adminKey}\r\n`;
    const socket = net.connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    socket.write(
      `POST /v1/partners HTTP/1.1\r\nHost: x\r\n${auth}Content-Type: application/json\r\n` +
        `Content-Length: ${body.length}\r\n\r\n${body}` +
        `GET /v1/me HTTP/1.1\r\nHost: x\r\n${auth}\r\n`,
    );
    try {
      await waitForLockWaiters(t.databaseUrl, 1);
      socket.resetAndDestroy();
      await new Promise((resolve) => setTimeout(resolve, 100));
    } finally {
      await db.query('ROLLBACK');
      await db.end();
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    // Both places are free again: one held open, and another request still gets through.
    const held = holdOpen();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await me()).status).toBe(200);
    held.finish();
    expect(await held.status).toBe(201);
  });
});
