import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { Decimal } from 'decimal.js';
import fc from 'fast-check';
import { parseJsonStrict } from '../../common/json/hardened-json.parser.js';
import {
  errorWrapperKey,
  parseSecureScorePayload,
  snapshotAgeIssues,
  type NormalizedSnapshot,
  type ValidationIssue,
} from './secure-score-payload.parser.js';

const FIXTURES = path.resolve(process.cwd(), '../shared/fixtures/securescore');
/** Fixtures go through the same hardened JSON parser as request bodies. */
const load = (name: string): any =>
  parseJsonStrict(fs.readFileSync(path.join(FIXTURES, name), 'utf8'));
const heimdall = () => load('heimdall2.secureScore.json').value[0];
const report2017 = () => load('o365-report-2017.getTenantSecureScores.json');

function snapshots(body: unknown): NormalizedSnapshot[] {
  const result = parseSecureScorePayload(body);
  if (!result.ok) throw new Error(`expected a valid payload: ${JSON.stringify(result.errors)}`);
  return result.snapshots;
}

function violations(body: unknown): ValidationIssue[] {
  const result = parseSecureScorePayload(body);
  if (result.ok) throw new Error('expected violations');
  return result.errors;
}

const pointers = (body: unknown) => violations(body).map((issue) => issue.pointer);
const ISO_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

