import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Validator } from '@seriousme/openapi-schema-validator';
import { buildOpenApiDocument } from '../src/openapi.js';
import { exampleTable, fixture } from './support/fixtures.js';
import { checkResponseContract, documentedPath } from './support/response-contract.js';
import { publishTable } from './support/tables.js';
import { createTestApp, type TestApp, type TestRequest } from './support/test-app.js';

// SEC-05: every response is checked against the published OpenAPI document by the test client
// (test/support/response-contract.ts). This spec checks the document itself, walks every
// operation once so none goes unchecked, and shows that the check does fail on an exposure.

type Json = Record<string, any>;
const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

function operations(document: Json): { label: string; operation: Json }[] {
  return Object.entries(document.paths as Json).flatMap(([path, item]) =>
    METHODS.filter((method) => item[method] !== undefined).map((method) => ({
      label: `${method.toUpperCase()} ${path}`,
      operation: item[method],
    })),
  );
}

/** Every object schema under `schema` that does not say what other members it allows. */
function openObjects(schema: unknown, pointer: string, found: string[]): string[] {
  if (Array.isArray(schema)) {
    schema.forEach((item, i) => openObjects(item, `${pointer}/${i}`, found));
  } else if (typeof schema === 'object' && schema !== null) {
    const s = schema as Json;
    if (s.type === 'object' && s.additionalProperties === undefined) found.push(pointer);
    if (s.additionalProperties === true && !/^As Graph sent it/.test(s.description ?? '')) {
      found.push(`${pointer} (additionalProperties: true)`);
    }
    for (const [key, value] of Object.entries(s)) {
      if (key === 'properties') {
        for (const [name, property] of Object.entries(value as Json)) {
          openObjects(property, `${pointer}/properties/${name}`, found);
        }
      } else if (key !== 'enum' && key !== 'example') {
        openObjects(value, `${pointer}/${key}`, found);
      }
    }
  }
  return found;
}

