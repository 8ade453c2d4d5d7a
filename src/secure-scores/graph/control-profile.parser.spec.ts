import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { JsonInputError, parseJsonStrict } from '../../common/json/hardened-json.parser.js';
import {
  parseControlProfilesPayload,
  type NormalizedControlProfile,
} from './control-profile.parser.js';

const FIXTURES = path.resolve(process.cwd(), '../shared/fixtures/securescore');
const text = (name: string) => fs.readFileSync(path.join(FIXTURES, name), 'utf8');
const load = (name: string): any => parseJsonStrict(text(name));

function profiles(body: unknown): NormalizedControlProfile[] {
  const result = parseControlProfilesPayload(body);
  if (!result.ok) throw new Error(`expected valid profiles: ${JSON.stringify(result.errors)}`);
  return result.profiles;
}

function pointers(body: unknown): string[] {
  const result = parseControlProfilesPayload(body);
  if (result.ok) throw new Error('expected violations');
  return result.errors.map((e) => e.pointer);
}

const profile = (overrides: Record<string, unknown> = {}) => ({
  ...structuredClone(load('graph2otel.liveProfiles.json').value[1]),
  ...overrides,
});

const update = (state: unknown, updatedDateTime: unknown, updatedBy: unknown = null) => ({
  assignedTo: null,
  comment: null,
  state,
  updatedBy,
  updatedDateTime,
});

describe('parseControlProfilesPayload on the real payloads', () => {
  it('maps the 200 profiles of the heimdall2 first page', () => {
    const body = load('heimdall2.profiles.page1.json');
    const parsed = profiles(body);
    expect(parsed).toHaveLength(200);
    expect(parsed[0]).toEqual({
      id: 'aad_admin_accounts_separate_unassigned_cloud_only',
      azureTenantId: '12345678-1234-1234-1234-1234567890abcd',
      title: 'Ensure Administrative accounts are separate and cloud-only',
      controlCategory: 'Apps',
      service: 'AzureAD',
      tier: 'Core',
      maxScore: '3',
      rank: 10,
      actionType: 'Config',
      userImpact: 'Unknown',
      implementationCost: 'Unknown',
      threats: ['Account breach'],
      normalizedThreats: ['account breach'],
      deprecated: false,
      latestState: {
        state: 'Default',
        receivedState: 'Default',
        updatedDateTime: null,
        updatedBy: null,
      },
      legacy2018: false,
      raw: body.value[0],
    });
    expect(parsed.filter((p) => p.userImpact === null)).toHaveLength(19);
  });

  it('lowers the Azure tenant id, as snapshots do, so the states reach the same client tenant', () => {
    const [mapped] = profiles([profile({ azureTenantId: 'AbCd-0001' })]);
    expect(mapped.azureTenantId).toBe('abcd-0001');
  });

  it('keeps the instance-prefixed id and reads 7.0 as "7" (graph2otel 2026)', () => {
    const [first] = profiles(load('graph2otel.liveProfiles.json'));
    expect(first).toMatchObject({
      id: '11770.MDA_Google_EnableTwoFactorAuth',
      maxScore: '7',
      threats: ['Account breach', 'Data Exfiltration'],
      normalizedThreats: ['account breach', 'data exfiltration'],
    });
  });

  it('maps the 2018 shape: title is the id, controlName the title, tenantSetState the state', () => {
    const parsed = profiles(load('graph-docs-2018-beta.list-securescorecontrolprofiles.json'));
    expect(parsed).toHaveLength(81);
    expect(parsed[0]).toMatchObject({
      id: 'AccountChanges',
      title: 'Review self-service password reset, alt phone, and email changes monthly',
      maxScore: '10',
      tier: 'Advanced',
      normalizedThreats: ['account breach', 'elevation of privilege', 'malicious insider'],
      latestState: { state: 'Default', updatedDateTime: null },
      legacy2018: true,
    });
    const thirdParty = parsed.filter((p) => p.latestState?.state === 'ThirdParty');
    expect(thirdParty.map((p) => p.id)).toHaveLength(2);
    expect(thirdParty.every((p) => typeof p.latestState?.updatedBy === 'string')).toBe(true);
    // Two deprecated 2018 profiles carry no human title.
    expect(parsed.find((p) => p.id === 'SharingDomainMgmt')).toMatchObject({
      title: null,
      deprecated: true,
    });
  });

  it('accepts a 2018 maxScore sent as the documented String, and nowhere else', () => {
    const legacy = { title: 'AdminMFA', controlName: 'Enable MFA', tenantSetState: 'Default' };
    expect(profiles([{ ...legacy, maxScore: '50.0' }])[0].maxScore).toBe('50');
    expect(pointers([{ ...legacy, maxScore: '5O' }])).toEqual(['/0/maxScore']);
    expect(pointers([{ ...legacy, maxScore: '-1' }])).toEqual(['/0/maxScore']);
    expect(pointers([{ ...legacy, maxScore: '10001' }])).toEqual(['/0/maxScore']);
    expect(pointers([profile({ maxScore: '7' })])).toEqual(['/0/maxScore']);
    expect(pointers([profile({ maxScore: '99999' })])).toEqual(['/0/maxScore']);
  });

  it('is handed no .jsonc: the documentation example is not JSON and the JSON parser refuses it', () => {
    expect(() =>
      parseJsonStrict(text('graph-docs-v1.0.list-securescorecontrolprofiles.jsonc')),
    ).toThrow(JsonInputError);
  });
});

