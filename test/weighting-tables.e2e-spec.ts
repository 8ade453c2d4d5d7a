import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { stringify } from 'yaml';
import { canonicalSha256 } from '../src/common/canonical-json.js';
import { WeightingTablesService } from '../src/weighting-tables/weighting-tables.service.js';
import { EXAMPLES, exampleTable } from './support/fixtures.js';
import { runCli } from './support/processes.js';
import { createTestApp, TestApp } from './support/test-app.js';

const BASE = '/v1/weighting-tables';
const versionUrl = (version: string, name = 'sme-cyber') => `${BASE}/${name}/versions/${version}`;

/** A copy of the example table under another version and interval. */
function tableDocument(
  version: string,
  effectiveFrom: string,
  changes: Record<string, unknown> = {},
) {
  return { ...exampleTable(), version, effectiveFrom, effectiveTo: null, ...changes };
}

describe('weighting tables', () => {
  let t: TestApp;
  let db: pg.Client;
  const keys: Record<'actuary' | 'underwriter' | 'partner', { id: string; key: string }> =
    {} as never;

  beforeAll(async () => {
    t = await createTestApp();
    db = new pg.Client({ connectionString: t.databaseUrl });
    await db.connect();
    const partner = await t.request({
      method: 'POST',
      url: '/v1/partners',
      body: { name: 'Broker' },
    });
    for (const role of ['actuary', 'underwriter', 'partner'] as const) {
      const body = {
        name: role,
        role,
        ...(role === 'partner' ? { partnerId: partner.body.id } : {}),
      };
      const created = await t.request({ method: 'POST', url: '/v1/api-keys', body });
      keys[role] = { id: created.body.id, key: created.body.key };
    }
  });
  afterAll(async () => {
    await db.end();
    await t.close();
  });

  const auditActions = async (version: string, name = 'sme-cyber') =>
    (
      await db.query(
        `SELECT action, before_sha256, after_sha256, actor_key_id FROM audit_log
         WHERE entity_type = 'weighting-table-version' AND entity_id = $1 ORDER BY id`,
        [`${name}@${version}`],
      )
    ).rows;

  it('creates a draft (201), reads it with any role, replaces and deletes it, auditing each step', async () => {
    const document = tableDocument('draft.1', '2030-01-01');
    const created = await t.request({
      method: 'POST',
      url: BASE,
      key: keys.actuary.key,
      body: document,
    });
    expect(created.status).toBe(201);
    expect(created.headers.location).toBe(versionUrl('draft.1'));
    expect(created.body).toEqual(
      expect.objectContaining({
        name: 'sme-cyber',
        version: 'draft.1',
        status: 'draft',
        sha256: canonicalSha256(document),
        effectiveFrom: '2030-01-01',
        effectiveTo: null,
        createdBy: keys.actuary.id,
        createdAt: expect.any(String),
        document,
      }),
    );
    const read = await t.request({
      method: 'GET',
      url: versionUrl('draft.1'),
      key: keys.partner.key,
    });
    expect([read.status, read.body.sha256, read.body.document]).toEqual([
      200,
      created.body.sha256,
      document,
    ]);

    const again = await t.request({
      method: 'POST',
      url: BASE,
      key: keys.actuary.key,
      body: document,
    });
    expect([again.status, again.body.type]).toEqual([409, 'urn:securescore:problem:conflict']);

    const changed = { ...document, description: 'recalibrated', effectiveTo: '2031-01-01' };
    const replaced = await t.request({
      method: 'PUT',
      url: versionUrl('draft.1'),
      key: keys.actuary.key,
      body: changed,
    });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({
      status: 'draft',
      effectiveTo: '2031-01-01',
      sha256: canonicalSha256(changed),
    });

    const patched = await t.request({
      method: 'PATCH',
      url: versionUrl('draft.1'),
      key: keys.actuary.key,
      body: { description: null, defaultWeight: 0.1 },
      headers: { 'content-type': 'application/merge-patch+json' },
    });
    expect(patched.status).toBe(200);
    expect(patched.body.document).not.toHaveProperty('description');
    expect(patched.body.document.defaultWeight).toBe(0.1);
    const yamlPatch = await t.request({
      method: 'PATCH',
      url: versionUrl('draft.1'),
      key: keys.actuary.key,
      rawBody: 'defaultWeight: 0.2\n',
      headers: { 'content-type': 'application/yaml' },
    });
    expect([yamlPatch.status, yamlPatch.body.detail]).toEqual([
      415,
      expect.stringContaining('merge patch'),
    ]);

    const moved = await t.request({
      method: 'PUT',
      url: versionUrl('draft.1'),
      key: keys.actuary.key,
      body: { ...changed, version: 'draft.2' },
    });
    expect(moved.status).toBe(422);
    expect(moved.body.errors).toEqual([{ pointer: '/version', message: expect.any(String) }]);

    // Some HTTP clients label every request JSON, a DELETE's empty body included.
    const deleted = await t.request({
      method: 'DELETE',
      url: versionUrl('draft.1'),
      key: keys.actuary.key,
      rawBody: '',
      headers: { 'content-type': 'application/json' },
    });
    expect([deleted.status, deleted.text]).toEqual([204, '']);
    expect((await t.request({ method: 'GET', url: versionUrl('draft.1') })).status).toBe(404);
    expect((await t.request({ method: 'DELETE', url: versionUrl('draft.1') })).status).toBe(404);
    // A version is never reused (spec §1), not even a deleted draft's.
    const reused = await t.request({
      method: 'POST',
      url: BASE,
      key: keys.actuary.key,
      body: { ...changed, version: 'draft.1' },
    });
    expect(reused.status).toBe(409);
    expect(reused.body.detail).toContain('never reused');

    const audit = await auditActions('draft.1');
    expect(audit.map((row) => row.action)).toEqual([
      'weighting-table.created',
      'weighting-table.replaced',
      'weighting-table.replaced',
      'weighting-table.deleted',
    ]);
    expect(audit[0]).toMatchObject({
      before_sha256: null,
      after_sha256: canonicalSha256(document),
      actor_key_id: keys.actuary.id,
    });
    expect(audit[1]).toMatchObject({
      before_sha256: canonicalSha256(document),
      after_sha256: canonicalSha256(changed),
    });
    expect(audit[3]).toMatchObject({ before_sha256: patched.body.sha256, after_sha256: null });
  });

  it('publishes a draft once; a published version answers 409 to PUT, PATCH, DELETE and re-publication', async () => {
    const document = tableDocument('pub.1', '2024-01-01', { effectiveTo: '2025-01-01' });
    expect((await t.request({ method: 'POST', url: BASE, body: document })).status).toBe(201);
    const published = await t.request({
      method: 'POST',
      url: `${versionUrl('pub.1')}/publish`,
      key: keys.actuary.key,
    });
    expect(published.status).toBe(200);
    expect(published.body).toMatchObject({
      status: 'published',
      sha256: canonicalSha256(document),
      publishedBy: keys.actuary.id,
      publishedAt: expect.any(String),
    });

    const republished = await t.request({ method: 'POST', url: `${versionUrl('pub.1')}/publish` });
    expect(republished.status).toBe(409);
    for (const request of [
      { method: 'PUT' as const, body: { ...document, description: 'changed' } },
      { method: 'PUT' as const, body: { not: 'even a table' } },
      { method: 'PATCH' as const, body: { description: 'changed' } },
      { method: 'DELETE' as const },
    ]) {
      const response = await t.request({
        ...request,
        url: versionUrl('pub.1'),
        key: keys.actuary.key,
      });
      expect([request.method, response.status, response.body.type]).toEqual([
        request.method,
        409,
        'urn:securescore:problem:table-immutable',
      ]);
    }
    const read = await t.request({ method: 'GET', url: versionUrl('pub.1') });
    expect([read.body.status, read.body.sha256]).toEqual(['published', canonicalSha256(document)]);
    expect(
      (await auditActions('pub.1')).map((row) => [row.action, row.before_sha256, row.after_sha256]),
    ).toEqual([
      ['weighting-table.created', null, canonicalSha256(document)],
      ['weighting-table.published', canonicalSha256(document), canonicalSha256(document)],
    ]);
  });

  it('refuses, in the database itself, any change to a published version (AUD-02)', async () => {
    const before = (
      await db.query(
        `SELECT sha256, document FROM weighting_table_versions WHERE version = 'pub.1'`,
      )
    ).rows;
    await expect(
      db.query(`UPDATE weighting_table_versions SET effective_to = NULL WHERE version = 'pub.1'`),
    ).rejects.toThrow(/immutable/);
    await expect(
      db.query(`UPDATE weighting_table_versions SET status = 'draft' WHERE version = 'pub.1'`),
    ).rejects.toThrow(/immutable/);
    await expect(
      db.query(`DELETE FROM weighting_table_versions WHERE version = 'pub.1'`),
    ).rejects.toThrow(/immutable/);
    await expect(db.query(`TRUNCATE weighting_table_versions`)).rejects.toThrow(/not allowed/);
    await expect(
      db.query(
        `INSERT INTO weighting_table_versions (name, version, status, document, sha256, effective_from, created_by, published_by, published_at)
         VALUES ('sme-cyber', 'sneaky', 'published', '{}', 'x', '2040-01-01', 'me', 'me', now())`,
      ),
    ).rejects.toThrow(/draft/);
    const after = (
      await db.query(
        `SELECT sha256, document FROM weighting_table_versions WHERE version = 'pub.1'`,
      )
    ).rows;
    expect(after).toEqual(before);
  });

  it('refuses to publish an interval overlapping a published version, naming it (AUD-03)', async () => {
    await t.request({ method: 'POST', url: BASE, body: tableDocument('pub.2', '2024-06-01') });
    const overlapping = await t.request({ method: 'POST', url: `${versionUrl('pub.2')}/publish` });
    expect(overlapping.status).toBe(409);
    expect(overlapping.body).toMatchObject({
      type: 'urn:securescore:problem:table-overlap',
      detail: expect.stringContaining('pub.1'),
      overlapping: { version: 'pub.1', effectiveFrom: '2024-01-01', effectiveTo: '2025-01-01' },
    });
    expect((await t.request({ method: 'GET', url: versionUrl('pub.2') })).body.status).toBe(
      'draft',
    );
    // The database refuses it too, whatever the code path.
    await expect(
      db.query(
        `UPDATE weighting_table_versions SET status = 'published', published_by = 'x', published_at = now()
         WHERE version = 'pub.2'`,
      ),
    ).rejects.toThrow(/weighting_table_versions_no_overlap/);

    // Adjacent intervals do not overlap: effectiveTo is exclusive.
    await t.request({ method: 'POST', url: BASE, body: tableDocument('pub.3', '2025-01-01') });
    expect(
      (await t.request({ method: 'POST', url: `${versionUrl('pub.3')}/publish` })).status,
    ).toBe(200);
  });

  it('resolves the version in force by the UTC day of asOf, at the interval boundaries (AUD-04)', async () => {
    const tables = t.app.get(WeightingTablesService);
    const inForce = async (asOf: string) =>
      (await tables.resolveTable({ name: 'sme-cyber' }, new Date(asOf))).version;
    expect(await inForce('2024-01-01T00:00:00.000Z')).toBe('pub.1');
    expect(await inForce('2024-12-31T23:59:59.999Z')).toBe('pub.1');
    expect(await inForce('2025-01-01T00:00:00.000Z')).toBe('pub.3');
    expect(await inForce('2025-01-01T00:00:00.001Z')).toBe('pub.3');
    // 09:00 on 1 January at +14:00 is still 31 December in UTC.
    expect(await inForce('2025-01-01T09:00:00+14:00')).toBe('pub.1');
    expect(await inForce('2099-06-01T00:00:00Z')).toBe('pub.3');
    await expect(inForce('2023-12-31T23:59:59.999Z')).rejects.toMatchObject({
      code: 'no-table-in-force',
    });

    const named = await tables.resolveTable(
      { name: 'sme-cyber', version: 'pub.1' },
      new Date('2099-01-01'),
    );
    expect(named).toMatchObject({
      version: 'pub.1',
      status: 'published',
      effectiveTo: '2025-01-01',
    });
    await expect(
      tables.resolveTable({ name: 'sme-cyber', version: 'pub.2' }, new Date()),
    ).rejects.toMatchObject({
      code: 'no-table-in-force',
    });
    const draft = await tables.resolveTable({ name: 'sme-cyber', version: 'pub.2' }, new Date(), {
      allowDraft: true,
    });
    expect(draft.status).toBe('draft');
    await expect(tables.resolveTable({ name: 'nope' }, new Date())).rejects.toMatchObject({
      code: 'no-table-in-force',
      message: 'No weighting table is named nope',
    });
    // Without a name: the one table name in force.
    expect((await tables.resolveTable(null, new Date('2024-03-01T00:00:00Z'))).version).toBe(
      'pub.1',
    );
    // Published versions compile once and come from the cache after.
    expect(await tables.compiledVersion('sme-cyber', 'pub.1')).toBe(named);
  });

  it('applies concurrent merge patches of a draft each in full', async () => {
    const name = 'two-patches-at-once'; // listed after sme-cyber (see the listing test)
    const url = versionUrl('1', name);
    await t.request({
      method: 'POST',
      url: BASE,
      body: tableDocument('1', '2024-01-01', { name }),
    });
    // Each patch was merged into the document as read before the lock, so one undid the other.
    for (let round = 0; round < 10; round++) {
      const description = `round ${round}`;
      const factorCap = `${3 + round}`;
      const responses = await Promise.all([
        t.request({ method: 'PATCH', url, body: { description } }),
        t.request({ method: 'PATCH', url, body: { factorCap } }),
      ]);
      expect(responses.map((r) => r.status)).toEqual([200, 200]);
      const { document } = (await t.request({ method: 'GET', url })).body;
      expect([document.description, String(document.factorCap)]).toEqual([description, factorCap]);
    }
  });

  it('supersedes an open-ended published version from a day not yet begun, keeping its document (rating-spec §1)', async () => {
    // Without this, a version published with effectiveTo null blocked its table for good.
    const name = 'supersession'; // listed after sme-cyber (see the listing test)
    const day = (fromNow: number) =>
      new Date(Date.now() + fromNow * 86_400_000).toISOString().slice(0, 10);
    const url = (version: string) => versionUrl(version, name);
    const draft = async (version: string, effectiveFrom: string) =>
      expect(
        (
          await t.request({
            method: 'POST',
            url: BASE,
            body: tableDocument(version, effectiveFrom, { name }),
          })
        ).status,
      ).toBe(201);
    const publish = (version: string, body?: object) =>
      t.request({ method: 'POST', url: `${url(version)}/publish`, body });
    await draft('1', '2024-01-01');
    expect((await publish('1')).status).toBe(200);
    const tables = t.app.get(WeightingTablesService);
    const inForce = async (onDay: string) =>
      (await tables.resolveTable({ name }, new Date(`${onDay}T12:00:00Z`))).version;
    // Read (and so cached) before the supersession: a later day must be read again after it.
    expect(await inForce('2099-06-01')).toBe('1');
    const first = (await t.request({ method: 'GET', url: url('1') })).body;

    const from = day(3);
    await draft('2', from);
    const blocked = await publish('2');
    expect(blocked.status).toBe(409);
    expect(blocked.body.detail).toContain('publish with {"supersedes": "1"}');
    const refusals: [object, string][] = [
      [{ supersedes: '1', effectiveTo: '2030-01-01' }, '/effectiveTo'],
      [{ supersedes: 'nope' }, '/supersedes'],
      [{ supersedes: '2' }, '/supersedes'],
      [{ supersedes: '../1' }, '/supersedes'],
    ];
    // null is absent: the plain overlap, not a 500.
    expect((await publish('2', { supersedes: null })).status).toBe(409);
    for (const [body, pointer] of refusals) {
      const refused = await publish('2', body);
      expect([refused.status, refused.body.errors?.[0]?.pointer]).toEqual([422, pointer]);
    }
    // Not from a day already begun: which version was in force today never changes.
    await draft('today', day(0));
    const today = await publish('today', { supersedes: '1' });
    expect(today.status).toBe(422);
    expect(today.body.errors[0].message).toContain('a day already begun (UTC)');

    const published = await publish('2', { supersedes: '1' });
    expect(published.status).toBe(200);
    expect(published.body).toMatchObject({ status: 'published', supersededFrom: null });
    const superseded = (await t.request({ method: 'GET', url: url('1') })).body;
    expect(superseded).toEqual({
      ...first,
      supersededFrom: from,
      supersededBy: '2',
    });
    expect(await inForce(day(2))).toBe('1');
    expect(await inForce(from)).toBe('2');
    expect(await inForce('2099-06-01')).toBe('2');
    expect(await auditActions('1', name)).toEqual([
      expect.objectContaining({ action: 'weighting-table.created' }),
      expect.objectContaining({ action: 'weighting-table.published' }),
      {
        action: 'weighting-table.superseded',
        before_sha256: first.sha256,
        after_sha256: first.sha256,
        actor_key_id: expect.any(String),
      },
    ]);
    // Once superseded, a version is not superseded again from a later day, and the database
    // refuses any other change, and one from a day already begun.
    await draft('3', day(5));
    const later = await publish('3', { supersedes: '1' });
    expect(later.body.errors[0].message).toContain('does not begin inside it');
    for (const change of [`superseded_from = '${day(4)}'`, `superseded_from = '${day(0)}'`]) {
      await expect(
        db.query(
          `UPDATE weighting_table_versions SET ${change}, superseded_by = 'x'
            WHERE name = $1 AND version = '1'`,
          [name],
        ),
      ).rejects.toThrow(/immutable/);
    }
  });

  it('lets only actuaries and admins write (403), and every role read', async () => {
    for (const role of ['underwriter', 'partner'] as const) {
      const key = keys[role].key;
      for (const request of [
        { method: 'POST' as const, url: BASE, body: tableDocument('forbidden.1', '2040-01-01') },
        {
          method: 'PUT' as const,
          url: versionUrl('pub.2'),
          body: tableDocument('pub.2', '2024-06-01'),
        },
        { method: 'PATCH' as const, url: versionUrl('pub.2'), body: {} },
        { method: 'DELETE' as const, url: versionUrl('pub.2') },
        { method: 'POST' as const, url: `${versionUrl('pub.2')}/publish` },
      ]) {
        expect([role, request.method, (await t.request({ ...request, key })).status]).toEqual([
          role,
          request.method,
          403,
        ]);
      }
      expect((await t.request({ method: 'GET', url: versionUrl('pub.1'), key })).status).toBe(200);
      expect((await t.request({ method: 'GET', url: BASE, key })).status).toBe(200);
    }
    expect((await t.request({ method: 'GET', url: BASE, key: null })).status).toBe(401);
  });

  it('answers 422 listing every violation of an invalid table, with its pointer', async () => {
    const document: any = tableDocument('bad.1', '2024-13-01');
    document.name = 'Not A Name';
    document.controls[0].weigth = 1;
    document.tiers[4].minIndex = 5;
    document.gates[0].capTier = 'Z';
    document.colour = 'blue';
    const response = await t.request({
      method: 'POST',
      url: BASE,
      key: keys.actuary.key,
      body: document,
    });
    expect(response.status).toBe(422);
    expect(response.body.type).toBe('urn:securescore:problem:validation-failed');
    const pointers = response.body.errors.map((e: { pointer: string }) => e.pointer);
    expect(pointers).toEqual(
      expect.arrayContaining([
        '/name',
        '/effectiveFrom',
        '/controls/0/weigth',
        '/tiers/4/minIndex',
        '/gates/0/capTier',
        '/colour',
      ]),
    );
    for (const body of [[], 'text', null, { name: 'sme-cyber' }]) {
      const bad = await t.request({ method: 'POST', url: BASE, body });
      expect(bad.status).toBe(422);
    }
    expect(
      (await db.query(`SELECT 1 FROM weighting_table_versions WHERE version = 'bad.1'`)).rowCount,
    ).toBe(0);
  });

  it('accepts a table as YAML, with the same sha256 as the same document in JSON', async () => {
    const document = tableDocument('yaml.1', '2040-01-01');
    const created = await t.request({
      method: 'POST',
      url: BASE,
      key: keys.actuary.key,
      rawBody: `# written by hand\n${stringify(document)}`,
      headers: { 'content-type': 'application/yaml' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      version: 'yaml.1',
      sha256: canonicalSha256(document),
      document,
    });

    const broken = await t.request({
      method: 'POST',
      url: BASE,
      rawBody: 'name: sme-cyber\nversion: [unclosed\n',
      headers: { 'content-type': 'text/yaml' },
    });
    expect([broken.status, broken.headers['content-type']]).toEqual([
      400,
      expect.stringMatching(/problem\+json/),
    ]);
    const elsewhere = await t.request({
      method: 'POST',
      url: '/v1/rate',
      rawBody: 'snapshot: {}\n',
      headers: { 'content-type': 'application/x-yaml' },
    });
    expect(elsewhere.status).toBe(415);
  });

  it('lists table names with their versions, and the versions of a name, paged', async () => {
    await t.request({
      method: 'POST',
      url: BASE,
      body: tableDocument('other.1', '2024-01-01', { name: 'other-table' }),
    });
    const names = await t.request({ method: 'GET', url: `${BASE}?limit=1` });
    expect(names.status).toBe(200);
    expect(names.body.items).toEqual([
      { name: 'other-table', versions: [expect.objectContaining({ version: 'other.1' })] },
    ]);
    const rest = await t.request({
      method: 'GET',
      url: `${BASE}?limit=1&cursor=${names.body.nextCursor}`,
    });
    expect(rest.body.items.map((item: { name: string }) => item.name)).toEqual(['sme-cyber']);
    expect(rest.body.items[0].versions[0]).not.toHaveProperty('document');

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await t.request({
        method: 'GET',
        url: `${BASE}/sme-cyber/versions?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      });
      expect(page.status).toBe(200);
      seen.push(...page.body.items.map((v: { version: string }) => v.version));
      cursor = page.body.nextCursor;
    } while (cursor !== null);
    expect(seen).toEqual(['pub.1', 'pub.2', 'pub.3', 'yaml.1']);
    expect((await t.request({ method: 'GET', url: `${BASE}/no-such-table/versions` })).status).toBe(
      404,
    );
    expect((await t.request({ method: 'GET', url: `${BASE}?cursor=garbage` })).status).toBe(422);
  });

  it('diffs two versions: one entry per changed weight, tier, gate and modifier', async () => {
    const changed = exampleTable();
    changed.controls[0].weight = 12;
    changed.tiers[1].minIndex = 75;
    changed.gates[1].minAdoption = 0.8;
    changed.modifiers[2].values.healthcare = 1.25;
    await t.request({ method: 'POST', url: BASE, body: tableDocument('diff.1', '2050-01-01') });
    await t.request({
      method: 'POST',
      url: BASE,
      body: tableDocument('diff.2', '2050-01-01', {
        controls: changed.controls,
        tiers: changed.tiers,
        gates: changed.gates,
        modifiers: changed.modifiers,
      }),
    });
    const diff = await t.request({
      method: 'GET',
      url: `${versionUrl('diff.1')}/diff/diff.2`,
      key: keys.underwriter.key,
    });
    expect(diff.status).toBe(200);
    const summary = diff.body.changes.map((c: any) => [c.kind, c.key]);
    expect(summary).toEqual([
      ['control', 'AdminMFAV2'],
      ['tier', 'B'],
      ['gate', 'BlockLegacyAuthentication'],
      ['modifier', 'industry'],
      ['setting', 'version'],
    ]);
    expect(diff.body.changes[0]).toMatchObject({
      before: { weight: '10' },
      after: { weight: '12' },
    });
    expect(diff.body).toMatchObject({ from: { version: 'diff.1' }, to: { version: 'diff.2' } });
    const same = await t.request({ method: 'GET', url: `${versionUrl('diff.1')}/diff/diff.1` });
    expect(same.body.changes).toEqual([]);
    expect(
      (await t.request({ method: 'GET', url: `${versionUrl('diff.1')}/diff/nope` })).status,
    ).toBe(404);
  });

  it('refuses a YAML category named __proto__ (400), as the JSON parser refuses the key', async () => {
    // Stored, it would be served back as JSON text holding "__proto__", which a client's own
    // JSON.parse-and-merge turns into prototype pollution.
    const yaml = stringify(tableDocument('proto.1', '2041-01-01')).replace(
      /^categoryWeights:\n/m,
      'categoryWeights:\n  __proto__: 0.75\n',
    );
    const created = await t.request({
      method: 'POST',
      url: BASE,
      key: keys.actuary.key,
      rawBody: yaml,
      headers: { 'content-type': 'application/yaml' },
    });
    expect(created.status).toBe(400);
    expect(created.body.detail).toContain('the key __proto__ is not accepted');
    expect((await t.request({ method: 'GET', url: versionUrl('proto.1') })).status).toBe(404);
  });
});

describe('the tables:validate and tables:publish commands', () => {
  let t: TestApp;
  let dir: string;
  beforeAll(async () => {
    t = await createTestApp();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssu-tables-'));
  });
  afterAll(async () => {
    fs.rmSync(dir, { recursive: true, force: true });
    await t.close();
  });

  it('validates the example table (exit 0) and lists every violation of a broken one (exit 1)', async () => {
    const env = { DATABASE_URL: t.databaseUrl };
    const good = await runCli(
      ['tables:validate', path.join(EXAMPLES, 'weighting-table.sme-cyber-2027.1.json')],
      env,
    );
    expect([good.code, good.stdout]).toEqual([
      0,
      expect.stringContaining(canonicalSha256(exampleTable())),
    ]);

    const broken = exampleTable();
    broken.tiers[0].factor = -1;
    broken.defaultWeight = 'lots';
    const file = path.join(dir, 'broken.yaml');
    fs.writeFileSync(file, stringify(broken));
    const bad = await runCli(['tables:validate', file], env);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/^\/tiers\/0\/factor: /m);
    expect(bad.stdout).toMatch(/^\/defaultWeight: /m);
    expect(bad.stderr).toContain('2 violation(s)');
  }, 60_000);

  it('refuses a file that is not UTF-8 rather than publish U+FFFD, and reads past a byte order mark', async () => {
    const env = { DATABASE_URL: t.databaseUrl };
    const latin1 = path.join(dir, 'latin1.json');
    const document = JSON.stringify(
      tableDocument('cli.latin1', '2024-01-01', { description: 'Café' }),
    );
    fs.writeFileSync(latin1, Buffer.from(document, 'latin1'));
    const refused = await runCli(['tables:publish', latin1], env);
    expect([refused.code, refused.stderr]).toEqual([1, expect.stringContaining('not UTF-8 text')]);
    expect((await t.request({ method: 'GET', url: versionUrl('cli.latin1') })).status).toBe(404);
    const bom = path.join(dir, 'bom.json');
    fs.writeFileSync(bom, `\uFEFF${document}`);
    const valid = await runCli(['tables:validate', bom], env);
    expect(valid.code).toBe(0);
  }, 60_000);

  it('creates and publishes a table from a file, idempotently', async () => {
    const env = { DATABASE_URL: t.databaseUrl };
    const file = path.join(dir, 'table.yml');
    fs.writeFileSync(file, stringify(tableDocument('cli.1', '2024-01-01')));
    const first = await runCli(['tables:publish', file], env);
    expect([first.code, first.stdout]).toEqual([
      0,
      expect.stringContaining('published sme-cyber cli.1'),
    ]);
    const read = await t.request({ method: 'GET', url: versionUrl('cli.1') });
    expect(read.body).toMatchObject({
      status: 'published',
      createdBy: 'system',
      publishedBy: 'system',
    });
    const again = await runCli(['tables:publish', file], env);
    expect([again.code, again.stdout]).toEqual([0, expect.stringContaining('already published')]);
    fs.writeFileSync(
      file,
      stringify(tableDocument('cli.1', '2024-01-01', { description: 'changed' })),
    );
    const changed = await runCli(['tables:publish', file], env);
    expect([changed.code, changed.stderr]).toEqual([
      1,
      expect.stringContaining('already published with different content'),
    ]);

    // cli.1 is open-ended: the next version supersedes it from the day it begins.
    const from = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
    fs.writeFileSync(file, stringify(tableDocument('cli.2', from)));
    const blocked = await runCli(['tables:publish', file], env);
    expect([blocked.code, blocked.stderr]).toEqual([
      1,
      expect.stringContaining('publish with {"supersedes": "cli.1"}'),
    ]);
    const next = await runCli(['tables:publish', '--supersedes', 'cli.1', file], env);
    expect([next.code, next.stdout]).toEqual([
      0,
      expect.stringContaining(
        `published sme-cyber cli.2, effective [${from}, open), superseding cli.1 from ${from}`,
      ),
    ]);
    expect((await t.request({ method: 'GET', url: versionUrl('cli.1') })).body).toMatchObject({
      supersededFrom: from,
      supersededBy: 'cli.2',
    });
  }, 60_000);
});
