import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { exampleTable, fixture } from './support/fixtures.js';
import { publishTable } from './support/tables.js';
import { createTestApp, TestApp } from './support/test-app.js';

describe('assessments', () => {
  let t: TestApp;
  let db: pg.Client;
  let tenantId: string;
  let partnerKey: string;
  let assessmentId: string;

  beforeAll(async () => {
    t = await createTestApp({ role: 'api' });
    db = new pg.Client({ connectionString: t.databaseUrl });
    await db.connect();
    const partner = await t.request({
      method: 'POST',
      url: '/v1/partners',
      body: { name: 'Other broker' },
    });
    partnerKey = (
      await t.request({
        method: 'POST',
        url: '/v1/api-keys',
        body: { name: 'b', role: 'partner', partnerId: partner.body.id },
      })
    ).body.key;
    const ingested = await t.request({
      method: 'POST',
      url: '/v1/secure-scores',
      body: fixture('heimdall2.secureScore.json'),
    });
    tenantId = ingested.body.snapshots[0].clientTenantId;
    await t.request({
      method: 'PATCH',
      url: `/v1/client-tenants/${tenantId}`,
      body: { industry: 'healthcare' },
    });
    await publishTable(t, 'test.1', '2024-01-01', { effectiveTo: '2025-01-01' });
    const tiers = exampleTable().tiers;
    tiers[1] = { ...tiers[1], minIndex: 75 };
    await publishTable(t, 'test.2', '2025-01-01', { tiers });
  });
  afterAll(async () => {
    await db.end();
    await t.close();
  });

  it('rates and files the worked example: index 70.59, tier B, factor 1.0800, accept', async () => {
    const response = await t.request({
      method: 'POST',
      url: `/v1/client-tenants/${tenantId}/assessments`,
      body: { asOf: '2024-01-20T00:00:00Z', table: { name: 'sme-cyber' } },
    });
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({
      id: expect.any(String),
      clientTenantId: tenantId,
      index: '70.59',
      tier: 'B',
      factor: '1.0800',
      decision: 'accept',
      missingControls: ['scid_2010'],
      table: {
        name: 'sme-cyber',
        version: 'test.1',
        sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      },
    });
    expect(response.body.contributions[0]).toMatchObject({ control: 'scid_2010', gap: '7.8431' });
    expect(response.body.warnings).toEqual([]);
    assessmentId = response.body.id;
    expect(response.headers.location).toBe(`/v1/assessments/${assessmentId}`);
    const read = await t.request({ method: 'GET', url: `/v1/assessments/${assessmentId}` });
    expect(read.body).toEqual(response.body);
  });

  it('files once per Idempotency-Key: a retry replays the first answer, concurrent ones store one', async () => {
    // A client tenant of its own: the history test reads the first one's assessments.
    const payload = fixture<{ value: Record<string, any>[] }>('heimdall2.secureScore.json');
    const ingested = await t.request({
      method: 'POST',
      url: '/v1/secure-scores',
      body: { ...payload.value[0], azureTenantId: 'idempotent-assessments' },
    });
    const url = `/v1/client-tenants/${ingested.body.snapshots[0].clientTenantId}/assessments`;
    const body = { asOf: '2024-01-21T00:00:00Z', table: { name: 'sme-cyber' } };
    const count = async () =>
      Number((await db.query(`SELECT count(*) FROM assessments`)).rows[0].count);
    const before = await count();
    const file = (key: string, sent: object = body) =>
      t.request({ method: 'POST', url, body: sent, headers: { 'idempotency-key': key } });
    const first = await file('assessment-retry-1');
    const retry = await file('assessment-retry-1');
    expect([first.status, retry.status]).toEqual([201, 201]);
    expect(retry.body).toEqual(first.body);
    expect([first.headers['idempotent-replayed'], retry.headers['idempotent-replayed']]).toEqual([
      undefined,
      'true',
    ]);
    expect(retry.headers.location).toBe(`/v1/assessments/${first.body.id}`);
    const reused = await file('assessment-retry-1', { ...body, asOf: '2024-01-22T00:00:00Z' });
    expect([reused.status, reused.body.type]).toEqual([
      422,
      'urn:securescore:problem:idempotency-key-reused',
    ]);
    const concurrent = await Promise.all(
      Array.from({ length: 10 }, () => file('assessment-retry-2')),
    );
    expect(concurrent.every((r) => r.status === 201 || r.status === 409)).toBe(true);
    expect(new Set(concurrent.filter((r) => r.status === 201).map((r) => r.body.id)).size).toBe(1);
    expect(await count()).toBe(before + 2);
  });

  it('replays a stored assessment bit for bit', async () => {
    const replay = await t.request({
      method: 'POST',
      url: `/v1/assessments/${assessmentId}/replay`,
    });
    expect(replay.status).toBe(200);
    expect(replay.body).toEqual({ matches: true, differences: [] });
  });

  it('renders a printable worksheet for Accept: text/html', async () => {
    const page = await t.request({
      method: 'GET',
      url: `/v1/assessments/${assessmentId}`,
      headers: { accept: 'text/html' },
    });
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.text).toContain('1.0800');
    expect(page.text).toContain('Fix ');
    expect(page.text).toMatch(/&rarr;/);
  });

  it('writes an audit row that the service role cannot change, and keeps assessments append-only', async () => {
    const audit = await db.query(
      `SELECT action, after_sha256 FROM audit_log WHERE entity_id = $1`,
      [assessmentId],
    );
    expect(audit.rows).toEqual([
      { action: 'assessment.created', after_sha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
    ]);
    await expect(
      db.query(`UPDATE audit_log SET action = 'tampered' WHERE entity_id = $1`, [assessmentId]),
    ).rejects.toThrow(/append-only/);
    await expect(
      db.query(`UPDATE assessments SET tier = 'A' WHERE id = $1`, [assessmentId]),
    ).rejects.toThrow(/append-only/);
    await expect(db.query(`DELETE FROM assessments WHERE id = $1`, [assessmentId])).rejects.toThrow(
      /append-only/,
    );
  });

  it('marks tier changes in the history, newest first', async () => {
    const later = await t.request({
      method: 'POST',
      url: `/v1/client-tenants/${tenantId}/assessments`,
      body: { asOf: '2025-02-01T00:00:00Z', table: { name: 'sme-cyber' } },
    });
    expect(later.status).toBe(201);
    expect(later.body).toMatchObject({ tier: 'C', table: { version: 'test.2' } });
    const history = await t.request({
      method: 'GET',
      url: `/v1/client-tenants/${tenantId}/assessments`,
    });
    expect(history.body.items.map((a: any) => [a.tier, a.previousTier, a.tierChange])).toEqual([
      ['C', 'B', true],
      ['B', null, false],
    ]);
  });

  it('answers 422 when there is no snapshot at asOf or no table in force', async () => {
    const early = await t.request({
      method: 'POST',
      url: `/v1/client-tenants/${tenantId}/assessments`,
      body: { asOf: '2023-06-01T00:00:00Z', table: { name: 'sme-cyber', version: 'test.1' } },
    });
    expect(early.status).toBe(422);
    // A snapshot named by id but taken after asOf: its age would be negative, rated as fresh.
    const history = await t.request({
      method: 'GET',
      url: `/v1/client-tenants/${tenantId}/secure-scores`,
    });
    const [latest] = history.body.items;
    const before = new Date(new Date(latest.createdDateTime).getTime() - 1).toISOString();
    const later = await t.request({
      method: 'POST',
      url: `/v1/client-tenants/${tenantId}/assessments`,
      body: {
        asOf: before,
        snapshotId: latest.id,
        table: { name: 'sme-cyber', version: 'test.1' },
      },
    });
    expect([later.status, later.body.errors]).toEqual([
      422,
      [{ pointer: '/snapshotId', message: expect.stringContaining(`, after asOf (${before})`) }],
    ]);
    const noTable = await t.request({
      method: 'POST',
      url: `/v1/client-tenants/${tenantId}/assessments`,
      body: { asOf: '2020-06-01T00:00:00Z', table: { name: 'sme-cyber' } },
    });
    expect(noTable.status).toBe(422);
    expect(noTable.body.errors).toEqual([
      {
        pointer: '/table/name',
        message: 'No published weighting table version of sme-cyber is in force on 2020-06-01',
      },
    ]);
    const compared = await t.request({
      method: 'POST',
      url: '/v1/portfolio-runs',
      body: {
        table: { name: 'sme-cyber' },
        compareTo: { table: { name: 'sme-cyber', version: 'nope.1' } },
      },
    });
    expect(compared.body.errors).toEqual([
      {
        pointer: '/compareTo/table/version',
        message: 'Weighting table sme-cyber version nope.1 does not exist',
      },
    ]);
  });

  it.each([
    ['2024-01-20T00:00:00'],
    ['2024-01-20T00:00'],
    ['2024-01-20'],
    ['10000-01-01T00:00:00Z'],
  ])(
    'answers 422 to an asOf without a time zone or outside the years 1 to 9999: %s',
    async (asOf) => {
      // Without a zone, the instant would depend on the server's time zone (TZ).
      const response = await t.request({
        method: 'POST',
        url: `/v1/client-tenants/${tenantId}/assessments`,
        body: { asOf, table: { name: 'sme-cyber' } },
      });
      expect(response.status).toBe(422);
      expect(response.body.errors).toEqual([
        { pointer: '/asOf', message: expect.stringContaining('time zone') },
      ]);
    },
  );

  it.each([
    [
      '/v1/client-tenants/{tenant}/assessments',
      { table: { name: 'sme-cyber', version: null } },
      '/table/version',
    ],
    ['/v1/portfolio-runs', { table: { name: 'sme-cyber', version: null } }, '/table/version'],
    ['/v1/portfolio-runs', { table: { name: 'sme-cyber', version: '..' } }, '/table/version'],
    [
      '/v1/portfolio-runs',
      { table: { name: 'sme-cyber' }, compareTo: { table: { name: 'sme-cyber', version: null } } },
      '/compareTo/table/version',
    ],
  ])('answers 422 to a table version that names none on %s: %j', async (url, body, pointer) => {
    const counts = async () =>
      (
        await db.query(
          `SELECT (SELECT count(*) FROM assessments) + (SELECT count(*) FROM portfolio_runs) AS n`,
        )
      ).rows[0].n;
    const before = await counts();
    const response = await t.request({
      method: 'POST',
      url: url.replace('{tenant}', tenantId),
      body,
    });
    expect(response.status).toBe(422);
    expect(response.body.errors).toEqual([
      { pointer, message: expect.stringContaining('version must be 1 to 32') },
    ]);
    expect(await counts()).toBe(before);
  });

  it('takes a client tenant id written in capitals for the same client tenant', async () => {
    const upper = tenantId.toUpperCase();
    const created = await t.request({
      method: 'POST',
      url: `/v1/client-tenants/${upper}/assessments`,
      body: { asOf: '2024-01-20T00:00:00Z', table: { name: 'sme-cyber', version: 'test.1' } },
    });
    expect(created.status).toBe(201);
    expect(created.body.clientTenantId).toBe(tenantId);
    const history = await t.request({
      method: 'GET',
      url: `/v1/client-tenants/${upper}/assessments`,
    });
    expect(history.body.items.map((a: { id: string }) => a.id)).toContain(created.body.id);
    const patched = await t.request({
      method: 'PATCH',
      url: `/v1/client-tenants/${upper}`,
      body: { name: 'Capitals Ltd' },
    });
    expect(patched.body).toMatchObject({ id: tenantId, name: 'Capitals Ltd' });
    const audit = await db.query(
      `SELECT entity_id, client_tenant_id::text FROM audit_log WHERE action = 'client-tenant.updated' ORDER BY id DESC LIMIT 1`,
    );
    expect(audit.rows[0]).toEqual({ entity_id: tenantId, client_tenant_id: tenantId });
    expect(
      (
        await t.request({
          method: 'GET',
          url: `/v1/client-tenants/${upper}/assessments`,
          key: partnerKey,
        })
      ).status,
    ).toBe(404);
  });

  it('hides assessments from other partners (404)', async () => {
    for (const request of [
      { method: 'GET' as const, url: `/v1/assessments/${assessmentId}` },
      { method: 'POST' as const, url: `/v1/assessments/${assessmentId}/replay` },
      { method: 'GET' as const, url: `/v1/client-tenants/${tenantId}/assessments` },
      { method: 'POST' as const, url: `/v1/client-tenants/${tenantId}/assessments`, body: {} },
    ]) {
      const response = await t.request({ ...request, key: partnerKey });
      expect(response.status).toBe(404);
    }
  });

  it('keeps the catalog maxScores its rating read, and replays them after the catalog moved', async () => {
    // Without a percentage or maxScore of its own, Safe Attachments' adoption is score / the
    // catalog's maxScore (8); every other control carries its percentage.
    const payload = fixture<{ value: Record<string, any>[] }>('heimdall2.secureScore.json');
    const snapshot: Record<string, any> = {
      ...payload.value[0],
      azureTenantId: 'catalog-reader-tenant',
    };
    snapshot.controlScores = snapshot.controlScores.map((score: Record<string, unknown>) => {
      if (score.controlName !== 'mdo_safeattachments') return score;
      const { scoreInPercentage, ...rest } = score;
      void scoreInPercentage;
      return { ...rest, score: 4 };
    });
    const ingested = await t.request({ method: 'POST', url: '/v1/secure-scores', body: snapshot });
    const readerId = ingested.body.snapshots[0].clientTenantId;
    const assess = () =>
      t.request({
        method: 'POST',
        url: `/v1/client-tenants/${readerId}/assessments`,
        body: { asOf: '2024-01-20T00:00:00Z', table: { name: 'sme-cyber' } },
      });
    const filed = await assess();
    expect(filed.status).toBe(201);
    const contribution = (body: any) =>
      body.contributions.find((c: { control: string }) => c.control === 'mdo_safeattachments');
    expect(contribution(filed.body).adoption).toBe('0.5000');
    const stored = await db.query(`SELECT catalog_max_scores FROM assessments WHERE id = $1`, [
      filed.body.id,
    ]);
    expect(stored.rows[0].catalog_max_scores).toEqual({ mdo_safeattachments: '8' });

    const profiles = await t.request({
      method: 'POST',
      url: '/v1/control-profiles',
      body: [{ id: 'mdo_safeattachments', title: 'Turn on Safe Attachments', maxScore: 16 }],
    });
    expect(profiles.status).toBe(200);
    try {
      expect(contribution((await assess()).body).adoption).toBe('0.2500');
      const replay = await t.request({
        method: 'POST',
        url: `/v1/assessments/${filed.body.id}/replay`,
      });
      expect(replay.body).toEqual({ matches: true, differences: [] });
    } finally {
      await t.request({
        method: 'POST',
        url: '/v1/control-profiles',
        body: [{ id: 'mdo_safeattachments', title: 'Turn on Safe Attachments', maxScore: 8 }],
      });
    }
  });

  it("takes an app instance's profile (11770.MDA_…) for the control named without it", async () => {
    // Defender for Cloud Apps ids carry the app instance since 2024 (securescore-contract §3).
    const profiles = await t.request({
      method: 'POST',
      url: '/v1/control-profiles',
      body: [
        {
          id: '44444.MDA_Instance_Test',
          title: 'An app instance control',
          controlCategory: 'Apps',
          maxScore: 8,
          azureTenantId: 'instance-tenant',
          controlStateUpdates: [{ state: 'ThirdParty', updatedDateTime: '2024-01-01T00:00:00Z' }],
        },
      ],
    });
    expect(profiles.status).toBe(200);
    const payload = fixture<{ value: Record<string, any>[] }>('heimdall2.secureScore.json');
    const snapshot: Record<string, any> = { ...payload.value[0], azureTenantId: 'instance-tenant' };
    snapshot.controlScores = [
      ...snapshot.controlScores,
      { controlName: 'MDA_Instance_Test', controlCategory: 'Apps', score: 4 },
    ];
    const ingested = await t.request({ method: 'POST', url: '/v1/secure-scores', body: snapshot });
    expect(ingested.status).toBe(201);
    expect(ingested.body.snapshots[0].warnings ?? []).toEqual([]);
    const filed = await t.request({
      method: 'POST',
      url: `/v1/client-tenants/${ingested.body.snapshots[0].clientTenantId}/assessments`,
      body: { asOf: '2024-01-20T00:00:00Z', table: { name: 'sme-cyber' } },
    });
    expect(filed.status).toBe(201);
    // 4 of the instance's maxScore 8, credited at the table's thirdPartyCredit of 0.5.
    const control = filed.body.contributions.find(
      (c: { control: string }) => c.control === 'MDA_Instance_Test',
    );
    expect(control.adoption).toBe('0.2500');
    expect(filed.body.inputs.controlStates).toMatchObject({ MDA_Instance_Test: 'ThirdParty' });
    const replay = await t.request({
      method: 'POST',
      url: `/v1/assessments/${filed.body.id}/replay`,
    });
    expect(replay.body).toEqual({ matches: true, differences: [] });
  });

  it('takes an undated control state as in force from when it was recorded, never back-dated', async () => {
    const azureTenantId = 'undated-state-tenant';
    const payload = fixture<{ value: Record<string, any>[] }>('heimdall2.secureScore.json');
    const ingested = await t.request({
      method: 'POST',
      url: '/v1/secure-scores',
      body: { ...payload.value[0], azureTenantId },
    });
    expect(ingested.status).toBe(201);
    const tenantId = ingested.body.snapshots[0].clientTenantId;
    const pushState = (state: string) =>
      t.request({
        method: 'POST',
        url: '/v1/control-profiles',
        body: [{ id: 'AdminMFAV2', azureTenantId, controlStateUpdates: [{ state }] }],
      });
    const stateAt = async (asOf: string) =>
      (
        await t.request({
          method: 'POST',
          url: `/v1/client-tenants/${tenantId}/assessments`,
          body: { asOf, table: { name: 'sme-cyber' } },
        })
      ).body.inputs.controlStates.AdminMFAV2 ?? 'none';
    const rows = async () =>
      (
        await db.query(
          `SELECT state FROM client_tenant_control_states
            WHERE client_tenant_id = $1 AND control_name = 'AdminMFAV2' ORDER BY effective_at`,
          [tenantId],
        )
      ).rows.map((row: { state: string }) => row.state);

    // An untouched Default changes nothing in force, and is not recorded.
    expect((await pushState('Default')).status).toBe(200);
    expect(await rows()).toEqual([]);
    expect((await pushState('thirdParty')).status).toBe(200);
    // An instant after that push and before the next ones.
    const pause = () => new Promise((resolve) => setTimeout(resolve, 10));
    await pause();
    const now = new Date().toISOString();
    await pause();
    // An assessment as of January 2024 rates what was known then: the state came later.
    expect(await stateAt('2024-01-20T00:00:00Z')).toBe('none');
    expect(await stateAt(now)).toBe('ThirdParty');
    // Pushed again unchanged: nothing new; changed: a new row, the old one kept.
    await pushState('ThirdParty');
    expect(await rows()).toEqual(['ThirdParty']);
    await pushState('Ignored');
    expect(await rows()).toEqual(['ThirdParty', 'Ignored']);
    expect(await stateAt(now)).toBe('ThirdParty');
  });

  it('rates, files and replays a control named __proto__ with its third-party state', async () => {
    const payload = fixture<{ value: Record<string, any>[] }>('heimdall2.secureScore.json');
    const snapshot: Record<string, any> = { ...payload.value[0], azureTenantId: 'proto-tenant' };
    snapshot.controlScores = [
      ...snapshot.controlScores,
      { controlName: '__proto__', controlCategory: 'Identity', score: 2, scoreInPercentage: 40 },
    ];
    const ingested = await t.request({ method: 'POST', url: '/v1/secure-scores', body: snapshot });
    expect(ingested.status).toBe(201);
    expect(ingested.body.snapshots[0].warnings).toEqual([
      {
        code: 'UNKNOWN_CONTROL',
        control: '__proto__',
        pointer: '/controlScores/68/controlName',
        detail: expect.stringContaining('Not in the control catalog'),
      },
    ]);
    const profiles = await t.request({
      method: 'POST',
      url: '/v1/control-profiles',
      body: [
        {
          id: '__proto__',
          title: 'A control whose name is a JavaScript prototype key',
          azureTenantId: 'proto-tenant',
          controlStateUpdates: [{ state: 'ThirdParty', updatedDateTime: '2024-01-01T00:00:00Z' }],
        },
      ],
    });
    expect(profiles.status).toBe(200);
    const filed = await t.request({
      method: 'POST',
      url: `/v1/client-tenants/${ingested.body.snapshots[0].clientTenantId}/assessments`,
      body: { asOf: '2024-01-20T00:00:00Z', table: { name: 'sme-cyber' } },
    });
    expect(filed.status).toBe(201);
    // 40% adopted, credited at the table's thirdPartyCredit of 0.5.
    const proto = filed.body.contributions.find(
      (c: { control: string }) => c.control === '__proto__',
    );
    expect(proto.adoption).toBe('0.2000');
    // An object literal cannot spell an own __proto__ key; the entries can.
    expect(Object.entries(filed.body.inputs.controlStates)).toEqual([['__proto__', 'ThirdParty']]);
    // The explanation: unknown to the catalog when the snapshot arrived (the profile came
    // later), and credited as ThirdParty.
    expect(filed.body.warnings.map((w: { code: string; control: string }) => w)).toEqual([
      { code: 'UNKNOWN_CONTROL', control: '__proto__', detail: expect.any(String) },
      {
        code: 'CONTROL_STATE_THIRD_PARTY',
        control: '__proto__',
        detail: expect.stringContaining('thirdPartyCredit'),
      },
    ]);
    const worksheet = await t.request({
      method: 'GET',
      url: `/v1/assessments/${filed.body.id}`,
      headers: { accept: 'text/html' },
    });
    expect(worksheet.text).toContain('<h2>Warnings</h2>');
    expect(worksheet.text).toContain('__proto__: The tenant marked it ThirdParty');
    const replay = await t.request({
      method: 'POST',
      url: `/v1/assessments/${filed.body.id}/replay`,
    });
    expect(replay.body).toEqual({ matches: true, differences: [] });
  });

  it('stores contributions and improvements as columns, and reads the earlier object layout', async () => {
    const stored = await db.query(`SELECT rating FROM assessments WHERE id = $1`, [assessmentId]);
    expect(stored.rows[0].rating.contributions.control[0]).toBe('scid_2010');
    expect(stored.rows[0].rating.contributions.gap[0]).toBe('7.8431');
    const filed = (await t.request({ method: 'GET', url: `/v1/assessments/${assessmentId}` })).body;
    const {
      id,
      clientTenantId,
      createdAt,
      createdBy,
      portfolioRunId,
      inputs,
      warnings,
      ...rating
    } = filed;
    void [id, clientTenantId, createdAt, createdBy, portfolioRunId, inputs, warnings];
    // An assessment filed before the column layout: the same rating, one object per control.
    const legacy = await db.query(
      `INSERT INTO assessments (client_tenant_id, snapshot_id, table_name, table_version,
         table_sha256, as_of, industry, control_states, catalog_max_scores, rating, tier, factor,
         decision, created_by)
       SELECT client_tenant_id, snapshot_id, table_name, table_version, table_sha256, as_of,
         industry, control_states, catalog_max_scores, $2::json, tier, factor, decision, created_by
       FROM assessments WHERE id = $1 RETURNING id`,
      [assessmentId, JSON.stringify(rating)],
    );
    const legacyId = legacy.rows[0].id;
    const read = await t.request({ method: 'GET', url: `/v1/assessments/${legacyId}` });
    expect(read.body).toEqual({ ...filed, id: legacyId, createdAt: expect.any(String) });
    const replay = await t.request({ method: 'POST', url: `/v1/assessments/${legacyId}/replay` });
    expect(replay.body).toEqual({ matches: true, differences: [] });
  });
});