describe('response contract (SEC-05)', () => {
  let t: TestApp;
  let document: Json;
  const seen = new Set<string>();

  /** A request that must succeed; the test client has checked its response against the contract. */
  async function ok(request: TestRequest, status = 200): Promise<any> {
    const response = await t.request(request);
    if (response.status !== status) {
      throw new Error(`${request.method} ${request.url}: ${response.status} ${response.text}`);
    }
    seen.add(`${request.method} ${documentedPath(t.app, request.method, request.url)}`);
    return response.body;
  }

  beforeAll(async () => {
    t = await createTestApp({ role: 'all', portfolioChunkSize: 2 });
    document = buildOpenApiDocument(t.app);
  });
  afterAll(async () => {
    await t.close();
  });

  it('publishes a valid OpenAPI 3.0 document, as a client generator reads it', async () => {
    const served = await t.request({ method: 'GET', url: '/docs-json', key: null });
    const result = await new Validator().validate(served.body);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('says who may call each operation, as the guard decides it', () => {
    const access = Object.fromEntries(
      operations(document).map(({ label, operation }) => [label, operation['x-roles']]),
    );
    expect(Object.values(access).filter((who) => who === undefined)).toEqual([]);
    expect(access).toMatchObject({
      'GET /health/live': 'public',
      'GET /v1/me': 'any key',
      'POST /v1/secure-scores': ['partner', 'underwriter', 'admin'],
      'POST /v1/portfolio-runs': ['underwriter', 'actuary', 'admin'],
      'POST /v1/weighting-tables/{name}/versions/{version}/publish': ['actuary', 'admin'],
    });
    const publish = operations(document).find(
      ({ label }) => label === 'POST /v1/weighting-tables/{name}/versions/{version}/publish',
    )!.operation;
    expect(publish.description).toMatch(/^API key roles: actuary, admin\./);
  });

  it('declares a schema for every success response, and problem documents for errors', () => {
    const missing: string[] = [];
    for (const { label, operation } of operations(document)) {
      const responses = operation.responses as Json;
      const successes = Object.keys(responses).filter((status) => /^2\d\d$/.test(status));
      if (successes.length === 0) missing.push(`${label}: no success response`);
      for (const status of successes) {
        const content = responses[status].content as Json | undefined;
        if (status === '204') {
          if (content !== undefined) missing.push(`${label} 204 has content`);
        } else if (content === undefined || Object.values(content).some((m: any) => !m.schema)) {
          missing.push(`${label} ${status}: no schema`);
        }
      }
      const problem = responses.default?.content?.['application/problem+json']?.schema?.$ref;
      if (problem !== '#/components/schemas/Problem') missing.push(`${label}: no problem default`);
    }
    expect(missing).toEqual([]);
  });

  it('says what every member of every request body is (no bare object from a TypeScript union)', () => {
    // A DTO member typed `string | null` reflects as Object: without an explicit type, the
    // document would tell clients to send an object where the service takes a string.
    const bare: string[] = [];
    const visit = (schema: unknown, pointer: string): void => {
      if (typeof schema !== 'object' || schema === null) return;
      const s = schema as Json;
      if (
        s.type === 'object' &&
        s.properties === undefined &&
        s.additionalProperties === undefined &&
        s.$ref === undefined
      ) {
        bare.push(pointer);
      }
      for (const [name, property] of Object.entries((s.properties ?? {}) as Json)) {
        visit(property, `${pointer}/${name}`);
      }
      if (s.items) visit(s.items, `${pointer}/items`);
    };
    for (const [name, schema] of Object.entries(document.components.schemas as Json)) {
      visit(schema, name);
    }
    expect(bare).toEqual([]);
  });

  it('closes every object of every response schema', () => {
    const open: string[] = [];
    for (const { label, operation } of operations(document)) {
      for (const [status, response] of Object.entries(operation.responses as Json)) {
        for (const [type, media] of Object.entries((response.content ?? {}) as Json)) {
          openObjects(media.schema, `${label} ${status} ${type}`, open);
        }
      }
    }
    openObjects(document.components.schemas.Problem, 'Problem', open);
    expect(open).toEqual([]);
  });

  it('fails a response with a member its schema does not name, or an undeclared status', () => {
    const request = { method: 'GET', url: '/v1/me' };
    const me = { keyId: '0b6f1f3e-8a61-4d0e-9f55-5a0c4d0f2a11', role: 'admin', partnerId: null };
    const check = (status: number, body: unknown, contentType = 'application/json') =>
      checkResponseContract(t.app, request, { status, contentType, text: JSON.stringify(body) });
    expect(() => check(200, me)).not.toThrow();
    expect(() => check(200, { ...me, keyHash: 'x' })).toThrow(/must NOT have additional/);
    expect(() => check(200, { ...me, role: 'root' })).toThrow(/must be equal to one of/);
    expect(() => check(201, me)).toThrow(/does not declare/);
    expect(() => check(200, me, 'text/html')).toThrow(/declared: application\/json/);
    const notFound = { type: 'x', title: 'x', status: 404, detail: 'x' };
    expect(() => check(404, notFound, 'application/problem+json')).not.toThrow();
    expect(() => check(404, { ...notFound, hash: 'x' }, 'application/problem+json')).toThrow(
      /must NOT have additional/,
    );
    expect(() => check(404, notFound)).toThrow(/declared: application\/problem\+json/);
    expect(() => check(500, notFound, 'application/problem+json')).toThrow(/answered 500/);
  });

  it('walks every operation once, each response as documented', async () => {
    await ok({ method: 'GET', url: '/health/live', key: null });
    await ok({ method: 'GET', url: '/health/ready', key: null });
    await ok({ method: 'GET', url: '/v1/me' });

    const partner = await ok(
      { method: 'POST', url: '/v1/partners', body: { name: 'Contoso' } },
      201,
    );
    await ok({ method: 'GET', url: '/v1/partners' });
    const key = await ok(
      {
        method: 'POST',
        url: '/v1/api-keys',
        body: { name: 'feed', role: 'partner', partnerId: partner.id },
      },
      201,
    );
    await ok({ method: 'GET', url: '/v1/api-keys' });

    const ingested = await ok(
      { method: 'POST', url: '/v1/secure-scores', body: fixture('heimdall2.secureScore.json') },
      201,
    );
    const clientTenantId = ingested.snapshots[0].clientTenantId as string;
    await ok({
      method: 'POST',
      url: '/v1/secure-scores',
      body: fixture('heimdall2.secureScore.json'),
    });
    await ok({
      method: 'POST',
      url: '/v1/control-profiles',
      body: fixture('heimdall2.profiles.page1.json'),
    });
    await ok({ method: 'GET', url: '/v1/client-tenants' });
    await ok({ method: 'GET', url: `/v1/client-tenants/${clientTenantId}` });
    await ok({
      method: 'PATCH',
      url: `/v1/client-tenants/${clientTenantId}`,
      body: { name: 'Heimdall', industry: 'healthcare' },
    });
    await ok({ method: 'GET', url: `/v1/client-tenants/${clientTenantId}/secure-scores` });
    await ok({
      method: 'GET',
      url: `/v1/client-tenants/${clientTenantId}/secure-scores?include=controls`,
    });

    await publishTable(t, 'walk.1', '2024-01-01', { effectiveTo: '2025-01-01' });
    const table = { ...exampleTable(), version: 'walk.2', effectiveFrom: '2025-01-01' };
    await ok({ method: 'POST', url: '/v1/weighting-tables', body: table }, 201);
    const draft = '/v1/weighting-tables/sme-cyber/versions/walk.2';
    await ok({ method: 'PUT', url: draft, body: { ...table, description: 'Recalibrated' } });
    await ok({
      method: 'PATCH',
      url: draft,
      body: { factorCap: 1.9 },
      headers: { 'content-type': 'application/merge-patch+json' },
    });
    await ok({ method: 'GET', url: draft });
    await ok({ method: 'GET', url: '/v1/weighting-tables' });
    await ok({ method: 'GET', url: '/v1/weighting-tables/sme-cyber/versions' });
    await ok({ method: 'GET', url: '/v1/weighting-tables/sme-cyber/versions/walk.1/diff/walk.2' });
    await ok({ method: 'POST', url: `${draft}/publish` });
    await ok(
      { method: 'POST', url: '/v1/weighting-tables', body: { ...table, version: 'walk.3' } },
      201,
    );
    await ok({ method: 'DELETE', url: '/v1/weighting-tables/sme-cyber/versions/walk.3' }, 204);

    const snapshot = fixture('heimdall2.secureScore.json').value[0];
    await ok({
      method: 'POST',
      url: '/v1/rate',
      body: { snapshot, table: { name: 'sme-cyber' }, asOf: '2024-01-20T00:00:00Z' },
    });
    await ok({
      method: 'POST',
      url: '/v1/rate',
      body: { snapshot, table: exampleTable(), controlStates: { AdminMFAV2: 'ThirdParty' } },
    });

    const assessment = await ok(
      {
        method: 'POST',
        url: `/v1/client-tenants/${clientTenantId}/assessments`,
        body: { asOf: '2024-01-20T00:00:00Z', table: { name: 'sme-cyber' } },
      },
      201,
    );
    await ok({ method: 'GET', url: `/v1/assessments/${assessment.id}` });
    await ok({
      method: 'GET',
      url: `/v1/assessments/${assessment.id}`,
      headers: { accept: 'text/html' },
    });
    await ok({ method: 'POST', url: `/v1/assessments/${assessment.id}/replay` });
    await ok({ method: 'GET', url: `/v1/client-tenants/${clientTenantId}/assessments` });

    const run = await ok(
      {
        method: 'POST',
        url: '/v1/portfolio-runs',
        body: {
          table: { name: 'sme-cyber', version: 'walk.2' },
          compareTo: { table: { name: 'sme-cyber', version: 'walk.1' } },
        },
      },
      202,
    );
    for (let started = Date.now(); ;) {
      const current = await ok({ method: 'GET', url: `/v1/portfolio-runs/${run.id}` });
      if (['succeeded', 'failed', 'cancelled'].includes(current.status)) {
        expect(current.status).toBe('succeeded');
        break;
      }
      if (Date.now() - started > 30_000) throw new Error(`run still ${current.status}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await ok({ method: 'GET', url: '/v1/portfolio-runs?limit=5' });
    await ok({ method: 'GET', url: `/v1/portfolio-runs/${run.id}/results` });
    await ok({ method: 'GET', url: `/v1/portfolio-runs/${run.id}/results?format=csv` });
    await ok({ method: 'POST', url: `/v1/portfolio-runs/${run.id}/cancel` });

    await ok({ method: 'POST', url: `/v1/api-keys/${key.id}/revoke` });

    const all = operations(document).map(({ label }) => label);
    expect(all.filter((label) => !seen.has(label))).toEqual([]);
  });
});