describe('parseControlProfilesPayload state history', () => {
  const latest = (updates: unknown[]) =>
    profiles([profile({ controlStateUpdates: updates })])[0].latestState;

  it.each<[string, unknown[], string | null, string | null]>([
    ['the only entry', [update('Default', null)], 'Default', null],
    ['no entries', [], null, null],
    [
      'the latest date, wherever it sits',
      [
        update('thirdParty', '2026-01-02T00:00:00Z'),
        update('Reviewed', '2025-12-01T00:00:00Z'),
        update('Default', null),
      ],
      'ThirdParty',
      '2026-01-02T00:00:00.000Z',
    ],
    [
      'a dated entry over an undated later one',
      [update('Ignored', '2020-01-01T00:00:00Z'), update('Default', null)],
      'Ignored',
      '2020-01-01T00:00:00.000Z',
    ],
    [
      'the last of equal dates',
      [update('Ignored', '2026-01-01T00:00:00Z'), update('Reviewed', '2026-01-01T01:00:00+01:00')],
      'Reviewed',
      '2026-01-01T00:00:00.000Z',
    ],
    [
      'the last of undated entries',
      [update('Reviewed', null), update('Ignored', null)],
      'Ignored',
      null,
    ],
    [
      'microseconds beyond the millisecond',
      [
        update('Reviewed', '2019-03-19T22:37:14.628799Z'),
        update('Ignored', '2019-03-19T22:37:14.6287Z'),
      ],
      'Reviewed',
      '2019-03-19T22:37:14.628Z',
    ],
    [
      'an offset compared as an instant, not as text',
      [update('Reviewed', '2026-01-01T10:00:00+05:00'), update('Ignored', '2026-01-01T06:00:00Z')],
      'Ignored',
      '2026-01-01T06:00:00.000Z',
    ],
  ])('takes %s', (_name, updates, state, when) => {
    const result = latest(updates);
    expect(result === null ? [null, null] : [result.state, result.updatedDateTime]).toEqual([
      state,
      when,
    ]);
  });

  it.each([
    ['Default', 'Default'],
    ['default', 'Default'],
    ['IGNORED', 'Ignored'],
    ['thirdParty', 'ThirdParty'],
    ['Third party', 'ThirdParty'],
    ['reviewed', 'Reviewed'],
    ['RiskAccepted', 'Default'],
    ['constructor', 'Default'],
    ['', 'Default'],
    [null, 'Default'],
  ])('reads the state %p as %s and keeps what was received', (received, state) => {
    expect(latest([update(received, null, 'admin@contoso.com')])).toEqual({
      state,
      receivedState: received,
      updatedDateTime: null,
      updatedBy: 'admin@contoso.com',
    });
  });
});