describe('parseSecureScorePayload on the real payloads', () => {
  it('refuses two different snapshots of one client tenant and instant (heimdall2 multiple)', () => {
    const body = load('heimdall2.secureScore-multiple.json') as {
      value: Record<string, unknown>[];
    };
    expect(parseSecureScorePayload(body)).toEqual({
      ok: false,
      errors: [
        {
          pointer: '/value/1/createdDateTime',
          message: expect.stringContaining('repeats the client tenant and instant of /value/0'),
        },
      ],
      sourceError: false,
    });
    // On their own days both map; an identical repeat is not a contradiction.
    body.value[1].createdDateTime = '2024-01-02T00:00:00Z';
    expect(snapshots(body).map((s) => s.pointer)).toEqual(['/value/0', '/value/1']);
    expect(snapshots({ value: [body.value[0], body.value[0]] })).toHaveLength(2);
  });

  it.each([
    ['heimdall2.secureScore.json', 'graph-v1', ['/value/0'], 68],
    ['graph2otel.liveScores.json', 'graph-v1', ['/value/0'], 5],
    ['graph-docs-v1.0.list-securescores.json', 'graph-v1', ['/value/0'], 2],
    ['graph-docs-2018-beta.list-securescores.json', 'graph-beta-2018', ['/value/0'], 44],
    ['o365-report-2017.getTenantSecureScores.json', 'o365-report-2017', [''], 4],
  ])('maps %s (%s)', (name, shape, at, controls) => {
    const body = load(name);
    const parsed = snapshots(body);
    expect(parsed.map((s) => s.pointer)).toEqual(at);
    for (const snapshot of parsed) {
      expect(snapshot.sourceShape).toBe(shape);
      expect(snapshot.createdDateTime).toMatch(ISO_UTC);
      expect(snapshot.controlScores).toHaveLength(controls);
    }
    // The raw object is the element itself, untouched, for storage.
    expect(parsed[0].raw).toBe(at[0] === '' ? body : body.value[0]);
  });

  it('gives heimdall2 68 controls whose scores sum exactly to its currentScore 128', () => {
    const [snapshot] = snapshots(load('heimdall2.secureScore.json'));
    const total = snapshot.controlScores.reduce((sum, c) => sum.plus(c.score!), new Decimal(0));
    expect(snapshot.controlScores).toHaveLength(68);
    expect([total.toString(), snapshot.currentScore, snapshot.maxScore]).toEqual([
      '128',
      '128',
      '274',
    ]);
    expect(snapshot).toMatchObject({
      graphId: '12345678-1234-1234-1234-1234567890abcd_2024-01-01',
      // sanitised, not a valid GUID, and accepted
      azureTenantId: '12345678-1234-1234-1234-1234567890abcd',
      createdDateTime: '2024-01-01T00:00:00.000Z',
      activeUserCount: 1,
      licensedUserCount: 0,
    });
  });

  it('reads graph2otel wire doubles (9.0, 100.0, 1376.0) as decimal text without ".0"', () => {
    const [snapshot] = snapshots(load('graph2otel.liveScores.json'));
    expect(
      snapshot.controlScores.map((c) => [c.controlName, c.score, c.scoreInPercentage]),
    ).toEqual([
      ['IntegratedApps', '4', '100'],
      ['PWAgePolicyNew', '8', '100'],
      ['SelfServicePasswordReset', '1', '100'],
      ['BlockLegacyAuthentication', '8', '100'],
      ['MFARegistrationV2', '9', '100'],
    ]);
    expect([snapshot.currentScore, snapshot.maxScore]).toEqual(['815.22', '1376']);
    // Undeclared members of the open averageComparativeScore stay as received (strings too).
    expect(snapshot.averageComparativeScores[1]).toMatchObject({
      basis: 'TotalSeats',
      averageScore: '48.1',
      SeatSizeRangeLowerValue: '1',
      SeatSizeRangeUpperValue: '100',
      infrastructureScore: 0,
    });
  });

  it('keeps each 2017 report control its own maxScore and maps the row names', () => {
    const [snapshot] = snapshots(report2017());
    expect(snapshot).toMatchObject({
      graphId: null,
      azureTenantId: '12bce6d0-bfeb-4a82-abe6-98ccf3196a11',
      createdDateTime: '2017-01-31T00:00:00.000Z',
      currentScore: '92',
      maxScore: '271',
      activeUserCount: 0,
      licensedUserCount: 28,
      enabledServices: ['HasExchange', 'HasLync', 'HasSharePoint', 'HasOD4B'],
      averageComparativeScores: [],
    });
    expect(snapshot.controlScores).toEqual(
      [
        ['AdminMFA', '8', '50'],
        ['UserMFA', '7', '30'],
        ['AltInfoIncomplete', '1', '1'],
        ['DLPEnabled', '20', '20'],
      ].map(([controlName, score, maxScore]) => ({
        controlName,
        controlCategory: null,
        score,
        scoreInPercentage: null,
        maxScore,
        description: null,
      })),
    );
  });

  it('accepts 2017 rows as an array and in an envelope, pointing at each row', () => {
    const second = { ...report2017(), createdDate: '2017-02-01' };
    expect(snapshots([report2017(), second]).map((s) => [s.pointer, s.createdDateTime])).toEqual([
      ['/0', '2017-01-31T00:00:00.000Z'],
      ['/1', '2017-02-01T00:00:00.000Z'],
    ]);
    expect(snapshots({ value: [report2017()] })[0].pointer).toBe('/value/0');
    const bad = { ...report2017(), createdDate: '2017-02-29' };
    expect(pointers([report2017(), bad])).toEqual(['/1/createdDate']);
  });

  it('maps the 2018 beta shape: averageScoreByScopes, scope -> basis, -1 -> null', () => {
    const [snapshot] = snapshots(load('graph-docs-2018-beta.list-securescores.json'));
    const total = snapshot.controlScores.reduce((sum, c) => sum.plus(c.score!), new Decimal(0));
    expect([total.toString(), snapshot.currentScore, snapshot.maxScore]).toEqual([
      '176',
      '176',
      '364',
    ]);
    expect(snapshot.averageComparativeScores).toEqual([
      expect.objectContaining({ basis: 'TotalSeats', averageScore: '34', DeviceScore: '0' }),
      expect.objectContaining({ basis: 'AllTenants', averageScore: '30', AccountScore: '14' }),
      expect.objectContaining({ basis: 'IndustryTypes', averageScore: null, DataScore: '-1' }),
    ]);
    expect(snapshot.averageComparativeScores[0]).not.toHaveProperty('scope');
    expect(snapshot.controlScores[0]).toMatchObject({
      controlName: 'AdminMFA',
      controlCategory: 'Account',
      score: '40',
      maxScore: null,
    });
  });

  it('keeps unknown members everywhere and never rejects them', () => {
    const snapshot = heimdall();
    snapshot.someNewGraphField = { nested: [1, 'x'] };
    snapshot.controlScores[0].newPerControlFlag = 'true';
    snapshot.averageComparativeScores[0].newAverage = '12';
    const [parsed] = snapshots(snapshot);
    expect(parsed.raw).toBe(snapshot);
    expect(parsed.averageComparativeScores[0]).toMatchObject({ newAverage: '12' });
  });

  it('accepts a createdDateTime a minute ahead of this clock (Graph and server clocks differ)', () => {
    const soon = new Date(Date.now() + 60_000).toISOString();
    expect(snapshots({ ...heimdall(), createdDateTime: soon })[0].createdDateTime).toBe(soon);
  });

  it('normalises a createdDateTime with an offset or fraction to UTC milliseconds', () => {
    const at = (createdDateTime: string) =>
      snapshots({ ...heimdall(), createdDateTime })[0].createdDateTime;
    expect(at('2024-01-01T01:30:00+02:00')).toBe('2023-12-31T23:30:00.000Z');
    expect(at('2024-02-29T10:00:00.1234567Z')).toBe('2024-02-29T10:00:00.123Z');
    expect(at('2024-01-01T00:00:00-00:30')).toBe('2024-01-01T00:30:00.000Z');
  });

  it('accepts a real GUID, the 37-character docs id and an id with dots and underscores', () => {
    for (const azureTenantId of [
      '4b8c18bd-2f9f-4227-af55-9f1061cf9c32',
      '00000001-0001-0001-0001-000000000001c',
      'contoso.onmicrosoft.com_1',
    ]) {
      expect(snapshots({ ...heimdall(), azureTenantId })[0].azureTenantId).toBe(azureTenantId);
    }
  });

  it('lowers the Azure tenant id: a GUID has no case, so both spellings are one client tenant', () => {
    const upper = snapshots({
      ...heimdall(),
      azureTenantId: '4B8C18BD-2F9F-4227-AF55-9F1061CF9C32',
    });
    expect(upper[0].azureTenantId).toBe('4b8c18bd-2f9f-4227-af55-9f1061cf9c32');
    // The archived payload keeps the id as sent.
    expect((upper[0].raw as Record<string, unknown>).azureTenantId).toBe(
      '4B8C18BD-2F9F-4227-AF55-9F1061CF9C32',
    );
  });

  it('accepts null optional members and normalises -0 to "0"', () => {
    const snapshot = heimdall();
    Object.assign(snapshot, {
      activeUserCount: null,
      enabledServices: null,
      averageComparativeScores: null,
    });
    Object.assign(snapshot.controlScores[0], { score: -0, scoreInPercentage: null });
    const [parsed] = snapshots(snapshot);
    expect(parsed).toMatchObject({
      activeUserCount: null,
      enabledServices: [],
      averageComparativeScores: [],
    });
    expect(parsed.controlScores[0]).toMatchObject({ score: '0', scoreInPercentage: null });
  });
});

