import { randomBytes } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Logger } from 'pino';
import { createHttpApp } from '../../src/app.factory.js';
import { AppConfig, loadConfig } from '../../src/config/app-config.js';
import { checkResponseContract } from './response-contract.js';
import { createTestDatabase, dropTestDatabase } from './test-database.js';

export interface TestApp {
  app: NestFastifyApplication;
  config: AppConfig;
  databaseUrl: string;
  adminKey: string;
  request(options: TestRequest): Promise<TestResponse>;
  close(): Promise<void>;
}

export interface TestRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  key?: string | null;
  body?: unknown;
  /** Sent as is, for malformed-input tests. */
  rawBody?: string | Buffer;
  headers?: Record<string, string>;
}

export interface TestResponse {
  status: number;
  headers: Record<string, unknown>;
  body: any;
  text: string;
}

/** The real application on its own fresh database, driven in-process through Fastify's inject. */
export async function createTestApp(
  overrides: Partial<AppConfig> = {},
  options: { logger?: Logger } = {},
): Promise<TestApp> {
  const databaseUrl = await createTestDatabase();
  const adminKey = `test-admin-${randomBytes(16).toString('hex')}`;
  const config = loadConfig(
    {},
    // In-process tests run the TypeScript sources, which a worker thread cannot load: every pool
    // runs inline. The compiled service's threads are tested through real processes.
    {
      logLevel: 'silent',
      ingestThreads: 0,
      ratingThreads: 0,
      rateThreads: 0,
      // Tests fire hundreds of requests a second with one key; the limits have their own tests.
      rateLimitPerSecond: 0,
      authFailuresPerMinute: 0,
      // The fixtures are real snapshots from 2018 to 2024; the age limit has its own tests.
      snapshotMaxAgeDays: 0,
      ...overrides,
      bootstrapApiKey: adminKey,
      databaseUrl,
    },
  );
  const app = await createHttpApp(config, databaseUrl, {
    skipMigrations: true,
    logger: options.logger,
  });
  await app.getHttpAdapter().getInstance().ready();
  return {
    app,
    config,
    databaseUrl,
    adminKey,
    request: (options) => send(app, adminKey, options),
    close: async () => {
      await app.close();
      await dropTestDatabase(databaseUrl);
    },
  };
}

async function send(
  app: NestFastifyApplication,
  adminKey: string,
  options: TestRequest,
): Promise<TestResponse> {
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  const key = options.key === undefined ? adminKey : options.key;
  if (key !== null) headers.authorization = `Bearer ${key}`;
  let payload: string | Buffer | undefined = options.rawBody;
  if (payload === undefined && options.body !== undefined) {
    payload = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await app.inject({ method: options.method, url: options.url, headers, payload });
  const text = response.body;
  let body: unknown = undefined;
  try {
    body = text.length > 0 ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  // The documentation routes serve the contract itself.
  if (!options.url.startsWith('/docs')) {
    checkResponseContract(app, options, {
      status: response.statusCode,
      contentType: response.headers['content-type'] as string | undefined,
      text,
    });
  }
  return { status: response.statusCode, headers: response.headers, body, text };
}

export interface CreatedTestKey {
  id: string;
  key: string;
  prefix: string;
  /** The part after `<prefix>_`, which must never be echoed or logged. */
  secret: string;
}

/** An API key made through `POST /v1/api-keys` (as the admin), for a test that needs one. */
export async function createApiKey(
  t: TestApp,
  body: { name: string; role: string; partnerId?: string },
): Promise<CreatedTestKey> {
  const created = await t.request({ method: 'POST', url: '/v1/api-keys', body });
  if (created.status !== 201)
    throw new Error(`POST /v1/api-keys: ${created.status} ${created.text}`);
  const { id, key, prefix } = created.body as { id: string; key: string; prefix: string };
  return { id, key, prefix, secret: key.slice(`${prefix}_`.length) };
}
