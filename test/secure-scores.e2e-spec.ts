import { randomUUID } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { SYSTEM_PRINCIPAL } from '../src/access/roles.js';
import { NO_FINDINGS } from '../src/secure-scores/catalog/control-warnings.js';
import { prepareSecureScoreBody } from '../src/secure-scores/preparation/snapshot-preparation.js';
import { writeSnapshots } from '../src/secure-scores/snapshot-writer.js';
import { exampleTable, fixture, fixtureText, snapshotFor } from './support/fixtures.js';
import { createApiKey, createTestApp, TestApp } from './support/test-app.js';

describe('Secure Score ingestion', () => {
  let t: TestApp;
  let db: pg.Client;
  let partnerKeys: { a: string; b: string; aId: string; bId: string };
  beforeAll(async () => {
    t = await createTestApp();
    db = new pg.Client({ connectionString: t.databaseUrl });
    await db.connect();
    const keyFor = async (name: string) => {
      const partner = await t.request({ method: 'POST', url: '/v1/partners', body: { name } });
      const key = await t.request({
        method: 'POST',
        url: '/v1/api-keys',
        body: { name, role: 'partner', partnerId: partner.body.id },
      });
      return { key: key.body.key as string, id: partner.body.id as string };
    };
    const a = await keyFor('Partner A');
    const b = await keyFor('Partner B');
    partnerKeys = { a: a.key, b: b.key, aId: a.id, bId: b.id };
  });
  afterAll(async () => {
    await db.end();
    await t.close();
  });

  const count = async (table = 'secure_score_snapshots') =>
    Number((await db.query(`SELECT count(*) FROM ${table}`)).rows[0].count);
  const post = (body: unknown, key?: string, headers?: Record<string, string>) =>
    t.request({ method: 'POST', url: '/v1/secure-scores', body, key, headers });
  const postProfiles = (body: unknown, key?: string) =>
    t.request({ method: 'POST', url: '/v1/control-profiles', body, key });
  /** A real payload byte for byte (the .jsonc documentation example is not even JSON). */
  const postProfilesFixture = (name: string) =>
    t.request({
      method: 'POST',
      url: '/v1/control-profiles',
      rawBody: fixtureText(name),
      headers: { 'content-type': 'application/json' },
    });

  // Unknown controls: the retired names of 2017-2018 (AdminMFA, DLPEnabled ...) are not in
  // today's catalog. Accepted and rated all the same, with a warning pointing at each.
  it.each([
    ['heimdall2.secureScore.json', 1, 0, null],
    ['graph2otel.liveScores.json', 1, 0, null],
    ['graph-docs-v1.0.list-securescores.json', 1, 2, '/value/0/controlScores/0/controlName'],
    ['graph-docs-2018-beta.list-securescores.json', 1, 39, '/value/0/controlScores/0/controlName'],
    ['o365-report-2017.getTenantSecureScores.json', 1, 4, '/controlScores/0/referenceId'],
  ])('ingests the real payload %s', async (name, snapshots, unknown, firstPointer) => {
    const response = await t.request({
      method: 'POST',
      url: '/v1/secure-scores',
      rawBody: fixtureText(name),
      headers: { 'content-type': 'application/json' },
    });
    expect(response.status).toBe(201);
    expect(response.body.snapshots).toHaveLength(snapshots);
    expect(response.body.snapshots[0]).toEqual({
      id: expect.any(String),
      clientTenantId: expect.any(String),
      azureTenantId: expect.any(String),
      createdDateTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      duplicate: false,
      warnings: expect.any(Array),
    });
    const { warnings } = response.body.snapshots[0];
    expect(warnings).toHaveLength(unknown);
    expect(new Set(warnings.map((w: { code: string }) => w.code))).toEqual(
      new Set(unknown > 0 ? ['UNKNOWN_CONTROL'] : []),
    );
    if (firstPointer) expect(warnings[0].pointer).toBe(firstPointer);
  });

  it('keeps every control row of heimdall2 queryable in SQL, summing to currentScore', async () => {
    const { rows } = await db.query(
      `SELECT count(*)::int AS controls, sum(c.score)::text AS total
       FROM snapshot_control_scores c JOIN client_tenants t ON t.id = c.client_tenant_id
       WHERE t.azure_tenant_id = '12345678-1234-1234-1234-1234567890abcd'`,
    );
    expect(rows[0]).toEqual({ controls: 68, total: '128' });
  });

  it('stores names and categories exactly, whatever characters array literals treat specially', async () => {
    const names = ['a "quoted" name', 'back\\slash', 'comma,{brace}', ' padded ', 'NULL', 'null'];
    const more = ['tab\there', 'ünïcödé', '\u202e bidi'];
    const snapshot = snapshotFor(`odd-names-${randomUUID()}`);
    snapshot.enabledServices = ['Has Exchange', 'NULL', '{x}'];
    snapshot.controlScores = [...names, ...more].map((controlName, i) => ({
      controlName,
      controlCategory: i === 0 ? null : `cat "${i}"`,
      score: i,
      scoreInPercentage: 10 * i,
    }));
    const response = await post(snapshot);
    expect(response.status).toBe(201);
    const { rows } = await db.query(
      `SELECT s.control_names, s.control_categories, s.enabled_services, s.unknown_controls,
              s.control_scores::text[] AS scores
       FROM secure_score_snapshots s WHERE s.id = $1`,
      [response.body.snapshots[0].id],
    );
    expect(rows[0]).toEqual({
      control_names: [...names, ...more],
      control_categories: [null, ...[...names, ...more].slice(1).map((_, i) => `cat "${i + 1}"`)],
      enabled_services: ['Has Exchange', 'NULL', '{x}'],
      unknown_controls: [...names, ...more],
      scores: ['0', '1', '2', '3', '4', '5', '6', '7', '8'],
    });
  });

  it('keeps the 2017 report rows own maxScore per control', async () => {
    const { rows } = await db.query(
      `SELECT c.control_name, c.max_score::text FROM snapshot_control_scores c
       JOIN client_tenants t ON t.id = c.client_tenant_id
       WHERE t.azure_tenant_id = '12bce6d0-bfeb-4a82-abe6-98ccf3196a11' ORDER BY c.ordinal`,
    );
    expect(rows.slice(0, 2)).toEqual([
      { control_name: 'AdminMFA', max_score: '50' },
      { control_name: 'UserMFA', max_score: '30' },
    ]);
  });

  it("keeps a Graph control score's own maxScore, and holds its score to it", async () => {
    const snapshot = snapshotFor('own-max-tenant');
    snapshot.controlScores[0].maxScore = 4;
    snapshot.controlScores[1].maxScore = null;
    const stored = await post(snapshot);
    expect(stored.status).toBe(201);
    const { rows } = await db.query(
      `SELECT c.max_score::text FROM snapshot_control_scores c
        WHERE c.snapshot_id = $1 ORDER BY c.ordinal LIMIT 3`,
      [stored.body.snapshots[0].id],
    );
    expect(rows.map((r: { max_score: string | null }) => r.max_score)).toEqual(['4', null, null]);
    const before = await count();
    const bad = snapshotFor('own-max-tenant', '2024-01-02');
    bad.controlScores[0].maxScore = '4';
    bad.controlScores[2].maxScore = 0.5;
    bad.controlScores[2].score = 1;
    const refused = await post(bad);
    expect(refused.status).toBe(422);
    expect(refused.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual([
      '/controlScores/0/maxScore',
      '/controlScores/2/score',
    ]);
    expect(await count()).toBe(before);
  });

  it('recognises a snapshot already stored: 200 and duplicate true', async () => {
    const response = await post(fixture('heimdall2.secureScore.json'));
    expect(response.status).toBe(200);
    expect(response.body.snapshots[0].duplicate).toBe(true);
  });

  it('answers 409 naming the conflict for the same date with different content, storing nothing', async () => {
    // The multiple fixture's first snapshot: the stored heimdall2 tenant and day, other content.
    const before = await count();
    const stored = (await db.query(`SELECT id FROM secure_score_snapshots`)).rows.map((r) => r.id);
    const other = fixture('heimdall2.secureScore-multiple.json').value[0];
    const response = await post({ value: [other] });
    expect(response.status).toBe(409);
    expect(response.body).toMatchObject({ status: 409, existingSnapshotId: expect.any(String) });
    expect(stored).toContain(response.body.existingSnapshotId);
    expect(response.body.errors[0].pointer).toBe('/value/0/createdDateTime');
    expect(await count()).toBe(before);
  });

  it('writes one audit row per request that stores snapshots, none for duplicates or rejections', async () => {
    const audits = async () =>
      (
        await db.query(
          `SELECT actor_key_id, actor_partner_id, client_tenant_id, details FROM audit_log
           WHERE action = 'secure-scores.stored' ORDER BY id`,
        )
      ).rows;
    const before = (await audits()).length;
    const partner = await t.request({ method: 'POST', url: '/v1/partners', body: { name: 'C' } });
    const partnerKey = (
      await t.request({
        method: 'POST',
        url: '/v1/api-keys',
        body: { name: 'C', role: 'partner', partnerId: partner.body.id },
      })
    ).body.key as string;
    const one = await post(snapshotFor('audited-one'), partnerKey);
    const envelope = await post({
      value: [snapshotFor('audited-two', '2024-01-01'), snapshotFor('audited-two', '2024-01-02')],
    });
    expect([one.status, envelope.status]).toEqual([201, 201]);
    expect((await post(snapshotFor('audited-one'), partnerKey)).status).toBe(200);
    expect((await post({ ...snapshotFor('audited-bad'), azureTenantId: '' })).status).toBe(422);
    const rows = (await audits()).slice(before);
    expect(rows).toEqual([
      {
        actor_key_id: expect.any(String),
        actor_partner_id: partner.body.id,
        client_tenant_id: one.body.snapshots[0].clientTenantId,
        details: { stored: 1, snapshotIds: [one.body.snapshots[0].id], backfill: false },
      },
      {
        actor_key_id: expect.any(String),
        actor_partner_id: null,
        client_tenant_id: envelope.body.snapshots[0].clientTenantId,
        details: {
          stored: 2,
          snapshotIds: expect.arrayContaining(envelope.body.snapshots.map((s: any) => s.id)),
          backfill: false,
        },
      },
    ]);
  });

  it('rejects the invalid .jsonc documentation example with 400', async () => {
    const response = await postProfilesFixture(
      'graph-docs-v1.0.list-securescorecontrolprofiles.jsonc',
    );
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('refuses the two-snapshot heimdall2 envelope whose snapshots claim one instant with different content', async () => {
    const before = await count();
    const response = await t.request({
      method: 'POST',
      url: '/v1/secure-scores',
      rawBody: fixtureText('heimdall2.secureScore-multiple.json'),
      headers: { 'content-type': 'application/json' },
    });
    expect(response.status).toBe(422);
    expect(response.body.errors).toEqual([
      expect.objectContaining({
        pointer: '/value/1/createdDateTime',
        message: expect.stringContaining('/value/0'),
      }),
    ]);
    expect(await count()).toBe(before);
    // The same envelope with the second snapshot on its own day (as its id says) stores both.
    const envelope = fixture('heimdall2.secureScore-multiple.json');
    envelope.value[1].createdDateTime = '2024-01-02T00:00:00Z';
    const azureTenantId = randomUUID(); // heimdall2.secureScore.json holds this tenant's 2024-01-01
    for (const snapshot of envelope.value) snapshot.azureTenantId = azureTenantId;
    const fixed = await post(envelope);
    expect(fixed.status).toBe(201);
    expect(fixed.body.snapshots.map((s: any) => s.duplicate)).toEqual([false, false]);
    expect(await count()).toBe(before + 2);
  });

  it('stores nothing from an envelope with one bad snapshot, listing its pointer', async () => {
    const before = await count();
    const bad = snapshotFor('envelope-tenant', '2024-02-01');
    bad.controlScores[3].score = -1;
    const response = await post({ value: [snapshotFor('envelope-tenant', '2024-02-02'), bad] });
    expect(response.status).toBe(422);
    expect(response.body.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ pointer: '/value/1/controlScores/3/score' }),
      ]),
    );
    expect(await count()).toBe(before);
  });

  it.each([
    ['missing azureTenantId', (s: any) => delete s.azureTenantId, '/azureTenantId'],
    ['empty azureTenantId', (s: any) => (s.azureTenantId = ''), '/azureTenantId'],
    ['a bad date', (s: any) => (s.createdDateTime = '2024-02-30T00:00:00Z'), '/createdDateTime'],
    [
      'a timezone-less date',
      (s: any) => (s.createdDateTime = '2024-02-01T00:00:00'),
      '/createdDateTime',
    ],
    ['controlScores not an array', (s: any) => (s.controlScores = {}), '/controlScores'],
    [
      'a missing controlName',
      (s: any) => delete s.controlScores[0].controlName,
      '/controlScores/0',
    ],
    [
      'a non-numeric score',
      (s: any) => (s.controlScores[1].score = 'high'),
      '/controlScores/1/score',
    ],
    ['a negative score', (s: any) => (s.controlScores[1].score = -2), '/controlScores/1/score'],
    [
      'a duplicate controlName',
      (s: any) => (s.controlScores[2].controlName = s.controlScores[1].controlName),
      '/controlScores/2/controlName',
    ],
    [
      'too many controls',
      (s: any) =>
        (s.controlScores = Array.from({ length: 5001 }, (_, i) => ({
          controlName: `c${i}`,
          score: 1,
        }))),
      '/controlScores',
    ],
  ])('answers 422 for %s with its pointer, storing nothing', async (_case, mutate, pointer) => {
    const before = await count('client_tenants');
    const snapshot = snapshotFor(`bad-${randomUUID()}`);
    mutate(snapshot);
    const response = await post(snapshot);
    expect(response.status).toBe(422);
    expect(response.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual(
      expect.arrayContaining([expect.stringMatching(new RegExp(`^${pointer}`))]),
    );
    expect(await count('client_tenants')).toBe(before);
  });

  it.each([
    ['{"value": []}', 422],
    ['{"PSError": "HTTP 403 Forbidden"}', 422],
    ['[]', 422],
    ['42', 422],
    ['{"currentScore": 1, "currentScore": 2}', 400],
  ])('answers %s with %i', async (body, status) => {
    const response = await t.request({
      method: 'POST',
      url: '/v1/secure-scores',
      rawBody: body,
      headers: { 'content-type': 'application/json' },
    });
    expect(response.status).toBe(status);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('stores one snapshot for 50 concurrent posts with one Idempotency-Key', async () => {
    const body = snapshotFor(`idem-${randomUUID()}`);
    const key = randomUUID();
    const before = await count();
    const responses = await Promise.all(
      Array.from({ length: 50 }, () => post(body, undefined, { 'idempotency-key': key })),
    );
    expect(responses.every((r) => [200, 201, 409].includes(r.status))).toBe(true);
    const fresh = responses.filter(
      (r) => r.status === 201 && r.headers['idempotent-replayed'] === undefined,
    );
    expect(fresh).toHaveLength(1);
    expect(await count()).toBe(before + 1);
    const replay = await post(body, undefined, { 'idempotency-key': key });
    expect([replay.status, replay.headers['idempotent-replayed']]).toEqual([201, 'true']);
    // Byte for byte (IDEM-02): the stored response keeps its member order.
    expect(replay.text).toBe(fresh[0].text);
    const other = await post(snapshotFor(`idem-other-${randomUUID()}`), undefined, {
      'idempotency-key': key,
    });
    expect(other.status).toBe(422);
  });

  it('stores one snapshot for 50 identical bodies under 50 keys, all answering its id', async () => {
    const body = snapshotFor(`dedup-${randomUUID()}`);
    const before = await count();
    const responses = await Promise.all(
      Array.from({ length: 50 }, () => post(body, undefined, { 'idempotency-key': randomUUID() })),
    );
    expect(responses.filter((r) => r.status === 201)).toHaveLength(1);
    expect(responses.filter((r) => r.status === 200)).toHaveLength(49);
    expect(new Set(responses.map((r) => r.body.snapshots[0].id)).size).toBe(1);
    expect(await count()).toBe(before + 1);
  });

  it('stores one snapshot for 50 identical bodies without a key (one statement each, no transaction)', async () => {
    // Each races the others for a new client tenant and the same snapshot: rows another
    // statement commits meanwhile are invisible to it, and are asked for again.
    const body = snapshotFor(`race-${randomUUID()}`);
    const before = await count();
    const responses = await Promise.all(Array.from({ length: 50 }, () => post(body)));
    expect(responses.filter((r) => r.status === 201)).toHaveLength(1);
    expect(responses.filter((r) => r.status === 200)).toHaveLength(49);
    expect(new Set(responses.map((r) => r.body.snapshots[0].id)).size).toBe(1);
    expect(new Set(responses.map((r) => r.body.snapshots[0].clientTenantId)).size).toBe(1);
    expect(await count()).toBe(before + 1);
  });

  it('answers 409 to 20 racing different snapshots of one client tenant and instant, storing one', async () => {
    const azureTenantId = `race-conflict-${randomUUID()}`;
    const bodies = Array.from({ length: 20 }, (_, i) => {
      const body = snapshotFor(azureTenantId);
      body.currentScore = i + 1;
      return body;
    });
    const before = await count();
    const responses = await Promise.all(bodies.map((body) => post(body)));
    expect(responses.filter((r) => r.status === 201)).toHaveLength(1);
    expect(responses.filter((r) => r.status === 409)).toHaveLength(19);
    expect(await count()).toBe(before + 1);
  });

  it.each([
    ['the same snapshot: a duplicate of it', 0, 'duplicate'],
    ['a different one: a conflict with it', 1, 'conflict'],
  ])(
    'answers a write racing an uncommitted one of %s, once that commits',
    async (_case, scoreChange, expected) => {
      // Deterministic race: A has written (a new client tenant and its snapshot) and not
      // committed; B waits on A's rows; A commits; B's statement could not see them and must
      // ask again rather than answer nothing.
      const azureTenantId = `uncommitted-${randomUUID()}`;
      const prepare = (change: number) => {
        const body = snapshotFor(azureTenantId);
        body.currentScore += change;
        const result = prepareSecureScoreBody(Buffer.from(JSON.stringify(body)), 32);
        if (result.kind !== 'prepared') throw new Error('fixture rejected');
        return result.snapshots.map((snapshot) => ({ ...snapshot, findings: NO_FINDINGS }));
      };
      const context = {
        partnerId: null,
        receivedBy: null,
        actor: SYSTEM_PRINCIPAL,
        backfill: false,
      };
      const dataSource = t.app.get(DataSource);
      const a = dataSource.createQueryRunner();
      await a.startTransaction();
      try {
        const [first] = await writeSnapshots(a.manager, prepare(0), context);
        expect(first.kind).toBe('stored');
        const b = writeSnapshots(dataSource.manager, prepare(scoreChange), context);
        await new Promise((resolve) => setTimeout(resolve, 300)); // B is now waiting on A
        await a.commitTransaction();
        const [second] = await b;
        expect(second.kind).toBe(expected);
        if (first.kind === 'stored' && second.kind === 'duplicate')
          expect(second.id).toBe(first.id);
        if (first.kind === 'stored' && second.kind === 'conflict')
          expect(second.existingId).toBe(first.id);
      } finally {
        await a.release();
      }
    },
  );

  it('rejects a malformed Idempotency-Key with 400', async () => {
    const response = await post(snapshotFor('x'), undefined, {
      'idempotency-key': 'x'.repeat(300),
    });
    expect(response.status).toBe(400);
  });

  describe('controls the catalog does not know or has deprecated (INPUT-09)', () => {
    it('accepts, stores and rates them, listing each as a warning in the response, the history and /v1/rate', async () => {
      const profiles = await postProfiles([
        { id: 'contoso_retired', title: 'A retired control', deprecated: true },
      ]);
      expect(profiles.status).toBe(200);
      const snapshot = snapshotFor('catalog-findings');
      snapshot.controlScores.push(
        {
          controlName: 'contoso_retired',
          controlCategory: 'Data',
          score: 1,
          scoreInPercentage: 50,
        },
        {
          controlName: 'not_in_catalog',
          controlCategory: 'Identity',
          score: 0,
          scoreInPercentage: 0,
        },
      );
      const before = await count();
      const response = await post(snapshot);
      expect(response.status).toBe(201);
      expect(await count()).toBe(before + 1);
      expect(response.body.snapshots[0].warnings).toEqual([
        {
          code: 'DEPRECATED_CONTROL',
          control: 'contoso_retired',
          pointer: '/controlScores/68/controlName',
          detail: expect.stringContaining('Deprecated in the control catalog'),
        },
        {
          code: 'UNKNOWN_CONTROL',
          control: 'not_in_catalog',
          pointer: '/controlScores/69/controlName',
          detail: expect.stringContaining('Not in the control catalog'),
        },
      ]);
      const { rows } = await db.query(
        `SELECT unknown_controls, deprecated_controls FROM secure_score_snapshots WHERE id = $1`,
        [response.body.snapshots[0].id],
      );
      expect(rows[0]).toEqual({
        unknown_controls: ['not_in_catalog'],
        deprecated_controls: ['contoso_retired'],
      });
      // A retry is a duplicate with the same warnings.
      const again = await post(snapshot);
      expect([again.status, again.body.snapshots[0].warnings]).toEqual([
        200,
        response.body.snapshots[0].warnings,
      ]);
      const history = await t.request({
        method: 'GET',
        url: `/v1/client-tenants/${response.body.snapshots[0].clientTenantId}/secure-scores?include=controls`,
      });
      const [stored] = history.body.items;
      expect(stored.warnings).toEqual(response.body.snapshots[0].warnings);
      expect(stored.controlScores[69].controlName).toBe('not_in_catalog');
      // Rated like any other control (rating-spec §3: category weight or defaultWeight); the
      // explanation says so, and names the tenant states that count.
      const rated = await t.request({
        method: 'POST',
        url: '/v1/rate',
        body: {
          snapshot,
          table: exampleTable(),
          asOf: '2024-01-20T00:00:00Z',
          controlStates: {
            not_in_catalog: 'Ignored',
            spo_legacy_auth: 'ThirdParty',
            absent: 'Ignored',
          },
        },
      });
      expect(rated.status).toBe(200);
      expect(rated.body.contributions.map((c: { control: string }) => c.control)).toContain(
        'not_in_catalog',
      );
      expect(
        rated.body.warnings.map((w: { code: string; control: string }) => [w.code, w.control]),
      ).toEqual([
        ['DEPRECATED_CONTROL', 'contoso_retired'],
        ['UNKNOWN_CONTROL', 'not_in_catalog'],
        ['CONTROL_STATE_THIRD_PARTY', 'spo_legacy_auth'],
        ['CONTROL_STATE_IGNORED', 'not_in_catalog'],
      ]);
    });
  });

  describe('warnings of many snapshots and many controls', () => {
    const withControls = (azureTenantId: string, day: string, names: string[]) => {
      const snapshot = snapshotFor(azureTenantId, day);
      for (const name of names) {
        snapshot.controlScores.push({ controlName: name, score: 0, scoreInPercentage: 0 });
      }
      return snapshot;
    };

    it('gives each snapshot of an envelope its own warnings, at its own pointers', async () => {
      const response = await post({
        value: [
          withControls('findings-envelope', '2024-02-01', []),
          withControls('findings-envelope', '2024-02-02', ['made_up_b']),
          withControls('findings-other', '2024-02-01', ['made_up_c', 'made_up_d']),
        ],
      });
      expect(response.status).toBe(201);
      expect(
        response.body.snapshots.map((s: { warnings: { control: string; pointer: string }[] }) =>
          s.warnings.map((w) => [w.control, w.pointer]),
        ),
      ).toEqual([
        [],
        [['made_up_b', '/value/1/controlScores/68/controlName']],
        [
          ['made_up_c', '/value/2/controlScores/68/controlName'],
          ['made_up_d', '/value/2/controlScores/69/controlName'],
        ],
      ]);
      const { rows } = await db.query(
        `SELECT s.id, s.unknown_controls FROM secure_score_snapshots s WHERE s.id = ANY($1::uuid[])`,
        [response.body.snapshots.map((s: { id: string }) => s.id)],
      );
      const byId = new Map(rows.map((row) => [row.id, row.unknown_controls]));
      expect(response.body.snapshots.map((s: { id: string }) => byId.get(s.id))).toEqual([
        [],
        ['made_up_b'],
        ['made_up_c', 'made_up_d'],
      ]);
    });

    it('lists at most 100 warnings per snapshot, counts the rest, and stores every name', async () => {
      const names = Array.from({ length: 150 }, (_, i) => `made_up_${String(i).padStart(3, '0')}`);
      const response = await post(withControls('findings-many', '2024-02-01', names));
      expect(response.status).toBe(201);
      const [snapshot] = response.body.snapshots;
      expect([snapshot.warnings.length, snapshot.warningsOmitted]).toEqual([100, 50]);
      expect(snapshot.warnings[99].control).toBe('made_up_099');
      const { rows } = await db.query(
        `SELECT cardinality(unknown_controls) AS n FROM secure_score_snapshots WHERE id = $1`,
        [snapshot.id],
      );
      expect(rows[0].n).toBe(150);
    });
  });

  describe('error bodies sent in place of data (INPUT-17)', () => {
    it.each([
      ['/v1/secure-scores', { PSError: 'HTTP 403 Forbidden' }, '/PSError'],
      [
        '/v1/secure-scores',
        { value: [{ error: { code: 'Forbidden', message: 'Insufficient privileges' } }] },
        '/value/0/error',
      ],
      ['/v1/control-profiles', { PSError: 'HTTP 401 Unauthorized' }, '/PSError'],
    ])(
      'answers one posted to %s with a 422 of its own type, storing nothing',
      async (url, body, pointer) => {
        const before = [await count(), await count('control_profile_history')];
        const response = await t.request({ method: 'POST', url, body });
        expect(response.status).toBe(422);
        expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(response.body.type).toBe('urn:securescore:problem:source-error');
        expect(response.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual([pointer]);
        expect([await count(), await count('control_profile_history')]).toEqual(before);
      },
    );

    it('keeps the validation type when a snapshot is also invalid', async () => {
      const response = await post({
        value: [{ PSError: 'HTTP 403' }, { ...snapshotFor('source-mixed'), azureTenantId: '' }],
      });
      expect([response.status, response.body.type]).toEqual([
        422,
        'urn:securescore:problem:validation-failed',
      ]);
    });
  });

  describe("one list sent to the other list's route", () => {
    it.each([
      ['/v1/secure-scores', 'heimdall2.profiles.page1.json', 'POST /v1/control-profiles'],
      ['/v1/secure-scores', 'catalog.json', 'POST /v1/control-profiles'],
      ['/v1/control-profiles', 'heimdall2.secureScore.json', 'POST /v1/secure-scores'],
      [
        '/v1/control-profiles',
        'o365-report-2017.getTenantSecureScores.json',
        'POST /v1/secure-scores',
      ],
    ])(
      'answers %s with %s by one violation naming the right route, storing nothing',
      async (url, name, route) => {
        const before = [await count(), await count('control_profile_history')];
        const response = await t.request({
          method: 'POST',
          url,
          rawBody: fixtureText(name),
          headers: { 'content-type': 'application/json' },
        });
        expect(response.status).toBe(422);
        expect(response.body.type).toBe('urn:securescore:problem:validation-failed');
        expect(response.body.errors).toEqual([
          { pointer: '', message: expect.stringContaining(`send it to ${route}`) },
        ]);
        expect([await count(), await count('control_profile_history')]).toEqual(before);
      },
    );

    it('keeps every violation of a broken list of its own kind', async () => {
      const response = await post({ value: [{ ...snapshotFor('own-kind'), controlScores: 'x' }] });
      expect(response.status).toBe(422);
      expect(response.body.errors).toEqual([
        expect.objectContaining({ pointer: '/value/0/controlScores' }),
      ]);
    });
  });

  it.each(['azureTenantId', 'createdDateTime', 'currentScore', 'maxScore', 'controlScores'])(
    'answers null for the required %s with a 422 at its pointer, storing nothing (INPUT-05)',
    async (field) => {
      const before = await count();
      const response = await post({ ...snapshotFor(`null-${field}`), [field]: null });
      expect(response.status).toBe(422);
      expect(response.body.errors.map((e: { pointer: string }) => e.pointer)).toContain(
        `/${field}`,
      );
      expect(await count()).toBe(before);
    },
  );

  describe('reliability checklist §6 on POST /v1/secure-scores itself', () => {
    // The route reads its body as text and parses it on an ingest thread, not through the
    // framework's JSON parser: each malformed case is asserted here, not only on other routes.
    const valid = (change: (snapshot: any) => void = () => undefined): string => {
      const snapshot = snapshotFor(`checklist-${randomUUID()}`);
      change(snapshot);
      return JSON.stringify(snapshot);
    };
    const withMember = (member: string): string => valid().replace(/^\{/, `{${member},`);
    const currentScoreAs = (text: string) => (): string =>
      valid().replace('"currentScore":128', `"currentScore":${text}`);
    const nested = (depth: number): string =>
      withMember(`"deep":${'['.repeat(depth)}${']'.repeat(depth)}`);
    const json = 'application/json';
    it.each([
      ['INPUT-01 truncated', () => valid().slice(0, -20), json, 400],
      ['INPUT-01 trailing comma', () => valid().replace(/\}$/, ',}'), json, 400],
      ['INPUT-01 a NaN literal', () => withMember('"x":NaN'), json, 400],
      ['INPUT-01 single quotes', () => withMember("'x':1"), json, 400],
      ['INPUT-02 text/plain', valid, 'text/plain', 415],
      ['INPUT-02 a form', valid, 'application/x-www-form-urlencoded', 415],
      ['INPUT-02 multipart', valid, 'multipart/form-data; boundary=x', 415],
      ['INPUT-03 a root null', () => 'null', json, 422],
      ['INPUT-03 a root string', () => '"snapshot"', json, 422],
      ['INPUT-07 a score as a string', currentScoreAs('"128"'), json, 422],
      ['INPUT-07 "NaN"', currentScoreAs('"NaN"'), json, 422],
      ['INPUT-07 "Infinity"', currentScoreAs('"Infinity"'), json, 422],
      ['INPUT-07 1e400', currentScoreAs('1e400'), json, 400],
      ['INPUT-10 a duplicate member', () => withMember('"currentScore":999'), json, 400],
      ['INPUT-11 __proto__', () => withMember('"__proto__":{"polluted":true}'), json, 400],
      [
        'INPUT-11 a nested constructor',
        () => withMember('"x":{"constructor":{"prototype":{"polluted":true}}}'),
        json,
        400,
      ],
      [
        'INPUT-12 100,000 enabledServices',
        () =>
          valid((x) => (x.enabledServices = Array.from({ length: 100_000 }, (_, i) => `s${i}`))),
        json,
        422,
      ],
      [
        'INPUT-12 a 1 MB description',
        () => valid((x) => (x.controlScores[0].description = 'x'.repeat(1_000_000))),
        json,
        422,
      ],
      ['INPUT-13 nesting 40,000 deep', () => nested(40_000), json, 400],
      [
        'INPUT-14 a body over the limit',
        () => withMember(`"pad":"${'x'.repeat(17 * 1024 * 1024)}"`),
        json,
        413,
      ],
    ] as const)(
      '%s: a problem document, storing nothing',
      async (_case, body, contentType, status) => {
        const before = await count('client_tenants');
        const response = await t.request({
          method: 'POST',
          url: '/v1/secure-scores',
          rawBody: body(),
          headers: { 'content-type': contentType },
        });
        expect(response.status).toBe(status);
        // INPUT-19: problem+json, its status member the HTTP status, a stable type, no internals.
        expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(response.body).toMatchObject({
          status,
          type: expect.stringMatching(/^urn:securescore:problem:[a-z-]+$/),
        });
        expect(response.text).not.toMatch(/\n\s+at |node_modules|SELECT |INSERT /);
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
        expect(await count('client_tenants')).toBe(before);
      },
    );

    it('INPUT-07: stores -0 as 0', async () => {
      const snapshot = snapshotFor('negative-zero');
      const body = JSON.stringify(snapshot).replace(/"score":0([,}])/, '"score":-0$1');
      expect(body).toContain('"score":-0');
      const response = await t.request({
        method: 'POST',
        url: '/v1/secure-scores',
        rawBody: body,
        headers: { 'content-type': json },
      });
      expect(response.status).toBe(201);
      const { rows } = await db.query(
        `SELECT s.control_scores::text[] AS scores FROM secure_score_snapshots s WHERE s.id = $1`,
        [response.body.snapshots[0].id],
      );
      expect(rows[0].scores).not.toContain('-0');
    });

    it('INPUT-18: keeps unknown top-level members in the archive, and uses only mapped ones', async () => {
      const snapshot = { ...snapshotFor('vendor-extension'), vendorExtension: { tier: 'gold' } };
      const response = await post(snapshot);
      expect(response.status).toBe(201);
      const { rows } = await db.query(
        `SELECT raw_gzip, current_score::text AS current_score FROM secure_score_snapshots WHERE id = $1`,
        [response.body.snapshots[0].id],
      );
      expect(JSON.parse(gunzipSync(rows[0].raw_gzip).toString('utf8'))).toEqual(snapshot);
      expect(rows[0].current_score).toBe('128');
    });
  });

  describe('the snapshot age limit (INPUT-16)', () => {
    let aged: TestApp;
    let agedDb: pg.Client;
    beforeAll(async () => {
      aged = await createTestApp({ snapshotMaxAgeDays: 90 });
      agedDb = new pg.Client({ connectionString: aged.databaseUrl });
      await agedDb.connect();
    });
    afterAll(async () => {
      await agedDb.end();
      await aged.close();
    });
    const DAY = 86_400_000;
    const takenAgo = (azureTenantId: string, ms: number) => ({
      ...snapshotFor(azureTenantId),
      createdDateTime: new Date(Date.now() - ms).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    });
    const postAged = (body: unknown, url = '/v1/secure-scores') =>
      aged.request({ method: 'POST', url, body });
    const stored = async () =>
      Number((await agedDb.query('SELECT count(*) FROM secure_score_snapshots')).rows[0].count);

    it('accepts a snapshot up to 90 whole days old, the most Graph keeps', async () => {
      const response = await postAged(takenAgo('aged-90', 90 * DAY + 3_600_000));
      expect(response.status).toBe(201);
    });

    it('refuses an older one with 422 at its date, storing nothing of its envelope', async () => {
      const before = await stored();
      const response = await postAged({
        value: [takenAgo('aged-new', DAY), takenAgo('aged-old', 91 * DAY + 60_000)],
      });
      expect(response.status).toBe(422);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body.errors).toEqual([
        {
          pointer: '/value/1/createdDateTime',
          message: expect.stringContaining('is 91 days old, more than the 90 days'),
        },
      ]);
      expect(await stored()).toBe(before);
    });

    it('points at createdDate in a 2017 report row', async () => {
      const response = await aged.request({
        method: 'POST',
        url: '/v1/secure-scores',
        rawBody: fixtureText('o365-report-2017.getTenantSecureScores.json'),
        headers: { 'content-type': 'application/json' },
      });
      expect([response.status, response.body.errors?.[0]?.pointer]).toEqual([422, '/createdDate']);
    });

    it('stores history with ?backfill=true, and the audit row says so', async () => {
      const response = await postAged(
        takenAgo('aged-backfill', 400 * DAY),
        '/v1/secure-scores?backfill=true',
      );
      expect(response.status).toBe(201);
      const audit = await agedDb.query(
        `SELECT details FROM audit_log WHERE action = 'secure-scores.stored' AND entity_id = $1`,
        [response.body.snapshots[0].id],
      );
      expect(audit.rows[0].details.backfill).toBe(true);
    });

    it('treats ?backfill=true as part of an Idempotency-Key request', async () => {
      const body = takenAgo('aged-keyed', DAY);
      const headers = { 'idempotency-key': `backfill-${randomUUID()}` };
      const first = await aged.request({ method: 'POST', url: '/v1/secure-scores', body, headers });
      const withBackfill = await aged.request({
        method: 'POST',
        url: '/v1/secure-scores?backfill=true',
        body,
        headers,
      });
      expect([first.status, withBackfill.status, withBackfill.body.type]).toEqual([
        201,
        422,
        'urn:securescore:problem:idempotency-key-reused',
      ]);
    });

    it.each(['yes', '1', ''])(
      'answers ?backfill=%s with a 422 problem, storing nothing',
      async (value) => {
        const before = await stored();
        const response = await postAged(
          takenAgo(`aged-bad-${value}`, DAY),
          `/v1/secure-scores?backfill=${value}`,
        );
        expect(response.status).toBe(422);
        expect(response.body.errors[0].pointer).toBe('/backfill');
        expect(await stored()).toBe(before);
      },
    );

    it('answers a query parameter it does not know with a 422 problem, as every route does', async () => {
      const response = await postAged(takenAgo('aged-typo', DAY), '/v1/secure-scores?backfil=true');
      expect(response.status).toBe(422);
      expect(response.body.errors[0].pointer).toBe('/backfil');
    });
  });

  describe('partners', () => {
    let ownTenantId: string;
    beforeAll(async () => {
      const response = await post(snapshotFor('partner-a-tenant'), partnerKeys.a);
      expect(response.status).toBe(201);
      ownTenantId = response.body.snapshots[0].clientTenantId;
    });

    it('own the client tenants they bring, and see only those', async () => {
      const own = await t.request({ method: 'GET', url: '/v1/client-tenants', key: partnerKeys.a });
      expect(own.body.items.map((c: { id: string }) => c.id)).toEqual([ownTenantId]);
      expect(own.body.items[0].partnerId).toBe(partnerKeys.aId);
      const other = await t.request({
        method: 'GET',
        url: '/v1/client-tenants',
        key: partnerKeys.b,
      });
      expect(other.body.items).toEqual([]);
    });

    it('get 404 for another partner client tenant on every route', async () => {
      for (const url of [
        `/v1/client-tenants/${ownTenantId}`,
        `/v1/client-tenants/${ownTenantId}/secure-scores`,
      ]) {
        const response = await t.request({ method: 'GET', url, key: partnerKeys.b });
        expect(response.status).toBe(404);
      }
      const patch = await t.request({
        method: 'PATCH',
        url: `/v1/client-tenants/${ownTenantId}`,
        key: partnerKeys.b,
        body: { industry: 'education' },
      });
      expect(patch.status).toBe(404);
    });

    it('cannot push for a client tenant they do not own', async () => {
      const before = await count();
      const response = await post(snapshotFor('partner-a-tenant', '2024-03-01'), partnerKeys.b);
      expect(response.status).toBe(403);
      expect(await count()).toBe(before);
    });

    it('cannot claim one under another letter case: tenant ids are GUIDs, which have none', async () => {
      const before = [await count(), await count('client_tenants')];
      const response = await post(snapshotFor('PARTNER-A-Tenant', '2024-03-01'), partnerKeys.b);
      expect(response.status).toBe(403);
      expect([await count(), await count('client_tenants')]).toEqual(before);
      // Its owner's upper-case push lands on the same client tenant.
      const own = await post(snapshotFor('PARTNER-A-TENANT', '2024-03-03'), partnerKeys.a);
      expect(own.status).toBe(201);
      expect(own.body.snapshots[0]).toMatchObject({
        clientTenantId: ownTenantId,
        azureTenantId: 'partner-a-tenant',
      });
      const found = await t.request({
        method: 'GET',
        url: '/v1/client-tenants?azureTenantId=Partner-A-Tenant',
        key: partnerKeys.a,
      });
      expect(found.body.items.map((c: { id: string }) => c.id)).toEqual([ownTenantId]);
    });

    it('cannot slip one in beside their own: an envelope with a foreign tenant stores nothing', async () => {
      const before = [await count(), await count('client_tenants')];
      const response = await post(
        {
          value: [
            snapshotFor('partner-b-new-tenant', '2024-03-01'),
            snapshotFor('partner-a-tenant', '2024-03-02'),
          ],
        },
        partnerKeys.b,
      );
      expect(response.status).toBe(403);
      expect(response.body.errors).toEqual([
        { pointer: '/value/1/azureTenantId', message: 'Not one of your client tenants' },
      ]);
      // Not even the new client tenant the first snapshot would have created.
      expect([await count(), await count('client_tenants')]).toEqual(before);
    });

    it('set the name and industry of their own client tenants', async () => {
      const response = await t.request({
        method: 'PATCH',
        url: `/v1/client-tenants/${ownTenantId}`,
        key: partnerKeys.a,
        body: { name: 'Fabrikam', industry: 'healthcare' },
      });
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ name: 'Fabrikam', industry: 'healthcare' });
      const bad = await t.request({
        method: 'PATCH',
        url: `/v1/client-tenants/${ownTenantId}`,
        key: partnerKeys.a,
        body: { industry: 'Health Care', partnerId: 'x' },
      });
      expect(bad.status).toBe(422);
      expect(bad.body.errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual([
        '/industry',
        '/partnerId',
      ]);
    });

    it('move to another partner only by an admin (a change of broker), history and all', async () => {
      const tenantUrl = `/v1/client-tenants/${ownTenantId}`;
      const patch = (key: string | undefined, body: object) =>
        t.request({ method: 'PATCH', url: tenantUrl, key, body });
      const snapshots = await count();
      // Not by the partner that owns it, nor by an underwriter; its current value is no change.
      const underwriter = await createApiKey(t, { name: 'uw', role: 'underwriter' });
      for (const key of [partnerKeys.a, underwriter.key]) {
        const refused = await patch(key, { partnerId: partnerKeys.bId, name: 'Taken' });
        expect(refused.status).toBe(403);
        expect(refused.body.detail).toContain('Only an admin');
      }
      expect((await patch(partnerKeys.a, { partnerId: partnerKeys.aId })).status).toBe(200);
      const unknown = await patch(undefined, { partnerId: randomUUID() });
      expect(unknown.status).toBe(422);
      expect(unknown.body.errors).toEqual([
        { pointer: '/partnerId', message: 'No partner has this id' },
      ]);
      expect((await t.request({ method: 'GET', url: tenantUrl })).body).toMatchObject({
        partnerId: partnerKeys.aId,
        name: 'Fabrikam',
      });

      const moved = await patch(undefined, { partnerId: partnerKeys.bId });
      expect(moved.status).toBe(200);
      expect(moved.body.partnerId).toBe(partnerKeys.bId);
      const audit = await db.query(
        `SELECT action, details FROM audit_log WHERE entity_id = $1 ORDER BY id DESC LIMIT 2`,
        [ownTenantId],
      );
      expect(audit.rows).toEqual([
        {
          action: 'client-tenant.moved',
          details: { partnerId: { from: partnerKeys.aId, to: partnerKeys.bId } },
        },
        // Sending its current partner changed nothing, and says nothing of a move.
        { action: 'client-tenant.updated', details: {} },
      ]);
      // The new partner reads its history and pushes; the old one gets what any other would.
      const history = await t.request({
        method: 'GET',
        url: `${tenantUrl}/secure-scores`,
        key: partnerKeys.b,
      });
      expect(history.status).toBe(200);
      expect(history.body.items.length).toBeGreaterThan(0);
      expect(
        (await post(snapshotFor('partner-a-tenant', '2024-03-09'), partnerKeys.b)).status,
      ).toBe(201);
      expect((await t.request({ method: 'GET', url: tenantUrl, key: partnerKeys.a })).status).toBe(
        404,
      );
      expect(
        (await post(snapshotFor('partner-a-tenant', '2024-03-10'), partnerKeys.a)).status,
      ).toBe(403);
      expect(await count()).toBe(snapshots + 1);

      // To none (the insurer's own), then back to its first partner.
      expect((await patch(undefined, { partnerId: null })).body.partnerId).toBeNull();
      expect((await t.request({ method: 'GET', url: tenantUrl, key: partnerKeys.b })).status).toBe(
        404,
      );
      expect((await patch(undefined, { partnerId: partnerKeys.aId })).body.partnerId).toBe(
        partnerKeys.aId,
      );
    });
  });

  it('takes the same snapshots and profiles sent at once in opposite orders without a deadlock', async () => {
    // Two writers taking the same keys in opposite orders (a Graph list is newest first, a
    // collector may send oldest first) deadlocked, and the one PostgreSQL stopped got a 500.
    for (let round = 0; round < 3; round++) {
      const azure = `opposite-orders-${round}-${randomUUID()}`;
      const days = Array.from({ length: 150 }, (_, i) =>
        new Date(Date.UTC(2024, 0, 1 + i)).toISOString().slice(0, 10),
      );
      const snapshots = days.map((day) => {
        const snapshot = snapshotFor(azure, day);
        snapshot.controlScores = snapshot.controlScores.slice(0, 2);
        snapshot.currentScore = snapshot.controlScores[0].score + snapshot.controlScores[1].score;
        return snapshot;
      });
      const [forward, backward] = await Promise.all([
        post({ value: snapshots }),
        post({ value: [...snapshots].reverse() }),
      ]);
      expect([forward.status, backward.status].sort()).toEqual([200, 201]);

      const profiles = Array.from({ length: 150 }, (_, i) => ({
        id: `opposite_orders_${round}_${String(i).padStart(3, '0')}`,
        title: `Control ${i}`,
        maxScore: 1,
      }));
      const pushes = await Promise.all([
        postProfiles(profiles),
        postProfiles([...profiles].reverse()),
      ]);
      expect(pushes.map((r) => r.status)).toEqual([200, 200]);
    }
  }, 60_000);

  it('applies concurrent PATCHes of one client tenant each in full, its industry history in their order', async () => {
    const azure = `concurrent-patch-${randomUUID()}`;
    expect((await post(snapshotFor(azure, '2024-01-01'))).status).toBe(201);
    const id = (
      await t.request({ method: 'GET', url: `/v1/client-tenants?azureTenantId=${azure}` })
    ).body.items[0].id;
    const patch = (body: object) =>
      t.request({ method: 'PATCH', url: `/v1/client-tenants/${id}`, body });
    // Each PATCH wrote back every column it had read, so of two at once, one undid the other.
    for (let round = 0; round < 30; round++) {
      const [named, classed] = await Promise.all([
        patch({ name: `Name ${round}` }),
        patch({ industry: `industry-${round}` }),
      ]);
      expect([named.status, classed.status]).toEqual([200, 200]);
      const now = (await t.request({ method: 'GET', url: `/v1/client-tenants/${id}` })).body;
      expect([now.name, now.industry]).toEqual([`Name ${round}`, `industry-${round}`]);
    }
    // Many industry changes at once: none collides in the history (a 500 before), and the
    // newest history row, which ratings read, is the client tenant's industry.
    const changes = await Promise.all(
      Array.from({ length: 16 }, (_, i) => patch({ industry: `burst-${i}` })),
    );
    expect(changes.map((r) => r.status)).toEqual(Array(16).fill(200));
    const { rows } = await db.query(
      `SELECT t.industry, (SELECT h.industry FROM client_tenant_industry_history h
                            WHERE h.client_tenant_id = t.id
                            ORDER BY h.effective_at DESC LIMIT 1) AS newest,
              (SELECT count(*)::int FROM client_tenant_industry_history h
                WHERE h.client_tenant_id = t.id) AS changes
         FROM client_tenants t WHERE t.id = $1`,
      [id],
    );
    expect(rows).toEqual([{ industry: rows[0].newest, newest: expect.any(String), changes: 46 }]);
  });

  it('lists a client tenant history newest first, paged, with controls on request', async () => {
    const azure = `history-${randomUUID()}`;
    for (const day of ['2024-01-01', '2024-01-03', '2024-01-02'])
      await post(snapshotFor(azure, day));
    const list = await t.request({
      method: 'GET',
      url: `/v1/client-tenants?azureTenantId=${azure}`,
    });
    const id = list.body.items[0].id;
    const first = await t.request({
      method: 'GET',
      url: `/v1/client-tenants/${id}/secure-scores?limit=2`,
    });
    expect(
      first.body.items.map((s: { createdDateTime: string }) => s.createdDateTime.slice(0, 10)),
    ).toEqual(['2024-01-03', '2024-01-02']);
    expect(first.body.items[0].controlScores).toBeUndefined();
    const second = await t.request({
      method: 'GET',
      url: `/v1/client-tenants/${id}/secure-scores?limit=2&include=controls&cursor=${first.body.nextCursor}`,
    });
    expect(second.body.nextCursor).toBeNull();
    expect(second.body.items).toHaveLength(1);
    expect(second.body.items[0].controlScores).toHaveLength(68);
    const badCursor = await t.request({
      method: 'GET',
      url: `/v1/client-tenants/${id}/secure-scores?cursor=zzz`,
    });
    expect(badCursor.status).toBe(422);
  });

  it('updates the catalog and client tenant control states from control profiles', async () => {
    const response = await postProfilesFixture('graph2otel.liveProfiles.json');
    expect(response.status).toBe(200);
    expect(response.body.profiles).toBe(5);
    const { rows } = await db.query(
      `SELECT source FROM control_profiles WHERE control_name = '11770.MDA_Google_EnableTwoFactorAuth'`,
    );
    expect(rows).toEqual([{ source: 'ingested' }]);
    const legacy = await postProfilesFixture(
      'graph-docs-2018-beta.list-securescorecontrolprofiles.json',
    );
    expect(legacy.status).toBe(200);
    const heimdall = await postProfilesFixture('heimdall2.profiles.page1.json');
    expect([heimdall.status, heimdall.body.profiles]).toEqual([200, 200]);
  });

  it("keeps a partner's control profiles out of the shared catalog, in its history, with an audit row", async () => {
    const maxScoreOf = async () =>
      (await db.query(`SELECT max_score FROM control_profiles WHERE control_name = 'AdminMFAV2'`))
        .rows[0].max_score as string;
    const before = await maxScoreOf();
    const audits = async () =>
      Number(
        (
          await db.query(
            `SELECT count(*) FROM audit_log WHERE action = 'control-profiles.ingested'`,
          )
        ).rows[0].count,
      );
    const auditsBefore = await audits();
    // A partner could otherwise move every other partner's ratings through the catalog maxScore.
    const pushed = await postProfiles(
      [{ id: 'AdminMFAV2', title: 'Require MFA for admins', maxScore: 1000 }],
      partnerKeys.a,
    );
    expect(pushed.status).toBe(200);
    expect(pushed.body).toMatchObject({ profiles: 1, catalogUpdated: false });
    expect(await maxScoreOf()).toBe(before);
    const history = await db.query(
      `SELECT source FROM control_profile_history WHERE control_name = 'AdminMFAV2' ORDER BY id DESC LIMIT 1`,
    );
    expect(history.rows).toEqual([{ source: `partner:${partnerKeys.aId}` }]);
    // An insurer key moves it; a later profile without a maxScore keeps the last known one.
    const insurer = await postProfiles([{ id: 'AdminMFAV2', maxScore: 12 }]);
    expect(insurer.body).toMatchObject({ catalogUpdated: true });
    expect(await maxScoreOf()).toBe('12');
    await postProfiles([{ id: 'AdminMFAV2' }]);
    expect(await maxScoreOf()).toBe('12');
    expect(await audits()).toBe(auditsBefore + 3);
  });

  it('keeps every catalog field a later profile leaves out (a $select, a trimmed capture)', async () => {
    const fields = async () =>
      (
        await db.query(
          `SELECT title, control_category, service, tier, rank, threats, deprecated
             FROM control_profiles WHERE control_name = 'AdminMFAV2'`,
        )
      ).rows[0];
    const full = {
      id: 'AdminMFAV2',
      title: 'Ensure multifactor authentication is enabled for all users in administrative roles',
      controlCategory: 'Identity',
      service: 'AzureAD',
      tier: 'Core',
      rank: 1,
      threats: ['Account breach', 'Elevation of privilege'],
      deprecated: false,
      maxScore: 10,
    };
    await postProfiles([full]);
    const before = await fields();
    expect(before).toMatchObject({ control_category: 'Identity', threats: full.threats });
    const trimmed = await postProfiles([
      { id: 'AdminMFAV2', maxScore: 10.0, title: null, threats: [] },
    ]);
    expect(trimmed.status).toBe(200);
    expect(await fields()).toEqual(before);
    // A field a profile does give is the latest value.
    await postProfiles([{ id: 'AdminMFAV2', controlCategory: 'Apps', deprecated: true }]);
    expect(await fields()).toEqual({ ...before, control_category: 'Apps', deprecated: true });
    await postProfiles([full]);
  });

  it('fills only what the catalog lacks from 2018 profiles, an archive with no date', async () => {
    const row = async (name: string) =>
      (
        await db.query(
          `SELECT title, control_category, max_score::text FROM control_profiles WHERE control_name = $1`,
          [name],
        )
      ).rows[0];
    await postProfiles([
      {
        id: 'IntegratedApps',
        title: 'Do not allow users to grant consent to unreliable applications',
        controlCategory: 'Apps',
        maxScore: 8,
      },
    ]);
    await db.query(`DELETE FROM control_profiles WHERE control_name = 'AdoptedODB'`);
    const legacy = await postProfilesFixture(
      'graph-docs-2018-beta.list-securescorecontrolprofiles.json',
    );
    expect(legacy.status).toBe(200);
    // A current control keeps what its current profile said (2018: Data, maxScore 10) ...
    expect(await row('IntegratedApps')).toEqual({
      title: 'Do not allow users to grant consent to unreliable applications',
      control_category: 'Apps',
      max_score: '8',
    });
    // ... and a control the catalog did not hold comes from the archive.
    expect(await row('AdoptedODB')).toMatchObject({
      title: 'Store user documents in OneDrive for Business',
      max_score: '10',
    });
  });

  it('takes one control profile per client tenant in one push, each with its own state', async () => {
    const profileFor = (azureTenantId: string, state: string) => ({
      id: 'BlockLegacyAuthentication',
      azureTenantId,
      controlStateUpdates: [
        { state, updatedDateTime: '2026-05-01T00:00:00Z', updatedBy: 'broker@example.com' },
      ],
    });
    const response = await postProfiles([
      profileFor('state-tenant-a', 'ThirdParty'),
      profileFor('state-tenant-b', 'Ignored'),
    ]);
    expect([response.status, response.body.controlStates]).toEqual([200, 2]);
    const { rows } = await db.query(
      `SELECT t.azure_tenant_id, s.state FROM client_tenant_control_states s
         JOIN client_tenants t ON t.id = s.client_tenant_id
        WHERE s.control_name = 'BlockLegacyAuthentication' AND t.azure_tenant_id LIKE 'state-tenant-%'
        ORDER BY 1`,
    );
    expect(rows).toEqual([
      { azure_tenant_id: 'state-tenant-a', state: 'ThirdParty' },
      { azure_tenant_id: 'state-tenant-b', state: 'Ignored' },
    ]);
    // Each is kept in the history as received (it held one of them only).
    const history = await db.query(
      `SELECT profile->>'azureTenantId' AS tenant FROM control_profile_history
        WHERE control_name = 'BlockLegacyAuthentication' AND profile->>'azureTenantId' LIKE 'state-tenant-%'
        ORDER BY 1`,
    );
    expect(history.rows).toEqual([{ tenant: 'state-tenant-a' }, { tenant: 'state-tenant-b' }]);
    // The same control twice for one client tenant, differently, is still a repeat.
    const repeated = await postProfiles([
      profileFor('state-tenant-a', 'ThirdParty'),
      profileFor('state-tenant-a', 'Default'),
    ]);
    expect(repeated.status).toBe(422);
    expect(repeated.body.errors[0].message).toContain('for the same client tenant');
  });

  it('never answers 5xx to fuzzed payloads, and stores nothing it rejects', async () => {
    const base = snapshotFor('fuzz-tenant');
    const fields = Object.keys(base);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...fields),
        fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.double(), fc.constant(null), fc.constant(1e308)),
        fc.nat({ max: 67 }),
        fc.boolean(),
        async (field, value, control, inControl) => {
          const snapshot = structuredClone(base);
          if (inControl) snapshot.controlScores[control].score = value;
          else snapshot[field] = value;
          const response = await post(snapshot);
          expect(response.status).toBeLessThan(500);
          if (response.status >= 400) {
            expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
          }
        },
      ),
      { seed: 4242, numRuns: 500 },
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  }, 120_000);
});
