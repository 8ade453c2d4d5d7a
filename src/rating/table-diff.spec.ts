import { describe, expect, it } from '@jest/globals';
import { exampleDocument, validTable } from './rating-fixtures.spec-helper.js';
import { diffTables } from './table-diff.js';

type Doc = Record<string, any>;

function changed(change: (doc: Doc) => void) {
  const doc = structuredClone(exampleDocument()) as Doc;
  change(doc);
  return diffTables(validTable(exampleDocument()), validTable(doc));
}

describe('diffTables', () => {
  it('finds nothing between a table and itself, nor for defaults written out or re-spelt decimals', () => {
    expect(changed(() => undefined)).toEqual([]);
    expect(
      changed((d) => {
        d.controls[0].weight = '10.00';
        d.tiers[3].decision = 'refer';
        d.tiers[0].decision = 'accept';
        d.gates[1].decision = 'refer';
        d.categoryWeights = { Device: 0.25, Apps: '0.250', Data: 0.5, Identity: 0.5 };
      }),
    ).toEqual([]);
  });

  it.each<[string, (doc: Doc) => void, unknown[]]>([
    [
      'a changed control weight',
      (d) => (d.controls[0].weight = 12),
      [
        {
          kind: 'control',
          key: 'AdminMFAV2',
          before: { name: 'AdminMFAV2', weight: '10', maxScore: null },
          after: { name: 'AdminMFAV2', weight: '12', maxScore: null },
        },
      ],
    ],
    [
      'an added and a removed control',
      (d) => d.controls.splice(11, 1, { name: 'NewControl', weight: 1 }),
      [
        {
          kind: 'control',
          key: 'OneAdmin',
          before: { name: 'OneAdmin', weight: '1', maxScore: null },
          after: null,
        },
        {
          kind: 'control',
          key: 'NewControl',
          before: null,
          after: { name: 'NewControl', weight: '1', maxScore: null },
        },
      ],
    ],
    [
      'a category weight',
      (d) => (d.categoryWeights.Apps = 0.5),
      [{ kind: 'categoryWeight', key: 'Apps', before: '0.25', after: '0.5' }],
    ],
    [
      'a new category',
      (d) => (d.categoryWeights.Other = 0.1),
      [{ kind: 'categoryWeight', key: 'Other', before: null, after: '0.1' }],
    ],
    [
      'the default weight',
      (d) => (d.defaultWeight = 0.05),
      [{ kind: 'defaultWeight', key: 'defaultWeight', before: '0', after: '0.05' }],
    ],
    [
      'a tier factor',
      (d) => (d.tiers[1].factor = 0.95),
      [
        {
          kind: 'tier',
          key: 'B',
          before: { tier: 'B', minIndex: '70', factor: '0.9', decision: 'accept' },
          after: { tier: 'B', minIndex: '70', factor: '0.95', decision: 'accept' },
        },
      ],
    ],
    [
      'a gate threshold',
      (d) => (d.gates[1].minAdoption = 0.8),
      [
        {
          kind: 'gate',
          key: 'BlockLegacyAuthentication',
          before: expect.objectContaining({ minAdoption: '0.9' }),
          after: expect.objectContaining({ minAdoption: '0.8' }),
        },
      ],
    ],
    [
      'a second gate on one control',
      (d) => d.gates.push({ control: 'AdminMFAV2', minAdoption: 0.5, decision: 'decline' }),
      [
        {
          kind: 'gate',
          key: 'AdminMFAV2#2',
          before: null,
          after: {
            control: 'AdminMFAV2',
            minAdoption: '0.5',
            capTier: null,
            decision: 'decline',
            reason: 'GATE_AdminMFAV2',
          },
        },
      ],
    ],
    [
      'a modifier band',
      (d) => (d.modifiers[0].bands[0].upTo = 25),
      [
        {
          kind: 'modifier',
          key: 'seats',
          before: expect.objectContaining({ name: 'seats' }),
          after: expect.objectContaining({
            bands: expect.arrayContaining([
              { upTo: '25', factor: '1', decision: null, reason: null },
            ]),
          }),
        },
      ],
    ],
    [
      'modifier order (it orders the reasons)',
      (d) => d.modifiers.reverse(),
      [
        {
          kind: 'setting',
          key: 'modifiers.order',
          before: ['seats', 'staleness', 'industry'],
          after: ['industry', 'staleness', 'seats'],
        },
      ],
    ],
    [
      'the settings',
      (d) => {
        d.version = '2027.2';
        d.effectiveTo = '2027-07-01';
        d.adoption = { missing: 'exclude' };
        d.factorCap = 2.5;
        d.rounding = { index: 1 };
      },
      [
        { kind: 'setting', key: 'version', before: '2027.1', after: '2027.2' },
        { kind: 'setting', key: 'effectiveTo', before: null, after: '2027-07-01' },
        { kind: 'setting', key: 'adoption.missing', before: 'zero', after: 'exclude' },
        { kind: 'setting', key: 'adoption.thirdPartyCredit', before: '0.5', after: '1' },
        { kind: 'setting', key: 'factorCap', before: '2', after: '2.5' },
        { kind: 'setting', key: 'rounding.index', before: 2, after: 1 },
      ],
    ],
  ])('reports %s', (_, change, expected) => {
    expect(changed(change)).toEqual(expected);
  });
});
