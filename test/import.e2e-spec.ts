import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import pg from 'pg';
import { fixture, FIXTURES, fixtureText, snapshotFor } from './support/fixtures.js';
import { runCli } from './support/processes.js';
import { createTestDatabase, dropTestDatabase } from './support/test-database.js';

/** Real payloads, one snapshot each: the client tenant and instant each one is stored under. */
const REAL = {
  'heimdall2.secureScore.json': ['12345678-1234-1234-1234-1234567890abcd', '2024-01-01T00:00:00Z'],
  'graph2otel.liveScores.json': ['4b8c18bd-2f9f-4227-af55-9f1061cf9c32', '2026-07-17T00:00:00Z'],
  'graph-docs-v1.0.list-securescores.json': [
    '00000001-0001-0001-0001-000000000001c',
    '2019-03-19T15:21:00Z',
  ],
  'o365-report-2017.getTenantSecureScores.json': [
    '12bce6d0-bfeb-4a82-abe6-98ccf3196a11',
    '2017-01-31T00:00:00Z',
  ],
} as const;

const GENERATED = [
  snapshotFor('import-gen-1', '2024-02-01'),
  snapshotFor('import-gen-2', '2024-02-01'),
  snapshotFor('import-gen-2', '2024-02-02'),
];

const ndjson = (snapshots: unknown[]) => snapshots.map((s) => JSON.stringify(s)).join('\n') + '\n';
const iso = (instant: string) => new Date(instant).toISOString();
const SUMMARY =
  /^stored (\d+), duplicates (\d+), rejected (\d+) in \d+\.\d s \(\d+ snapshots\/s\)$/m;
const STACK_FRAME = /^\s+at /m;

function summaryOf(stdout: string): { stored: number; duplicates: number; rejected: number } {
  const match = SUMMARY.exec(stdout);
  if (!match) throw new Error(`no summary line in: ${stdout}`);
  return { stored: +match[1], duplicates: +match[2], rejected: +match[3] };
}