type Mutation = (s: any) => void;
const long = (n: number) => 'x'.repeat(n);

describe('parseSecureScorePayload violations of one snapshot', () => {
  it.each<[string, Mutation, string[]]>([
    ['missing azureTenantId', (s) => delete s.azureTenantId, ['/azureTenantId']],
    ['empty azureTenantId', (s) => (s.azureTenantId = ''), ['/azureTenantId']],
    ['azureTenantId with a space', (s) => (s.azureTenantId = 'a b'), ['/azureTenantId']],
    ['azureTenantId of 101 characters', (s) => (s.azureTenantId = long(101)), ['/azureTenantId']],
    ['azureTenantId as a number', (s) => (s.azureTenantId = 42), ['/azureTenantId']],
    ['missing createdDateTime', (s) => delete s.createdDateTime, ['/createdDateTime']],
    ['impossible day', (s) => (s.createdDateTime = '2024-02-30T00:00:00Z'), ['/createdDateTime']],
    ['no leap day', (s) => (s.createdDateTime = '2023-02-29T00:00:00Z'), ['/createdDateTime']],
    ['timezone-less', (s) => (s.createdDateTime = '2024-02-01T00:00:00'), ['/createdDateTime']],
    ['a day only', (s) => (s.createdDateTime = '2024-02-01'), ['/createdDateTime']],
    ['hour 24', (s) => (s.createdDateTime = '2024-02-01T24:00:00Z'), ['/createdDateTime']],
    ['no seconds', (s) => (s.createdDateTime = '2024-02-01T10:00Z'), ['/createdDateTime']],
    [
      'offset +25:00',
      (s) => (s.createdDateTime = '2024-02-01T00:00:00+25:00'),
      ['/createdDateTime'],
    ],
    ['placeholder 0001', (s) => (s.createdDateTime = '0001-01-01T00:00:00Z'), ['/createdDateTime']],
    [
      'more than 5 minutes in the future',
      (s) => (s.createdDateTime = new Date(Date.now() + 6 * 60_000).toISOString()),
      ['/createdDateTime'],
    ],
    ['a 2099 date', (s) => (s.createdDateTime = '2099-01-01T00:00:00Z'), ['/createdDateTime']],
    ['epoch millis', (s) => (s.createdDateTime = 1704067200000), ['/createdDateTime']],
    [
      'a 65-character date',
      (s) => (s.createdDateTime = `2024-01-01T00:00:00.${'1'.repeat(44)}Z`),
      ['/createdDateTime'],
    ],
    ['controlScores null', (s) => (s.controlScores = null), ['/controlScores']],
    ['controlScores missing', (s) => delete s.controlScores, ['/controlScores']],
    ['controlScores an object', (s) => (s.controlScores = {}), ['/controlScores']],
    ['a control that is null', (s) => (s.controlScores[2] = null), ['/controlScores/2']],
    [
      'missing controlName',
      (s) => delete s.controlScores[4].controlName,
      ['/controlScores/4/controlName'],
    ],
    [
      'empty controlName',
      (s) => (s.controlScores[4].controlName = ''),
      ['/controlScores/4/controlName'],
    ],
    [
      'blank controlName',
      (s) => (s.controlScores[4].controlName = ' \t'),
      ['/controlScores/4/controlName'],
    ],
    [
      'controlName of 257',
      (s) => (s.controlScores[4].controlName = long(257)),
      ['/controlScores/4/controlName'],
    ],
    ['score as a string', (s) => (s.controlScores[1].score = '7'), ['/controlScores/1/score']],
    ['score "NaN"', (s) => (s.controlScores[1].score = 'NaN'), ['/controlScores/1/score']],
    ['score NaN', (s) => (s.controlScores[1].score = NaN), ['/controlScores/1/score']],
    ['score Infinity', (s) => (s.controlScores[1].score = Infinity), ['/controlScores/1/score']],
    ['negative score', (s) => (s.controlScores[1].score = -1), ['/controlScores/1/score']],
    ['absurd score', (s) => (s.controlScores[1].score = 1e300), ['/controlScores/1/score']],
    ['null score', (s) => (s.controlScores[1].score = null), ['/controlScores/1/score']],
    ['missing score', (s) => delete s.controlScores[1].score, ['/controlScores/1/score']],
    [
      'percentage 100.5',
      (s) => (s.controlScores[1].scoreInPercentage = 100.5),
      ['/controlScores/1/scoreInPercentage'],
    ],
    [
      'percentage "100.00"',
      (s) => (s.controlScores[1].scoreInPercentage = '100.00'),
      ['/controlScores/1/scoreInPercentage'],
    ],
    [
      'negative percentage',
      (s) => (s.controlScores[1].scoreInPercentage = -1),
      ['/controlScores/1/scoreInPercentage'],
    ],
    [
      'description of 100,001',
      (s) => (s.controlScores[0].description = long(100_001)),
      ['/controlScores/0/description'],
    ],
    [
      'controlCategory a number',
      (s) => (s.controlScores[0].controlCategory = 3),
      ['/controlScores/0/controlCategory'],
    ],
    [
      'duplicate controlName',
      (s) => (s.controlScores[3].controlName = s.controlScores[0].controlName),
      ['/controlScores/3/controlName'],
    ],
    ['negative currentScore', (s) => (s.currentScore = -1), ['/currentScore']],
    ['currentScore as a string', (s) => (s.currentScore = '128'), ['/currentScore']],
    ['currentScore null', (s) => (s.currentScore = null), ['/currentScore']],
    ['currentScore above maxScore', (s) => (s.currentScore = 275), ['/currentScore']],
    ['negative maxScore', (s) => (s.maxScore = -274), ['/maxScore']],
    ['zero maxScore', (s) => ((s.maxScore = 0), (s.currentScore = 0)), ['/maxScore']],
    ['missing maxScore', (s) => delete s.maxScore, ['/maxScore']],
    ['fractional user count', (s) => (s.activeUserCount = 1.5), ['/activeUserCount']],
    ['negative user count', (s) => (s.licensedUserCount = -1), ['/licensedUserCount']],
    ['user count as a string', (s) => (s.activeUserCount = '3'), ['/activeUserCount']],
    ['enabledServices a string', (s) => (s.enabledServices = 'HasMCAS'), ['/enabledServices']],
    ['enabledServices item a number', (s) => (s.enabledServices[2] = 7), ['/enabledServices/2']],
    [
      'averageScore as a string',
      (s) => (s.averageComparativeScores[0].averageScore = '54.65'),
      ['/averageComparativeScores/0/averageScore'],
    ],
    [
      'negative averageScore',
      (s) => (s.averageComparativeScores[1].averageScore = -5),
      ['/averageComparativeScores/1/averageScore'],
    ],
    [
      'comparative entry a string',
      (s) => (s.averageComparativeScores[1] = 'x'),
      ['/averageComparativeScores/1'],
    ],
    ['empty id', (s) => (s.id = ''), ['/id']],
  ])('%s', (_name, mutate, expected) => {
    const snapshot = heimdall();
    mutate(snapshot);
    expect(pointers(snapshot)).toEqual(expected);
  });

  it('lists every violation of a snapshot at once, in document order', () => {
    const snapshot = heimdall();
    snapshot.azureTenantId = '';
    snapshot.createdDateTime = '2024-13-01T00:00:00Z';
    snapshot.maxScore = '274';
    snapshot.controlScores[0].score = null;
    snapshot.controlScores[7].controlName = snapshot.controlScores[6].controlName;
    snapshot.controlScores[10].score = -3;
    snapshot.controlScores[10].scoreInPercentage = 300;
    expect(pointers(snapshot)).toEqual([
      '/azureTenantId',
      '/controlScores/0/score',
      '/controlScores/7/controlName',
      '/controlScores/10/score',
      '/controlScores/10/scoreInPercentage',
      '/createdDateTime',
      '/maxScore',
    ]);
  });

  it('names the first occurrence of a duplicate controlName', () => {
    const snapshot = heimdall();
    const name = snapshot.controlScores[0].controlName;
    snapshot.controlScores[3].controlName = name;
    snapshot.controlScores[5].controlName = name;
    expect(violations(snapshot)).toEqual([
      {
        pointer: '/controlScores/3/controlName',
        message: expect.stringContaining(`"${name}" of /controlScores/0`),
      },
      {
        pointer: '/controlScores/5/controlName',
        message: expect.stringContaining(`"${name}" of /controlScores/0`),
      },
    ]);
  });

  it('reports two blank controlNames once each, not as duplicates', () => {
    const snapshot = heimdall();
    snapshot.controlScores[1].controlName = '';
    snapshot.controlScores[2].controlName = '';
    expect(pointers(snapshot)).toEqual([
      '/controlScores/1/controlName',
      '/controlScores/2/controlName',
    ]);
  });

  it('treats controlNames as case-sensitive ids', () => {
    const snapshot = heimdall();
    snapshot.controlScores[1].controlName = snapshot.controlScores[0].controlName.toUpperCase();
    expect(snapshots(snapshot)[0].controlScores[1].controlName).toBe(
      snapshot.controlScores[1].controlName,
    );
  });

  it('rejects more than 5,000 controls with one violation at /controlScores', () => {
    const snapshot = heimdall();
    snapshot.controlScores = Array.from({ length: 5_001 }, (_, i) => ({
      controlName: `c${i}`,
      score: 0,
    }));
    expect(violations(snapshot)).toEqual([
      { pointer: '/controlScores', message: 'must have at most 5000 items' },
    ]);
    snapshot.controlScores.pop();
    expect(snapshots(snapshot)[0].controlScores).toHaveLength(5_000);
  });

  it('applies the same rules to 2017 rows, with their own member names', () => {
    const row = report2017();
    delete row.tenantId;
    row.createdDate = '2017-01-31T00:00:00Z';
    row.maxSecureScore = -1;
    row.controlScores[1].referenceId = 'AdminMFA';
    row.controlScores[2].score = '1';
    row.controlScores[3].score = 21; // above its own maxScore 20
    row.controlScores.push({ score: 1, maxScore: 1, controlDetails: { count: '1', total: '1' } });
    expect(pointers(row)).toEqual([
      '/controlScores/1/referenceId',
      '/controlScores/2/score',
      '/controlScores/3/score',
      '/controlScores/4/referenceId',
      '/createdDate',
      '/maxSecureScore',
      '/tenantId',
    ]);
  });

  it('applies the same rules to the 2018 beta shape', () => {
    const body = load('graph-docs-2018-beta.list-securescores.json');
    const [snapshot] = body.value;
    snapshot.controlScores[0].score = '40';
    snapshot.averageScoreByScopes[0].averageScore = -2;
    snapshot.createdDateTime = '2018-08-07T00:00:00';
    expect(pointers(body)).toEqual([
      '/value/0/averageScoreByScopes/0/averageScore',
      '/value/0/controlScores/0/score',
      '/value/0/createdDateTime',
    ]);
  });
});

