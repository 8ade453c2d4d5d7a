import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import Decimal from 'decimal.js';
import fc from 'fast-check';
import { parseJsonStrict } from '../../common/json/hardened-json.parser.js';
import { parseControlProfilesPayload } from './control-profile.parser.js';
import { parseSecureScorePayload } from './secure-score-payload.parser.js';

const FIXTURES = path.resolve(process.cwd(), '../shared/fixtures/securescore');
const load = (name: string): any =>
  parseJsonStrict(fs.readFileSync(path.join(FIXTURES, name), 'utf8'));

function parsed(body: unknown) {
  const result = parseSecureScorePayload(body);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.snapshots;
}

function errors(body: unknown) {
  const result = parseSecureScorePayload(body);
  if (result.ok) throw new Error('expected violations');
  return result.errors;
}

const heimdall = () => load('heimdall2.secureScore.json').value[0];

describe('parseSecureScorePayload', () => {
  it.each([
    ['heimdall2.secureScore.json', 'graph-v1', 68],
    ['graph2otel.liveScores.json', 'graph-v1', 5],
    ['graph-docs-v1.0.list-securescores.json', 'graph-v1', 2],
    ['graph-docs-2018-beta.list-securescores.json', 'graph-beta-2018', 44],
    ['o365-report-2017.getTenantSecureScores.json', 'o365-report-2017', 4],
  ])('maps %s', (name, shape, controls) => {
    const [snapshot] = parsed(load(name));
    expect(snapshot.sourceShape).toBe(shape);
    expect(snapshot.controlScores).toHaveLength(controls);
    expect(snapshot.createdDateTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('keeps heimdall2 control scores that sum exactly to its currentScore', () => {
    const [snapshot] = parsed(load('heimdall2.secureScore.json'));
    const total = snapshot.controlScores.reduce((sum, c) => sum.plus(c.score!), new Decimal(0));
    expect(total.toString()).toBe(snapshot.currentScore);
    expect(snapshot.currentScore).toBe('128');
  });

  it('reads 9.0 as the decimal 9 and keeps percentages', () => {
    const [snapshot] = parsed(
      parseJsonStrict(fs.readFileSync(path.join(FIXTURES, 'graph2otel.liveScores.json'), 'utf8')),
    );
    expect(snapshot.controlScores[0]).toMatchObject({
      controlName: 'IntegratedApps',
      score: '4',
      scoreInPercentage: '100',
    });
  });

  it('keeps the 2017 report control maxScore and maps referenceId', () => {
    const [snapshot] = parsed(load('o365-report-2017.getTenantSecureScores.json'));
    expect(snapshot).toMatchObject({
      azureTenantId: '12bce6d0-bfeb-4a82-abe6-98ccf3196a11',
      createdDateTime: '2017-01-31T00:00:00.000Z',
    });
    expect(snapshot.controlScores[0]).toEqual({
      controlName: 'AdminMFA',
      controlCategory: null,
      score: '8',
      scoreInPercentage: null,
      maxScore: '50',
      description: null,
    });
  });

  it('keeps unknown fields in the raw object', () => {
    const body = { ...heimdall(), someNewGraphField: { x: 1 } };
    expect(parsed(body)[0].raw).toEqual(body);
  });

  it.each([
    ['missing azureTenantId', (s: any) => delete s.azureTenantId, ['/azureTenantId']],
    ['empty azureTenantId', (s: any) => (s.azureTenantId = ' '), ['/azureTenantId']],
    [
      'impossible date',
      (s: any) => (s.createdDateTime = '2024-02-30T00:00:00Z'),
      ['/createdDateTime'],
    ],
    [
      'date without zone',
      (s: any) => (s.createdDateTime = '2024-02-01T00:00:00'),
      ['/createdDateTime'],
    ],
    ['controlScores null', (s: any) => (s.controlScores = null), ['/controlScores']],
    ['controlScores object', (s: any) => (s.controlScores = {}), ['/controlScores']],
    [
      'missing controlName',
      (s: any) => delete s.controlScores[4].controlName,
      ['/controlScores/4/controlName'],
    ],
    ['string score', (s: any) => (s.controlScores[1].score = '7'), ['/controlScores/1/score']],
    ['negative score', (s: any) => (s.controlScores[1].score = -1), ['/controlScores/1/score']],
    [
      'percentage over 100',
      (s: any) => (s.controlScores[1].scoreInPercentage = 101),
      ['/controlScores/1/scoreInPercentage'],
    ],
    [
      'duplicate controlName',
      (s: any) => (s.controlScores[3].controlName = s.controlScores[0].controlName),
      ['/controlScores/3/controlName'],
    ],
    ['currentScore over maxScore', (s: any) => (s.currentScore = 1000), ['/currentScore']],
    [
      'two problems at once',
      (s: any) => ((s.azureTenantId = ''), (s.controlScores[0].score = null)),
      ['/azureTenantId', '/controlScores/0/score'],
    ],
  ])('lists every violation for %s', (_name, mutate, pointers) => {
    const snapshot = heimdall();
    mutate(snapshot);
    expect(errors(snapshot).map((e) => e.pointer)).toEqual(pointers);
  });

  it('points into envelopes, and rejects empty ones, error wrappers and too many controls', () => {
    const bad = heimdall();
    bad.controlScores[2].score = 'x';
    expect(errors({ value: [heimdall(), bad] }).map((e) => e.pointer)).toEqual([
      '/value/1/controlScores/2/score',
    ]);
    expect(errors({ value: [] })[0].pointer).toBe('/value');
    expect(errors({ PSError: 'HTTP 403 Forbidden' })[0]).toMatchObject({ pointer: '/PSError' });
    const big = heimdall();
    big.controlScores = Array.from({ length: 5_001 }, (_, i) => ({
      controlName: `c${i}`,
      score: 1,
    }));
    expect(errors(big)[0]).toMatchObject({
      pointer: '/controlScores',
      message: expect.stringContaining('5000'),
    });
    expect(errors(42)[0].pointer).toBe('');
  });

  it('never throws on a mutated snapshot', () => {
    const base = heimdall();
    fc.assert(
      fc.property(
        fc.constantFrom(...Object.keys(base)),
        fc.jsonValue({ maxDepth: 3 }),
        (key, value) => {
          const snapshot = { ...base, [key]: value };
          const result = parseSecureScorePayload(snapshot);
          expect(typeof result.ok).toBe('boolean');
        },
      ),
      { seed: 7, numRuns: 500 },
    );
  });
});

describe('parseControlProfilesPayload', () => {
  it('maps the current and the 2018 profile shapes', () => {
    const live = parseControlProfilesPayload(load('graph2otel.liveProfiles.json'));
    expect(live.ok && live.profiles[0]).toMatchObject({
      id: '11770.MDA_Google_EnableTwoFactorAuth',
      maxScore: '7',
      latestState: { state: 'Default', updatedDateTime: null },
    });
    const legacy = parseControlProfilesPayload(
      load('graph-docs-2018-beta.list-securescorecontrolprofiles.json'),
    );
    expect(legacy.ok && legacy.profiles[0]).toMatchObject({
      id: 'AccountChanges',
      title: expect.stringMatching(/^Review/),
    });
    const heimdallProfiles = parseControlProfilesPayload(load('heimdall2.profiles.page1.json'));
    expect(heimdallProfiles.ok && heimdallProfiles.profiles).toHaveLength(200);
  });

  it('takes the latest state update and matches states case-insensitively', () => {
    const result = parseControlProfilesPayload([
      {
        id: 'AdminMFAV2',
        controlStateUpdates: [
          { state: 'thirdParty', updatedDateTime: '2026-01-02T00:00:00Z' },
          { state: 'Default', updatedDateTime: null },
          { state: 'Reviewed', updatedDateTime: '2025-12-01T00:00:00Z' },
        ],
      },
    ]);
    expect(result.ok && result.profiles[0].latestState).toMatchObject({ state: 'ThirdParty' });
    const bad = parseControlProfilesPayload([
      { id: '', controlStateUpdates: [{ state: 'Maybe' }] },
    ]);
    expect(!bad.ok && bad.errors.map((e) => e.pointer)).toEqual([
      '/0/id',
      '/0/controlStateUpdates/0/state',
    ]);
  });
});