describe('the import command', () => {
  let url: string;
  let db: pg.Client;
  let dir: string;
  let env: Record<string, string>;
  const validDir = () => path.join(dir, 'valid');

  beforeAll(async () => {
    url = await createTestDatabase();
    env = { DATABASE_URL: url };
    db = new pg.Client({ connectionString: url });
    await db.connect();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssu-import-'));
    fs.mkdirSync(path.join(validDir(), 'nested'), { recursive: true });
    for (const name of Object.keys(REAL))
      fs.copyFileSync(path.join(FIXTURES, name), path.join(validDir(), name));
    // Folders are read recursively: the NDJSON sits one level down.
    fs.writeFileSync(path.join(validDir(), 'nested', 'generated.ndjson'), ndjson(GENERATED));
  });
  afterAll(async () => {
    fs.rmSync(dir, { recursive: true, force: true });
    await db.end();
    await dropTestDatabase(url);
  });

  const count = async () =>
    Number((await db.query(`SELECT count(*) FROM secure_score_snapshots`)).rows[0].count);
  const stored = async (azureTenantId: string) =>
    (
      await db.query(
        `SELECT s.id, s.created_date_time, s.source_shape, s.current_score::text AS current_score,
                s.content_sha256, s.raw_gzip
           FROM secure_score_snapshots s JOIN client_tenants t ON t.id = s.client_tenant_id
          WHERE t.azure_tenant_id = $1
          ORDER BY s.created_date_time`,
        [azureTenantId],
      )
    ).rows;

  it('imports a folder of real payloads and NDJSON, printing the counts, and stores every snapshot', async () => {
    expect(await count()).toBe(0);
    const result = await runCli(['import', validDir()], env);
    expect(result.code).toBe(0);
    expect(summaryOf(result.stdout)).toEqual({ stored: 7, duplicates: 0, rejected: 0 });
    expect(result.stdout).not.toMatch(/^rejected /m);
    expect(result.stderr).not.toMatch(STACK_FRAME);

    expect(await count()).toBe(7);
    for (const [name, [azureTenantId, instant]] of Object.entries(REAL)) {
      const rows = await stored(azureTenantId);
      expect([name, rows.map((row) => row.created_date_time.toISOString())]).toEqual([
        name,
        [iso(instant)],
      ]);
    }
    const [heimdall] = await stored(REAL['heimdall2.secureScore.json'][0]);
    expect([heimdall.source_shape, heimdall.current_score]).toEqual(['graph-v1', '128']);
    const [report2017] = await stored(REAL['o365-report-2017.getTenantSecureScores.json'][0]);
    expect([report2017.source_shape, report2017.current_score]).toEqual(['o365-report-2017', '92']);
    // Retired control names are accepted, stored with the finding, and summed up in one line.
    const findings = await db.query(
      `SELECT unknown_controls, deprecated_controls FROM secure_score_snapshots WHERE id = $1`,
      [report2017.id],
    );
    expect(findings.rows[0]).toEqual({
      unknown_controls: ['AdminMFA', 'UserMFA', 'AltInfoIncomplete', 'DLPEnabled'],
      deprecated_controls: [],
    });
    expect(result.stdout).toContain(
      'warning: 4 control(s) not in the control catalog (snapshots naming each): AdminMFA (2), DLPEnabled (2), AltInfoIncomplete (1), UserMFA (1)\n',
    );
    const audit = await db.query(
      `SELECT details->'backfill' AS backfill FROM audit_log WHERE action = 'secure-scores.stored'`,
    );
    expect(audit.rows.map((row) => row.backfill)).toEqual(audit.rows.map(() => true));
    expect(audit.rows.length).toBeGreaterThan(0);

    // Each NDJSON line is its own snapshot, kept as sent.
    const gen2 = await stored('import-gen-2');
    expect(gen2.map((row) => row.created_date_time.toISOString())).toEqual([
      iso('2024-02-01T00:00:00Z'),
      iso('2024-02-02T00:00:00Z'),
    ]);
    expect(JSON.parse(gunzipSync(gen2[1].raw_gzip).toString('utf8'))).toEqual(GENERATED[2]);
    expect(await stored('import-gen-1')).toHaveLength(1);
  }, 30_000);

  it('imports the same folder again as duplicates, storing nothing new', async () => {
    const before = (await db.query(`SELECT id FROM secure_score_snapshots ORDER BY id`)).rows;
    const result = await runCli(['import', validDir()], env);
    expect(result.code).toBe(0);
    expect(summaryOf(result.stdout)).toEqual({ stored: 0, duplicates: 7, rejected: 0 });
    expect((await db.query(`SELECT id FROM secure_score_snapshots ORDER BY id`)).rows).toEqual(
      before,
    );
  }, 30_000);

  it('rejects each bad record with its origin and reason, stores the valid ones, and exits 1', async () => {
    const mixed = path.join(dir, 'mixed');
    fs.mkdirSync(mixed);
    // Two different snapshots claiming one client tenant and instant: the whole file is refused.
    fs.copyFileSync(
      path.join(FIXTURES, 'heimdall2.secureScore-multiple.json'),
      path.join(mixed, 'heimdall2.secureScore-multiple.json'),
    );
    fs.writeFileSync(path.join(mixed, 'malformed.json'), '{"value": [{"azureTenantId": ');
    const negative = snapshotFor('import-negative', '2024-03-01');
    negative.currentScore = -5;
    const conflicting = snapshotFor('import-gen-1', '2024-02-01');
    conflicting.currentScore = 99;
    const goodLines = [
      snapshotFor('import-mixed-1', '2024-03-01'),
      snapshotFor('import-mixed-2', '2024-03-01'),
    ];
    const lines = path.join(mixed, 'lines.ndjson');
    // Line 5 was written in Latin-1 (0xFC for "ü"): refused, not stored with U+FFFD in it.
    const latin1 = Buffer.from(JSON.stringify(snapshotFor('import-latin1', '2024-03-01')), 'utf8');
    fs.writeFileSync(
      lines,
      Buffer.concat([
        Buffer.from(ndjson([goodLines[0], negative, conflicting, goodLines[1]])),
        Buffer.from(
          latin1.toString('utf8').replace('"id":', '"name":"Z\u00fcrich","id":'),
          'latin1',
        ),
        Buffer.from('\n'),
      ]),
    );
    const envelope = path.join(mixed, 'z-envelope.json');
    fs.writeFileSync(
      envelope,
      JSON.stringify({ value: [snapshotFor('import-mixed-3', '2024-03-01')] }),
    );
    const heimdallBefore = await stored(REAL['heimdall2.secureScore.json'][0]);
    const [gen1] = await stored('import-gen-1');
    const before = await count();

    const result = await runCli(['import', mixed], env);
    expect(result.code).toBe(1);
    expect(summaryOf(result.stdout)).toEqual({ stored: 3, duplicates: 0, rejected: 5 });
    const rejected = result.stdout.split('\n').filter((line) => line.startsWith('rejected '));
    expect(rejected).toHaveLength(5);
    expect(rejected).toEqual(
      expect.arrayContaining([
        `rejected ${lines}:2: 1 violation(s): /currentScore: must not be negative`,
        `rejected ${lines}:3: a different snapshot for 2024-02-01T00:00:00.000Z is already stored (${gen1.id})`,
        `rejected ${lines}:5: The text is not valid UTF-8`,
        `rejected ${path.join(mixed, 'heimdall2.secureScore-multiple.json')}: 1 violation(s): ` +
          '/value/1/createdDateTime: repeats the client tenant and instant of /value/0 with different content: ' +
          'one snapshot per client tenant and createdDateTime',
        expect.stringMatching(/^rejected .+\/malformed\.json: malformed JSON: \S/),
      ]),
    );
    expect(result.stderr).toContain('5 record(s) rejected');
    expect(result.stderr).not.toMatch(STACK_FRAME);

    // The valid records of the same run are stored; the rejected ones changed nothing.
    expect(await count()).toBe(before + 3);
    for (const tenant of ['import-mixed-1', 'import-mixed-2', 'import-mixed-3'])
      expect(await stored(tenant)).toHaveLength(1);
    expect(await stored('import-negative')).toEqual([]);
    expect(await stored('import-latin1')).toEqual([]);
    expect(await stored(REAL['heimdall2.secureScore.json'][0])).toEqual(heimdallBefore);
    const [gen1After] = await stored('import-gen-1');
    expect(gen1After.content_sha256).toBe(gen1.content_sha256);
    expect(JSON.parse(gunzipSync(gen1After.raw_gzip).toString('utf8'))).toEqual(GENERATED[0]);
  }, 30_000);

  it('writes batch after batch in order while the next are prepared (--batch-size 2)', async () => {
    const one = (tenant: string, day: string) => snapshotFor(tenant, day);
    const conflicting = { ...one('import-batches-1', '2024-05-01'), currentScore: 1 };
    // 11 records in 6 batches of 2: a repeat within a batch and across batches, a record that
    // conflicts with one two batches before it, and a bad one.
    const lines = [
      one('import-batches-1', '2024-05-01'),
      one('import-batches-1', '2024-05-01'),
      one('import-batches-2', '2024-05-01'),
      one('import-batches-3', '2024-05-01'),
      conflicting,
      { azureTenantId: '' },
      one('import-batches-2', '2024-05-01'),
      one('import-batches-4', '2024-05-01'),
      one('import-batches-4', '2024-05-02'),
      one('import-batches-5', '2024-05-01'),
      one('import-batches-6', '2024-05-01'),
    ].map((snapshot) => JSON.stringify(snapshot));
    const file = path.join(dir, 'batches.ndjson');
    fs.writeFileSync(file, lines.join('\n') + '\n');
    const before = await count();
    const result = await runCli(['import', '--batch-size', '2', file], env);
    expect(result.code).toBe(1);
    expect(summaryOf(result.stdout)).toEqual({ stored: 7, duplicates: 2, rejected: 2 });
    expect(result.stdout).toContain(`rejected ${file}:5: a different snapshot for 2024-05-01`);
    expect(result.stdout).toMatch(new RegExp(`^rejected ${file}:6: \\d+ violation`, 'm'));
    expect(await count()).toBe(before + 7);
    const [first] = await stored('import-batches-1');
    expect(first.current_score).toBe(String(one('import-batches-1', '2024-05-01').currentScore));
    expect(await stored('import-batches-4')).toHaveLength(2);
  }, 30_000);

  it('applies pages of control profiles in the input to the catalog, checking the snapshots after them against it', async () => {
    // A Graph export holds both lists. Line 1 is a page of profiles naming a new control; the
    // snapshots after it name that control, and are checked against the catalog the page made,
    // though they are prepared on the threads while the page is still being applied.
    const control = 'import_profiled_control';
    const page = {
      '@odata.context':
        'https://graph.microsoft.com/v1.0/$metadata#security/secureScoreControlProfiles',
      value: [{ id: control, title: 'A control first seen in the import', maxScore: 4 }],
    };
    const naming = (tenant: string) => {
      const snapshot = snapshotFor(tenant, '2024-06-01');
      snapshot.controlScores.push({
        controlName: control,
        controlCategory: 'Data',
        score: 2,
        scoreInPercentage: 50,
      });
      snapshot.currentScore += 2;
      snapshot.maxScore += 4;
      return snapshot;
    };
    const tenants = Array.from({ length: 12 }, (_, i) => `import-profiled-${i}`);
    const file = path.join(dir, 'export.ndjson');
    // Line 14: a page of profiles that is invalid, rejected as profiles.
    const badPage = { ...page, value: [{ title: 'A profile without an id' }] };
    fs.writeFileSync(file, ndjson([page, ...tenants.map(naming), badPage]));
    const before = await count();

    const result = await runCli(['import', file], env);
    expect(result.code).toBe(1);
    expect(summaryOf(result.stdout)).toEqual({ stored: 12, duplicates: 0, rejected: 1 });
    expect(result.stdout).toMatch(
      /^control profiles: 1 applied to the catalog from 1 document\(s\)$/m,
    );
    expect(result.stdout).toMatch(
      new RegExp(`^rejected ${file}:14: control profiles: 1 violation\\(s\\): /value/0/id: `, 'm'),
    );
    expect(result.stdout).not.toContain(control);
    expect(await count()).toBe(before + 12);
    const catalog = await db.query(
      `SELECT title, max_score::text AS max_score FROM control_profiles WHERE control_name = $1`,
      [control],
    );
    expect(catalog.rows).toEqual([{ title: page.value[0].title, max_score: '4' }]);
    const findings = await db.query(
      `SELECT s.unknown_controls FROM secure_score_snapshots s
         JOIN client_tenants t ON t.id = s.client_tenant_id WHERE t.azure_tenant_id = ANY($1)`,
      [tenants],
    );
    expect(findings.rows).toHaveLength(12);
    for (const row of findings.rows) expect(row.unknown_controls).not.toContain(control);
  }, 30_000);

  it('reads gzipped files, names the files it skips, and stops at one cut short after storing what came before', async () => {
    const folder = path.join(dir, 'gzipped');
    fs.mkdirSync(folder);
    fs.writeFileSync(
      path.join(folder, 'a.json.gz'),
      gzipSync(JSON.stringify(snapshotFor('import-gz-1', '2024-07-01'))),
    );
    fs.writeFileSync(
      path.join(folder, 'b.ndjson.gz'),
      gzipSync(
        ndjson([
          snapshotFor('import-gz-2', '2024-07-01'),
          snapshotFor('import-gz-3', '2024-07-01'),
        ]),
      ),
    );
    fs.copyFileSync(
      path.join(FIXTURES, 'graph-docs-v1.0.list-securescorecontrolprofiles.jsonc'),
      path.join(folder, 'c.jsonc'),
    );
    const whole = gzipSync(ndjson([snapshotFor('import-gz-4', '2024-07-01')]));
    const cut = path.join(folder, 'd.ndjson.gz');
    fs.writeFileSync(cut, whole.subarray(0, whole.length - 20));
    const before = await count();

    const result = await runCli(['import', folder], env);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      new RegExp(`^skipping 1 file\\(s\\) that are not .+: ${path.join(folder, 'c.jsonc')}$`, 'm'),
    );
    expect(summaryOf(result.stdout)).toEqual({ stored: 3, duplicates: 0, rejected: 0 });
    expect(result.stderr).toContain(`stopped reading the input: ${cut}: `);
    expect(result.stderr).not.toMatch(STACK_FRAME);
    expect(await count()).toBe(before + 3);
    for (const tenant of ['import-gz-1', 'import-gz-2', 'import-gz-3'])
      expect(await stored(tenant)).toHaveLength(1);

    // A folder with nothing to import is an error, not an import of nothing.
    const empty = path.join(dir, 'nothing-to-import');
    fs.mkdirSync(empty);
    fs.copyFileSync(path.join(folder, 'c.jsonc'), path.join(empty, 'c.jsonc'));
    const none = await runCli(['import', empty], env);
    expect(none.code).not.toBe(0);
    expect(none.stderr).toContain(`${empty} holds no .json, .ndjson or .jsonl`);
    expect(none.stderr).not.toMatch(STACK_FRAME);
  }, 30_000);

  it('reads NDJSON from stdin with `import -`, counting a repeated line as a duplicate', async () => {
    const first = snapshotFor('import-stdin-1', '2024-04-01');
    const second = snapshotFor('import-stdin-2', '2024-04-01', 'graph2otel.liveScores.json');
    // A blank line is skipped; the identical repeat of the first line is a duplicate.
    const input = `${JSON.stringify(first)}\n\n${JSON.stringify(second)}\n${JSON.stringify(first)}\n`;
    const before = await count();
    const result = await runCli(['import', '-'], env, input);
    expect(result.code).toBe(0);
    expect(summaryOf(result.stdout)).toEqual({ stored: 2, duplicates: 1, rejected: 0 });
    expect(await count()).toBe(before + 2);
    const [stdin1] = await stored('import-stdin-1');
    expect(JSON.parse(gunzipSync(stdin1.raw_gzip).toString('utf8'))).toEqual(first);
    const [stdin2] = await stored('import-stdin-2');
    expect(stdin2.current_score).toBe(
      String(fixture('graph2otel.liveScores.json').value[0].currentScore),
    );

    // A bad line on stdin is named by its line number.
    const bad = await runCli(['import', '-'], env, `${JSON.stringify(first)}\nnot json\n`);
    expect(bad.code).toBe(1);
    expect(summaryOf(bad.stdout)).toEqual({ stored: 0, duplicates: 1, rejected: 1 });
    expect(bad.stdout).toMatch(/^rejected stdin:2: malformed JSON: /m);
    expect(await count()).toBe(before + 2);

    // A pretty-printed document piped in is one document, not a rejection per line.
    const rows = await runCli(
      ['import', '-'],
      env,
      fixtureText('o365-report-2017.getTenantSecureScores.json'),
    );
    expect(rows.code).toBe(0);
    expect(summaryOf(rows.stdout).rejected).toBe(0);
  }, 30_000);
});