describe('parseSecureScorePayload violations of the body', () => {
  const psError = { PSError: 'HTTP 403 Forbidden' };
  const graphError = { error: { code: 'Forbidden', message: 'Insufficient privileges' } };

  it.each<[string, unknown, string[]]>([
    ['a number', 42, ['']],
    ['a string', 'secure score', ['']],
    ['null', null, ['']],
    ['true', true, ['']],
    ['an empty array', [], ['']],
    ['an empty envelope', { '@odata.context': 'x', value: [] }, ['/value']],
    ['an envelope whose value is an object', { value: {} }, ['/value']],
    ['an envelope holding a number', { value: [1] }, ['/value/0']],
    ['an array holding null', [null], ['/0']],
    ['a PSError wrapper', psError, ['/PSError']],
    ['a Graph error body', graphError, ['/error']],
    ['a PSError inside an envelope', { value: [psError] }, ['/value/0/PSError']],
    [
      'an empty object',
      {},
      ['/azureTenantId', '/controlScores', '/createdDateTime', '/currentScore', '/maxScore'],
    ],
  ])('rejects %s', (_name, body, expected) => {
    expect(pointers(body)).toEqual(expected);
  });

  it('says an empty list holds no snapshot, and an error wrapper is an error', () => {
    expect(violations({ value: [] })[0].message).toMatch(/no snapshot/);
    expect(violations(psError)[0].message).toBe(
      'is an error reported in place of Secure Score data ("HTTP 403 Forbidden"), not a snapshot',
    );
    expect(violations(graphError)[0].message).toContain('Forbidden: Insufficient privileges');
    expect([
      errorWrapperKey(psError),
      errorWrapperKey(graphError),
      errorWrapperKey(heimdall()),
    ]).toEqual(['PSError', 'error', null]);
  });

  it('marks a result whose only issues are error wrappers as a source error', () => {
    const sourceError = (body: unknown) => {
      const result = parseSecureScorePayload(body);
      return result.ok ? null : result.sourceError;
    };
    expect(sourceError(psError)).toBe(true);
    expect(sourceError(graphError)).toBe(true);
    expect(sourceError({ value: [psError, graphError] })).toBe(true);
    expect(sourceError({ value: [psError, { ...heimdall(), azureTenantId: '' }] })).toBe(false);
    expect(sourceError({ value: [1] })).toBe(false);
  });

  it('does not follow or need @odata.nextLink', () => {
    const body = load('graph2otel.liveScores.json');
    expect(body['@odata.nextLink']).toContain('$skiptoken');
    expect(snapshots(body)).toHaveLength(1);
  });

  it('points into the one bad snapshot of an envelope and rejects the whole body', () => {
    const bad = heimdall();
    bad.controlScores[2].score = 'x';
    expect(pointers({ value: [heimdall(), bad, { ...heimdall(), azureTenantId: '' }] })).toEqual([
      '/value/1/controlScores/2/score',
      '/value/2/azureTenantId',
    ]);
  });

  it('rejects more than 1,000 snapshots per request before looking at any of them', () => {
    const many = Array.from({ length: 1_001 }, () => ({}));
    expect(violations({ value: many })).toEqual([
      { pointer: '/value', message: 'must hold at most 1000 snapshots per request' },
    ]);
  });

  it('lists at most 1,000 violations and says how many more there were', () => {
    const snapshot = heimdall();
    snapshot.controlScores = Array.from({ length: 1_500 }, (_, i) => ({
      controlName: `c${i}`,
      score: 'bad',
    }));
    const errors = violations(snapshot);
    expect(errors).toHaveLength(1_001);
    expect(errors[1_000]).toEqual({ pointer: '', message: '500 more violations are not listed' });
  });
});

