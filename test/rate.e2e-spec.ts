import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { canonicalSha256 } from '../src/common/canonical-json.js';
import { EXAMPLES, exampleTable, fixture, FIXTURES } from './support/fixtures.js';
import { runCli } from './support/processes.js';
import { publishTable } from './support/tables.js';
import { createTestApp, TestApp } from './support/test-app.js';

const HEIMDALL = 'heimdall2.secureScore.json';
const GRAPH2OTEL = 'graph2otel.liveScores.json';

/** rating-spec.md §6, the first golden example. */
const HEIMDALL_AT_2024_01_20 = {
  index: '70.59',
  tier: 'B',
  factor: '1.0800',
  decision: 'accept',
  missingControls: ['scid_2010'],
};

describe('POST /v1/rate', () => {
  let t: TestApp;
  let underwriterKey: string;
  let actuaryKey: string;
  beforeAll(async () => {
    t = await createTestApp();
    // The example table applies from 2027; copies in force earlier let the golden examples rate by name.
    await publishTable(t, 'golden.1', '2024-01-01', { effectiveTo: '2026-01-01' });
    await publishTable(t, 'golden.2', '2026-01-01');
    await publishTable(t, 'draft.1', '2024-01-01', { adoption: { missing: 'exclude' } }, false);
    for (const role of ['underwriter', 'actuary'] as const) {
      const created = await t.request({
        method: 'POST',
        url: '/v1/api-keys',
        body: { name: role, role },
      });
      if (role === 'underwriter') underwriterKey = created.body.key;
      else actuaryKey = created.body.key;
    }
  });
  afterAll(async () => {
    await t.close();
  });

  const rate = (body: unknown, key?: string) =>
    t.request({ method: 'POST', url: '/v1/rate', body, key });

  it('rates the heimdall snapshot with the published table in force (spec §6)', async () => {
    const response = await rate(
      {
        snapshot: fixture(HEIMDALL).value[0],
        table: { name: 'sme-cyber' },
        asOf: '2024-01-20T00:00:00Z',
        industry: 'healthcare',
      },
      underwriterKey,
    );
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      ...HEIMDALL_AT_2024_01_20,
      table: {
        name: 'sme-cyber',
        version: 'golden.1',
        sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      },
      snapshot: { id: '12345678-1234-1234-1234-1234567890abcd_2024-01-01' },
    });
    expect(response.body.contributions[0]).toMatchObject({ control: 'scid_2010', gap: '7.8431' });
    const stored = await t.request({
      method: 'GET',
      url: '/v1/weighting-tables/sme-cyber/versions/golden.1',
    });
    expect(response.body.table.sha256).toBe(stored.body.sha256);
  });

  it('rates with an inline table document exactly as with the same table stored', async () => {
    const document = exampleTable();
    const response = await rate({
      snapshot: fixture(HEIMDALL),
      table: document,
      asOf: '2024-01-20T00:00:00Z',
      industry: 'healthcare',
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      ...HEIMDALL_AT_2024_01_20,
      table: { name: 'sme-cyber', version: '2027.1', sha256: canonicalSha256(document) },
    });
    const stored = await rate({
      snapshot: fixture(HEIMDALL),
      table: { name: 'sme-cyber', version: 'golden.1' },
      asOf: '2024-01-20T00:00:00Z',
      industry: 'healthcare',
    });
    // Everything but the table's identity is the same.
    expect({ ...stored.body, table: null }).toEqual({ ...response.body, table: null });
  });

  it('rates the graph2otel capture at 2026-07-20: decline, and the best improvement is AdminMFAV2 (spec §6)', async () => {
    const response = await rate({
      snapshot: fixture(GRAPH2OTEL),
      table: { name: 'sme-cyber' },
      asOf: '2026-07-20T00:00:00Z',
      industry: 'healthcare',
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      index: '30.08',
      tier: 'E',
      factor: '1.9200',
      decision: 'decline',
      table: { version: 'golden.2' },
    });
    expect(response.body.reasons).toContain('ADMIN_MFA_NOT_ENFORCED');
    expect(response.body.improvements[0]).toEqual({
      control: 'AdminMFAV2',
      index: expect.any(String),
      tier: 'D',
      factor: '1.5000',
      decision: 'refer',
    });
  });

  it('takes control states into account (ThirdParty points earn the table credit only)', async () => {
    const body = {
      snapshot: fixture(HEIMDALL),
      table: { name: 'sme-cyber' },
      asOf: '2024-01-20T00:00:00Z',
      industry: 'healthcare',
    };
    const plain = await rate(body);
    const thirdParty = await rate({
      ...body,
      controlStates: { mdo_safeattachments: 'ThirdParty', AdminMFAV2: 'ThirdParty' },
    });
    expect(thirdParty.status).toBe(200);
    expect(Number(thirdParty.body.index)).toBeLessThan(Number(plain.body.index));
  });

  it('rates with a draft named explicitly for actuaries and admins only', async () => {
    const body = {
      snapshot: fixture(HEIMDALL),
      table: { name: 'sme-cyber', version: 'draft.1' },
      asOf: '2024-01-20T00:00:00Z',
    };
    const actuary = await rate(body, actuaryKey);
    expect([actuary.status, actuary.body.table?.version]).toEqual([200, 'draft.1']);
    const underwriter = await rate(body, underwriterKey);
    expect([underwriter.status, underwriter.body.type]).toEqual([
      422,
      'urn:securescore:problem:no-table-in-force',
    ]);
    // A draft is never the version in force.
    const unnamed = await rate(
      { ...body, table: { name: 'sme-cyber' }, asOf: '2023-06-01T00:00:00Z' },
      actuaryKey,
    );
    expect(unnamed.status).toBe(422);
  });

  it('answers 422 when no version is in force, or the table named does not exist', async () => {
    for (const [table, pointer] of [
      [{ name: 'sme-cyber' }, '/table/name'],
      [{ name: 'no-such-table' }, '/table/name'],
      [{ name: 'sme-cyber', version: '9.9' }, '/table/version'],
    ] as const) {
      const response = await rate({
        snapshot: fixture(HEIMDALL),
        table,
        asOf: '2020-01-01T00:00:00Z',
      });
      expect([response.status, response.body.type]).toEqual([
        422,
        'urn:securescore:problem:no-table-in-force',
      ]);
      expect(response.body.errors).toEqual([{ pointer, message: response.body.detail }]);
    }
  });

  it('checks the snapshot exactly as ingestion does, with pointers under /snapshot', async () => {
    const snapshot = fixture(HEIMDALL).value[0];
    snapshot.createdDateTime = 'yesterday';
    snapshot.controlScores[2].scoreInPercentage = 'lots';
    const response = await rate({ snapshot, table: { name: 'sme-cyber' } });
    expect(response.status).toBe(422);
    const pointers = response.body.errors.map((e: { pointer: string }) => e.pointer);
    expect(pointers).toEqual(
      expect.arrayContaining([
        '/snapshot/createdDateTime',
        '/snapshot/controlScores/2/scoreInPercentage',
      ]),
    );
    expect(pointers.every((p: string) => p.startsWith('/snapshot'))).toBe(true);

    const two = fixture(HEIMDALL);
    two.value.push({ ...two.value[0], createdDateTime: '2024-01-02T00:00:00Z' });
    const several = await rate({ snapshot: two, table: { name: 'sme-cyber' } });
    expect([several.status, several.body.errors]).toEqual([
      422,
      [{ pointer: '/snapshot', message: expect.stringContaining('exactly one') }],
    ]);
    // A message naming another place names it in the request too.
    const clash = fixture(HEIMDALL);
    clash.value.push({ ...clash.value[0], currentScore: 1 });
    const clashing = await rate({ snapshot: clash, table: { name: 'sme-cyber' } });
    expect(clashing.body.errors).toEqual([
      {
        pointer: '/snapshot/value/1/createdDateTime',
        message: expect.stringContaining('instant of /snapshot/value/0 with different content'),
      },
    ]);
  });

  it('lists every violation of the envelope and an inline table, never a 5xx', async () => {
    const table: any = exampleTable();
    table.tiers[0].factor = 0;
    const response = await rate({
      snapshot: fixture(HEIMDALL),
      table,
      asOf: '2024-02-30T00:00:00Z',
      industry: 'Health Care',
      controlStates: { AdminMFAV2: 'Enabled' },
      colour: 'blue',
    });
    expect(response.status).toBe(422);
    expect(response.body.errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual(
      [
        '/asOf',
        '/colour',
        '/controlStates/AdminMFAV2',
        '/industry',
        '/table/tiers/0/factor',
      ].sort(),
    );
    const bodies: unknown[] = [
      {},
      [],
      'text',
      null,
      { snapshot: null, table: null },
      { snapshot: {}, table: {} },
      { snapshot: fixture(HEIMDALL), table: { name: 'Bad Name' } },
      { snapshot: fixture(HEIMDALL), table: { name: 'sme-cyber', version: 7 } },
      { snapshot: fixture(HEIMDALL), table: 'sme-cyber' },
      { snapshot: fixture(HEIMDALL), table: { name: 'sme-cyber' }, asOf: 20240120 },
      { snapshot: fixture(HEIMDALL), table: { name: 'sme-cyber' }, asOf: '0000-01-01T00:00:00Z' },
      {
        snapshot: fixture(HEIMDALL),
        table: { name: 'sme-cyber' },
        asOf: '9999-12-31T23:00:00-14:00',
      },
      { snapshot: fixture(HEIMDALL), table: { name: 'sme-cyber' }, controlStates: [] },
      { snapshot: fixture(HEIMDALL), table: { ...exampleTable(), tiers: 'none' } },
      { snapshot: [fixture(HEIMDALL).value[0]], table: { name: 'sme-cyber', version: '' } },
    ];
    for (const body of bodies) {
      const bad = await rate(body);
      expect([JSON.stringify(body).slice(0, 80), bad.status]).toEqual([
        JSON.stringify(body).slice(0, 80),
        422,
      ]);
      expect(bad.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
    expect(
      (
        await t.request({
          method: 'POST',
          url: '/v1/rate',
          rawBody: '{"snapshot": ',
          headers: { 'content-type': 'application/json' },
        })
      ).status,
    ).toBe(400);
    expect(
      (await rate({ snapshot: fixture(HEIMDALL), table: { name: 'sme-cyber' } }, null as never))
        .status,
    ).toBe(401);
  });
});

describe('the rate command', () => {
  let t: TestApp;
  let dir: string;
  beforeAll(async () => {
    t = await createTestApp();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssu-rate-'));
    await publishTable(t, 'cli.1', '2024-01-01');
  });
  afterAll(async () => {
    fs.rmSync(dir, { recursive: true, force: true });
    await t.close();
  });

  it('prints a rating worksheet for a snapshot file and a table file, or a stored table by name', async () => {
    const env = { DATABASE_URL: t.databaseUrl };
    const args = [
      '--as-of',
      '2024-01-20T00:00:00Z',
      '--industry',
      'healthcare',
      path.join(FIXTURES, HEIMDALL),
    ];
    const fromFile = await runCli(
      ['rate', '--table', path.join(EXAMPLES, 'weighting-table.sme-cyber-2027.1.json'), ...args],
      env,
    );
    expect(fromFile.code).toBe(0);
    expect(fromFile.stdout).toMatch(/^Index\s+70\.59$/m);
    expect(fromFile.stdout).toMatch(/^Tier\s+B$/m);
    expect(fromFile.stdout).toMatch(/^Factor\s+1\.0800$/m);
    expect(fromFile.stdout).toMatch(/^Decision\s+accept$/m);
    expect(fromFile.stdout).toMatch(/^Missing\s+scid_2010$/m);
    expect(fromFile.stdout).toMatch(/^ {2}scid_2010\s+6\s+0(\.0+)?\s+0\.0+\s+7\.8431$/m);
    expect(fromFile.stdout).toMatch(/^ {2}fix \S+: factor 1\.0800 → \d\.\d{4}/m);

    const byName = await runCli(['rate', '--table', 'sme-cyber@cli.1', ...args], env);
    expect(byName.code).toBe(0);
    expect(byName.stdout).toMatch(/^Table\s+sme-cyber cli\.1 /m);
    expect(byName.stdout).toMatch(/^Factor\s+1\.0800$/m);

    const missing = await runCli(
      [
        'rate',
        '--table',
        'sme-cyber',
        '--as-of',
        '2020-01-01T00:00:00Z',
        path.join(FIXTURES, HEIMDALL),
      ],
      env,
    );
    expect([missing.code, missing.stderr]).toEqual([
      1,
      expect.stringContaining('No published weighting table version'),
    ]);
    expect(fromFile.stdout).not.toContain('Warnings');
  }, 90_000);

  it('lists the controls the catalog does not know, with control characters escaped', async () => {
    const snapshot = fixture<{ value: Record<string, any>[] }>(HEIMDALL).value[0];
    snapshot.controlScores.push({
      controlName: 'made_up\u001b[2J',
      score: 0,
      scoreInPercentage: 0,
    });
    const file = path.join(dir, 'unknown-control.json');
    fs.writeFileSync(file, JSON.stringify(snapshot));
    const result = await runCli(
      ['rate', '--table', 'sme-cyber@cli.1', '--as-of', '2024-01-20T00:00:00Z', file],
      { DATABASE_URL: t.databaseUrl },
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Warnings$/m);
    expect(result.stdout).toContain('  made_up\\u001b[2J: Not in the control catalog');
    expect(result.stdout).not.toContain('\u001b[2J');
  }, 30_000);
});