describe('parseControlProfilesPayload violations', () => {
  it.each<[string, unknown, string[]]>([
    ['a number', 42, ['']],
    ['an object', { id: 'x' }, ['']],
    ['an empty array', [], ['']],
    ['an empty envelope', { value: [] }, ['/value']],
    ['an envelope of an object', { value: {} }, ['/value']],
    ['a PSError wrapper', { PSError: 'HTTP 403 Forbidden' }, ['/PSError']],
    ['a null profile', [null], ['/0']],
    ['a missing id', [profile({ id: undefined })], ['/0/id']],
    ['a blank id', [profile({ id: ' ' })], ['/0/id']],
    ['a bad azureTenantId', [profile({ azureTenantId: 'a/b' })], ['/0/azureTenantId']],
    ['a negative maxScore', [profile({ maxScore: -1 })], ['/0/maxScore']],
    ['a fractional rank', [profile({ rank: 1.5 })], ['/0/rank']],
    ['threats as a string', [profile({ threats: 'Account breach' })], ['/0/threats']],
    ['a threat as a number', [profile({ threats: ['x', 3] })], ['/0/threats/1']],
    ['deprecated as a string', [profile({ deprecated: 'false' })], ['/0/deprecated']],
    ['a title of 1,001', [profile({ title: 'x'.repeat(1_001) })], ['/0/title']],
    [
      'state updates as an object',
      [profile({ controlStateUpdates: {} })],
      ['/0/controlStateUpdates'],
    ],
    [
      'a state as a number',
      [profile({ controlStateUpdates: [update(1, null)] })],
      ['/0/controlStateUpdates/0/state'],
    ],
    [
      'a timezone-less update date',
      [profile({ controlStateUpdates: [update('Default', '2026-01-01T00:00:00')] })],
      ['/0/controlStateUpdates/0/updatedDateTime'],
    ],
    [
      'a 2018 profile without title',
      [{ controlName: 'x', tenantSetState: 'Default' }],
      ['/0/title'],
    ],
  ])('rejects %s', (_name, body, expected) => {
    expect(pointers(body)).toEqual(expected);
  });

  it('lists every violation of every profile', () => {
    const body = load('heimdall2.profiles.page1.json');
    body.value[3].maxScore = 'ten';
    body.value[3].id = '';
    body.value[150].controlStateUpdates[0].updatedDateTime = '2024-02-30T00:00:00Z';
    expect(pointers(body)).toEqual([
      '/value/3/id',
      '/value/3/maxScore',
      '/value/150/controlStateUpdates/0/updatedDateTime',
    ]);
  });

  it('keeps a profile repeated byte for byte once, and rejects the same id with other content', () => {
    const body = load('graph2otel.liveProfiles.json');
    const repeated = [...body.value, structuredClone(body.value[0])];
    expect(profiles(repeated).map((p) => p.id)).toEqual(body.value.map((p: any) => p.id));
    const changed = [...body.value, { ...structuredClone(body.value[0]), maxScore: 8 }];
    const result = parseControlProfilesPayload(changed);
    expect(!result.ok && result.errors).toEqual([
      {
        pointer: '/5/id',
        message: expect.stringContaining('of /0 for the same client tenant with different content'),
      },
    ]);
  });

  it('never throws when any member of a real page is replaced by random data', () => {
    const base = load('graph2otel.liveProfiles.json');
    const keys = Object.keys(base.value[0]);
    fc.assert(
      fc.property(
        fc.nat(4),
        fc.constantFrom(...keys),
        fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.double()),
        (index, key, value) => {
          const body = structuredClone(base);
          body.value[index][key] = value;
          const result = parseControlProfilesPayload(body);
          expect(result.ok ? result.profiles.length : result.errors.length).toBeGreaterThan(0);
        },
      ),
      { seed: 11, numRuns: 500 },
    );
  });
});