/** Every path inside a JSON value, as keys. */
function paths(value: unknown, at: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(value)) {
    return [at, ...value.flatMap((item, i) => paths(item, [...at, i]))];
  }
  if (typeof value === 'object' && value !== null) {
    return [at, ...Object.entries(value).flatMap(([k, v]) => paths(v, [...at, k]))];
  }
  return [at];
}

function setAt(root: any, path: (string | number)[], value: unknown): unknown {
  if (path.length === 0) return value;
  let parent = root;
  for (const key of path.slice(0, -1)) parent = parent[key];
  parent[path[path.length - 1]] = value;
  return root;
}

describe('parseSecureScorePayload properties', () => {
  const base = load('heimdall2.secureScore.json');
  const allPaths = paths(base);
  const anything = fc.oneof(
    fc.jsonValue({ maxDepth: 3 }),
    fc.double(), // NaN, ±Infinity, -0 from a JavaScript caller
    fc.constantFrom(null, 1e308, -0, '', '7', '2024-02-30T00:00:00Z', [], {}),
  );

  function checkResult(body: unknown) {
    const result = parseSecureScorePayload(body);
    if (result.ok) {
      for (const s of result.snapshots) {
        expect(s.createdDateTime).toMatch(ISO_UTC);
        expect(s.azureTenantId).toMatch(/^[A-Za-z0-9._-]{1,100}$/);
        for (const c of s.controlScores) {
          expect(c.score === null || Number.isFinite(Number(c.score))).toBe(true);
        }
      }
    } else {
      expect(result.errors.length).toBeGreaterThan(0);
      for (const e of result.errors) expect(e.pointer).toMatch(/^(\/.*)?$/);
    }
  }

  it('never throws when any member of a real payload is replaced by random data', () => {
    fc.assert(
      fc.property(fc.nat(allPaths.length - 1), anything, (index, value) => {
        const body = setAt(structuredClone(base), allPaths[index], value);
        expect(() => checkResult(body)).not.toThrow();
      }),
      { seed: 20261128, numRuns: 1_000 },
    );
  });

  it('never throws on arbitrary JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 5 }), (body) => {
        expect(() => checkResult(body)).not.toThrow();
      }),
      { seed: 42, numRuns: 500 },
    );
  });

  it('rejects any string where a control score must be a number, at its pointer', () => {
    fc.assert(
      fc.property(fc.nat(67), fc.string(), (i, text) => {
        const snapshot = heimdall();
        snapshot.controlScores[i].score = text;
        expect(pointers(snapshot)).toEqual([`/controlScores/${i}/score`]);
      }),
      { seed: 7, numRuns: 200 },
    );
  });
});

describe('snapshotAgeIssues', () => {
  const now = new Date('2026-12-03T12:00:00Z');
  const taken = (createdDateTime: string, pointer = '', sourceShape = 'graph-v1' as const) => ({
    createdDateTime,
    pointer,
    sourceShape,
  });

  it('counts whole days, as snapshotAgeDays does: 90 days and 23 hours is 90', () => {
    expect(snapshotAgeIssues([taken('2026-09-04T12:00:00.000Z')], now, 90)).toEqual([]);
    expect(snapshotAgeIssues([taken('2026-09-03T12:00:00.001Z')], now, 90)).toEqual([]);
    expect(snapshotAgeIssues([taken('2026-09-03T12:00:00.000Z')], now, 90)).toHaveLength(1);
  });

  it('reports each snapshot older than the limit at its own date member', () => {
    expect(
      snapshotAgeIssues(
        [
          taken('2026-09-03T11:59:59.999Z', '/value/0'),
          taken('2026-12-01T00:00:00.000Z', '/value/1'),
          taken('2026-01-05T00:00:00.000Z', '/2', 'o365-report-2017' as never),
        ],
        now,
        90,
      ),
    ).toEqual([
      // In pointer order, as every issue list is.
      { pointer: '/2/createdDate', message: expect.stringContaining('is 332 days old') },
      { pointer: '/value/0/createdDateTime', message: expect.stringContaining('is 91 days old') },
    ]);
  });

  it('reads the limit it is given', () => {
    expect(snapshotAgeIssues([taken('2026-12-01T00:00:00.000Z')], now, 1)).toHaveLength(1);
    expect(snapshotAgeIssues([taken('2026-12-02T00:00:00.000Z')], now, 1)).toEqual([]);
  });
});
