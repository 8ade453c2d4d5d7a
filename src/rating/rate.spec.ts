import { describe, expect, it } from '@jest/globals';
import { compileTable, rate, RatingInputError } from './rate.js';
import { validTable } from './rating-fixtures.spec-helper.js';
import type { RatingContext, RatingControlScore, RatingSnapshot } from './rating.types.js';
import { referenceRate } from './reference-rate.spec-helper.js';

const TIERS = [
  { tier: 'A', minIndex: 85, factor: 0.8 },
  { tier: 'B', minIndex: 70, factor: 0.9 },
  { tier: 'C', minIndex: 55, factor: 1 },
  { tier: 'D', minIndex: 40, factor: 1.25, decision: 'refer' },
  { tier: 'E', minIndex: 0, factor: 1.6, decision: 'decline' },
];

function tableDoc(extra: Record<string, unknown> = {}) {
  return { name: 'unit', version: '1', effectiveFrom: '2024-01-01', tiers: TIERS, ...extra };
}

function compiled(extra: Record<string, unknown> = {}) {
  return compileTable(validTable(tableDoc(extra)), 'sha-unit');
}

function score(
  controlName: string,
  scoreInPercentage: string | null,
  extra: Partial<RatingControlScore> = {},
): RatingControlScore {
  return {
    controlName,
    controlCategory: null,
    score: null,
    scoreInPercentage,
    maxScore: null,
    ...extra,
  };
}

function snap(
  controlScores: RatingControlScore[],
  extra: Partial<RatingSnapshot> = {},
): RatingSnapshot {
  return {
    id: 'snap-1',
    createdDateTime: '2024-01-01T00:00:00Z',
    activeUserCount: 10,
    licensedUserCount: null,
    controlScores,
    ...extra,
  };
}

function ctx(extra: Partial<RatingContext> = {}): RatingContext {
  return {
    asOf: '2024-01-20T00:00:00Z',
    industry: null,
    controlStates: {},
    catalogMaxScores: new Map(),
    ...extra,
  };
}

describe('rate: tier bands by the rounded index', () => {
  const table = compiled({ controls: [{ name: 'c', weight: 1 }] });

  it.each([
    ['100', '100.00', 'A'],
    ['85', '85.00', 'A'],
    ['84.995', '85.00', 'A'],
    ['84.9949', '84.99', 'B'],
    ['70', '70.00', 'B'],
    ['69.995', '70.00', 'B'],
    ['69.994', '69.99', 'C'],
    ['55', '55.00', 'C'],
    ['54.99', '54.99', 'D'],
    ['40', '40.00', 'D'],
    ['39.995', '40.00', 'D'],
    ['39.9949999', '39.99', 'E'],
    ['0.004', '0.00', 'E'],
    ['0', '0.00', 'E'],
  ])('percentage %s rates index %s, tier %s', (percentage, index, tier) => {
    const rating = rate(snap([score('c', percentage)]), table, ctx());
    expect([rating.index, rating.tier]).toEqual([index, tier]);
  });

  it.each([
    ['84.5', '85', 'A'],
    ['84.49', '84', 'B'],
    ['69.5', '70', 'B'],
  ])('with rounding.index 0, percentage %s rates index %s, tier %s', (percentage, index, tier) => {
    const rounded = compiled({ controls: [{ name: 'c', weight: 1 }], rounding: { index: 0 } });
    const rating = rate(snap([score('c', percentage)]), rounded, ctx());
    expect([rating.index, rating.tier]).toEqual([index, tier]);
  });

  it.each([
    ['70.004', '70.00', 'Y'],
    ['70.005', '70.01', 'X'],
  ])(
    'compares the rounded index with a finer minIndex: %s rates %s, tier %s',
    (percentage, index, tier) => {
      const fine = compiled({
        controls: [{ name: 'c', weight: 1 }],
        tiers: [
          { tier: 'X', minIndex: '70.005', factor: 1 },
          { tier: 'Y', minIndex: 0, factor: 2 },
        ],
      });
      const rating = rate(snap([score('c', percentage)]), fine, ctx());
      expect([rating.index, rating.tier]).toEqual([index, tier]);
    },
  );
});

describe('rate: weights and adoption (spec §3 steps 1 to 4)', () => {
  it('weights listed controls whether present or not, unlisted ones by category, else defaultWeight', () => {
    const table = compiled({
      controls: [
        { name: 'listed', weight: 2 },
        { name: 'absent', weight: 1 },
        { name: 'zero', weight: 0 },
      ],
      categoryWeights: { Identity: 0.5, Apps: 0 },
      defaultWeight: 0.25,
    });
    const rating = rate(
      snap([
        score('listed', '100', { controlCategory: 'Apps' }),
        score('zero', '100', { controlCategory: 'Identity' }),
        score('identity', '50', { controlCategory: 'Identity' }),
        score('apps', '0', { controlCategory: 'Apps' }),
        score('other', '0', { controlCategory: 'Other' }),
        score('uncategorised', '100'),
      ]),
      table,
      ctx(),
    );
    expect(rating.contributions.map((c) => [c.control, c.weight, c.adoption])).toEqual([
      ['absent', '1', '0.0000'],
      ['identity', '0.5', '0.5000'],
      ['other', '0.25', '0.0000'],
      ['listed', '2', '1.0000'],
      ['uncategorised', '0.25', '1.0000'],
    ]);
    expect(rating.missingControls).toEqual(['absent']);
    // S = 4; Σw·a = 2 + 0.25 + 0.25 = 2.5.
    expect(rating.index).toBe('62.50');
  });

  it.each<[string, RatingControlScore, string | null, Map<string, string>, string | null]>([
    [
      'scoreInPercentage first',
      score('c', '40', { score: '9', maxScore: '10' }),
      null,
      new Map(),
      '0.4000',
    ],
    [
      'the table maxScore next',
      score('c', null, { score: '7', maxScore: '14' }),
      '10',
      new Map([['c', '28']]),
      '0.7000',
    ],
    [
      'the own maxScore next',
      score('c', null, { score: '7', maxScore: '14' }),
      null,
      new Map([['c', '28']]),
      '0.5000',
    ],
    ['the catalog last', score('c', null, { score: '7' }), null, new Map([['c', '28']]), '0.2500'],
    [
      'a garbage own maxScore as absent',
      score('c', null, { score: '7', maxScore: 'n/a' }),
      null,
      new Map([['c', '28']]),
      '0.2500',
    ],
    [
      'a garbage percentage as absent',
      score('c', 'NaN', { score: '7' }),
      null,
      new Map([['c', '28']]),
      '0.2500',
    ],
    [
      'a zero own maxScore as unscorable',
      score('c', null, { score: '7', maxScore: '0' }),
      null,
      new Map([['c', '28']]),
      null,
    ],
    ['no maxScore anywhere as unscorable', score('c', null, { score: '7' }), null, new Map(), null],
    ['no score as unscorable', score('c', null, { maxScore: '10' }), null, new Map(), null],
    ['above full, clamped', score('c', '120'), null, new Map(), '1.0000'],
    [
      'negative, clamped',
      score('c', null, { score: '-2', maxScore: '10' }),
      null,
      new Map(),
      '0.0000',
    ],
    ['an exponent percentage', score('c', '5e1'), null, new Map(), '0.5000'],
  ])('reads adoption from %s', (_, controlScore, tableMaxScore, catalog, adoption) => {
    const control =
      tableMaxScore === null
        ? { name: 'c', weight: 1 }
        : { name: 'c', weight: 1, maxScore: tableMaxScore };
    const rating = rate(
      snap([controlScore]),
      compiled({ controls: [control] }),
      ctx({ catalogMaxScores: catalog }),
    );
    expect(rating.contributions[0].adoption).toBe(adoption ?? '0.0000');
    expect(rating.missingControls).toEqual(adoption === null ? ['c'] : []);
  });

  it('keeps score / maxScore exact: 3 × (1/3) of a weight sum of 32 is exactly 3.125, so 3.13', () => {
    const table = compiled({
      controls: [
        { name: 'third', weight: 3, maxScore: 3 },
        { name: 'rest', weight: 29 },
      ],
    });
    const snapshot = snap([score('third', null, { score: '1' }), score('rest', '0')]);
    expect(rate(snapshot, table, ctx()).index).toBe('3.13');
    expect(referenceRate(snapshot, table.table, 'sha-unit', ctx()).index).toBe('3.13');
  });

  it('drops missing controls from W with missing: exclude, but still lists them', () => {
    const table = compiled({
      adoption: { missing: 'exclude' },
      controls: [
        { name: 'a', weight: 1 },
        { name: 'b', weight: 3 },
      ],
    });
    const rating = rate(snap([score('a', '80'), score('b', null)]), table, ctx());
    expect(rating.index).toBe('80.00');
    expect(rating.missingControls).toEqual(['b']);
    expect(rating.contributions.map((c) => c.control)).toEqual(['a']);
    expect(rating.improvements.map((i) => i.control)).toEqual(['a']);
  });

  it('counts missing controls as zero by default', () => {
    const table = compiled({
      controls: [
        { name: 'a', weight: 1 },
        { name: 'b', weight: 3 },
      ],
    });
    const rating = rate(snap([score('a', '80'), score('b', null)]), table, ctx());
    expect(rating.index).toBe('20.00');
    expect(rating.contributions[0]).toEqual({
      control: 'b',
      weight: '3',
      adoption: '0.0000',
      contribution: '0.0000',
      gap: '75.0000',
    });
  });

  it('applies thirdPartyCredit to a ThirdParty control only, gates included', () => {
    const table = compiled({
      adoption: { thirdPartyCredit: '0.5' },
      controls: [
        { name: 'a', weight: 1 },
        { name: 'b', weight: 1 },
      ],
      gates: [{ control: 'a', minAdoption: '0.6' }],
    });
    const states = { a: 'ThirdParty', b: 'Reviewed', constructor: 'ThirdParty' } as const;
    const rating = rate(
      snap([score('a', '100'), score('b', '100')]),
      table,
      ctx({ controlStates: states }),
    );
    expect(rating.contributions.map((c) => [c.control, c.adoption])).toEqual([
      ['a', '0.5000'],
      ['b', '1.0000'],
    ]);
    expect(rating.index).toBe('75.00');
    expect(rating.reasons).toEqual(['GATE_a']);
  });

  it('credits nothing to a ThirdParty control with thirdPartyCredit 0, listed or weighted by category', () => {
    const table = compiled({
      adoption: { thirdPartyCredit: 0 },
      controls: [{ name: 'a', weight: 1 }],
      categoryWeights: { Identity: 1 },
    });
    const rating = rate(
      snap([score('a', '100'), score('b', '100', { controlCategory: 'Identity' })]),
      table,
      ctx({ controlStates: { a: 'ThirdParty', b: 'ThirdParty' } }),
    );
    expect(rating.contributions.map((c) => [c.control, c.adoption, c.gap])).toEqual([
      ['a', '0.0000', '50.0000'],
      ['b', '0.0000', '50.0000'],
    ]);
    expect(rating.index).toBe('0.00');
  });

  it('sorts contributions by the rounded gap, then by name, not by the exact gap', () => {
    // Exact gaps 24.99995 (a) and 24.99999 (b) both round to 25.0000: a tie, which the name settles.
    const table = compiled({
      controls: [
        { name: 'b', weight: 1 },
        { name: 'a', weight: 1 },
      ],
    });
    const rating = rate(snap([score('b', '50.00002'), score('a', '50.0001')]), table, ctx());
    expect(rating.contributions.map((c) => [c.control, c.gap])).toEqual([
      ['a', '25.0000'],
      ['b', '25.0000'],
    ]);
  });

  it('rates NO_SCORABLE_CONTROLS when S = 0', () => {
    const table = compiled({
      adoption: { missing: 'exclude' },
      controls: [{ name: 'a', weight: 1 }],
      gates: [{ control: 'a', minAdoption: 1 }],
    });
    expect(rate(snap([score('b', '100')]), table, ctx())).toEqual({
      index: null,
      tier: null,
      factor: null,
      decision: 'refer',
      reasons: ['NO_SCORABLE_CONTROLS'],
      table: { name: 'unit', version: '1', sha256: 'sha-unit' },
      asOf: '2024-01-20T00:00:00Z',
      snapshot: { id: 'snap-1', createdDateTime: '2024-01-01T00:00:00Z' },
      missingControls: ['a'],
      contributions: [],
      improvements: [],
    });
    expect(rate(snap([]), compiled(), ctx()).reasons).toEqual(['NO_SCORABLE_CONTROLS']);
  });
});

describe('rate: gates, tier decision, modifiers, clamp (spec §3 steps 6 to 11, §4)', () => {
  const controls = [
    { name: 'mfa', weight: 1 },
    { name: 'other', weight: 1 },
  ];

  it.each<[string, string, string | undefined, string, string]>([
    ['caps a better band at capTier', '99', 'C', 'C', 'refer'],
    ['leaves a worse band alone', '0', 'C', 'E', 'decline'],
    ['without capTier, leaves the tier', '99', undefined, 'A', 'refer'],
  ])('a fired gate %s', (_, other, capTier, tier, decision) => {
    const table = compiled({
      controls,
      gates: [{ control: 'mfa', minAdoption: 1, ...(capTier ? { capTier } : {}) }],
    });
    const rating = rate(
      snap([score('mfa', other === '0' ? '50' : '99'), score('other', other)]),
      table,
      ctx(),
    );
    expect(rating.tier).toBe(tier);
    expect(rating.reasons).toEqual(['GATE_mfa']);
    expect(rating.decision).toBe(decision);
  });

  it('takes the worst capTier and the worst decision of several fired gates, whatever their order', () => {
    const gates = [
      { control: 'mfa', minAdoption: 1, capTier: 'B', decision: 'decline', reason: 'FIRST' },
      { control: 'other', minAdoption: 1, capTier: 'D', decision: 'refer', reason: 'SECOND' },
      { control: 'mfa', minAdoption: 0.5, capTier: 'C', decision: 'accept', reason: 'UNFIRED' },
    ];
    for (const order of [gates, [...gates].reverse()]) {
      const rating = rate(
        snap([score('mfa', '99'), score('other', '99')]),
        compiled({ controls, gates: order }),
        ctx(),
      );
      expect([rating.index, rating.tier, rating.factor, rating.decision]).toEqual([
        '99.00',
        'D',
        '1.2500',
        'decline',
      ]);
      expect(rating.reasons).toEqual(
        order.filter((gate) => gate.reason !== 'UNFIRED').map((gate) => gate.reason),
      );
    }
  });

  it('bands licensedUserCount, with the default when the snapshot has none', () => {
    const licences = {
      name: 'licences',
      input: 'licensedUserCount',
      default: 1.2,
      bands: [
        { upTo: 100, factor: 1 },
        { factor: 1.1, decision: 'refer' },
      ],
    };
    const table = compiled({ controls: [controls[0]], modifiers: [licences] });
    const factorFor = (licensedUserCount: number | null) => {
      const rating = rate(snap([score('mfa', '75')], { licensedUserCount }), table, ctx());
      return [rating.factor, rating.decision, rating.reasons];
    };
    expect(factorFor(100)).toEqual(['0.9000', 'accept', []]);
    expect(factorFor(101)).toEqual(['0.9900', 'refer', ['MODIFIER_licences']]);
    expect(factorFor(null)).toEqual(['1.0800', 'accept', []]);
  });

  it('fires a gate on an absent control even with missing: exclude, and not at exactly minAdoption', () => {
    const table = compiled({
      adoption: { missing: 'exclude' },
      controls,
      gates: [
        { control: 'absent', minAdoption: 0.01, decision: 'decline', reason: 'ABSENT' },
        { control: 'other', minAdoption: 0.5, decision: 'decline' },
      ],
    });
    const rating = rate(snap([score('mfa', '100'), score('other', '50')]), table, ctx());
    expect(rating.reasons).toEqual(['ABSENT']);
    expect(rating.decision).toBe('decline');
  });

  it('orders reasons: gates in table order, then modifiers in modifier order', () => {
    const table = compiled({
      controls,
      gates: [
        { control: 'other', minAdoption: 1, reason: 'SECOND_CONTROL' },
        { control: 'mfa', minAdoption: 1 },
      ],
      modifiers: [
        {
          name: 'seats',
          input: 'activeUserCount',
          bands: [
            { upTo: 5, factor: 1 },
            { factor: 1, decision: 'refer' },
          ],
        },
        {
          name: 'age',
          input: 'snapshotAgeDays',
          bands: [{ factor: 1, decision: 'accept', reason: 'AGE_NOTED' }],
        },
      ],
    });
    const rating = rate(snap([score('mfa', '0'), score('other', '0')]), table, ctx());
    expect(rating.reasons).toEqual(['SECOND_CONTROL', 'GATE_mfa', 'MODIFIER_seats', 'AGE_NOTED']);
  });

  const seats = {
    name: 'seats',
    input: 'activeUserCount',
    default: 1.5,
    bands: [
      { upTo: 50, factor: 1 },
      { upTo: 500, factor: 1.05 },
      { factor: 1.1, decision: 'refer', reason: 'LARGE' },
    ],
  };

  it.each<[number | null, string, string]>([
    [0, '0.9000', 'accept'],
    [50, '0.9000', 'accept'],
    [51, '0.9450', 'accept'],
    [500, '0.9450', 'accept'],
    [501, '0.9900', 'refer'],
    [null, '1.3500', 'accept'],
    [Number.NaN, '1.3500', 'accept'],
  ])('bands activeUserCount %s: factor %s, decision %s', (count, factor, decision) => {
    const rating = rate(
      snap([score('mfa', '75')], { activeUserCount: count }),
      compiled({ controls: [controls[0]], modifiers: [seats] }),
      ctx(),
    );
    expect([rating.tier, rating.factor, rating.decision]).toEqual(['B', factor, decision]);
  });

  it.each<[string | null, string]>([
    ['healthcare', '1.0800'],
    ['mining', '0.9900'],
    [null, '0.9900'],
  ])('looks industry %s up in values, else the default', (industry, factor) => {
    const modifier = {
      name: 'industry',
      input: 'industry',
      default: 1.1,
      values: { healthcare: 1.2 },
    };
    const rating = rate(
      snap([score('mfa', '75')]),
      compiled({ controls: [controls[0]], modifiers: [modifier] }),
      ctx({ industry }),
    );
    expect(rating.factor).toBe(factor);
  });

  it.each<[string, string, string]>([
    ['2024-01-20T00:00:00Z', '2024-01-19T00:00:00.001Z', 'fresh'],
    ['2024-01-20T00:00:00Z', '2024-01-19T00:00:00Z', 'one'],
    ['2024-01-20T00:00:00Z', '2024-01-21T00:00:00Z', 'future'],
    ['2024-01-20T00:00:00Z', '2024-01-20T00:00:00.0000001Z', 'future'],
    ['2024-01-20T01:00:00+01:00', '2024-01-19T00:00:00Z', 'one'],
    ['2024-01-20T00:00:00.0000001Z', '2024-01-19T00:00:00Z', 'one'],
  ])(
    'counts snapshotAgeDays as whole days, rounded down (asOf %s, created %s)',
    (asOf, createdDateTime, band) => {
      const modifier = {
        name: 'age',
        input: 'snapshotAgeDays',
        bands: [
          { upTo: -1, factor: 1, decision: 'refer', reason: 'future' },
          { upTo: 0, factor: 1, decision: 'accept', reason: 'fresh' },
          { factor: 1, decision: 'accept', reason: 'one' },
        ],
      };
      const rating = rate(
        snap([score('mfa', '75')], { createdDateTime }),
        compiled({ controls: [controls[0]], modifiers: [modifier] }),
        ctx({ asOf }),
      );
      expect(rating.reasons).toEqual([band]);
    },
  );

  it.each<[string, string, string]>([
    ['0.99225', '4', '0.9923'],
    ['0.99224999', '4', '0.9922'],
    ['0.5', '0', '1'],
    ['0.49', '0', '0'],
  ])('rounds factor %s half-up to %s places: %s', (modifierFactor, places, factor) => {
    const table = compiled({
      controls: [controls[0]],
      tiers: [{ tier: 'only', minIndex: 0, factor: 1 }],
      modifiers: [{ name: 'm', input: 'industry', default: modifierFactor, values: {} }],
      rounding: { factor: places },
    });
    expect(rate(snap([score('mfa', '75')]), table, ctx()).factor).toBe(factor);
  });

  it.each<[string, string]>([
    ['0.5', '0.7000'],
    ['3', '2.0000'],
    ['1.25', '1.2500'],
  ])('clamps factor %s to floor 0.70 and cap 2.00', (modifierFactor, factor) => {
    const table = compiled({
      controls: [controls[0]],
      tiers: [{ tier: 'only', minIndex: 0, factor: 1 }],
      modifiers: [{ name: 'm', input: 'industry', default: modifierFactor, values: {} }],
      factorFloor: '0.70',
      factorCap: 2,
    });
    expect(rate(snap([score('mfa', '75')]), table, ctx()).factor).toBe(factor);
  });
});

describe('rate: improvements and ordering (spec §5)', () => {
  it('sets one control of W at a time to full adoption, lifting its own gates, sorted by factor, decision, index, name', () => {
    const table = compiled({
      controls: [
        { name: 'mfa', weight: 2 },
        { name: 'b', weight: 2 },
        { name: 'a', weight: 2 },
        { name: 'full', weight: 1 },
        { name: 'small', weight: 0.5 },
      ],
      gates: [{ control: 'mfa', minAdoption: 1, capTier: 'C' }],
    });
    const rating = rate(
      snap([
        score('mfa', '50'),
        score('a', '50'),
        score('b', '50'),
        score('full', '100'),
        score('small', '0'),
      ]),
      table,
      ctx(),
    );
    expect([rating.index, rating.tier, rating.factor, rating.decision]).toEqual([
      '53.33',
      'D',
      '1.2500',
      'refer',
    ]);
    expect(rating.improvements).toEqual([
      { control: 'mfa', index: '66.67', tier: 'C', factor: '1.0000', decision: 'accept' },
      { control: 'a', index: '66.67', tier: 'C', factor: '1.0000', decision: 'refer' },
      { control: 'b', index: '66.67', tier: 'C', factor: '1.0000', decision: 'refer' },
      { control: 'small', index: '60.00', tier: 'C', factor: '1.0000', decision: 'refer' },
    ]);
  });

  it('orders names by code point, not UTF-16 code unit', () => {
    const names = ['\u{1F600}', '\uE000', 'z', 'Z', 'é'];
    const table = compiled({ controls: names.map((name) => ({ name, weight: 1 })) });
    const rating = rate(snap([]), table, ctx());
    expect(rating.missingControls).toEqual(['Z', 'z', 'é', '\uE000', '\u{1F600}']);
    expect(rating.contributions.map((c) => c.control)).toEqual([
      'Z',
      'z',
      'é',
      '\uE000',
      '\u{1F600}',
    ]);
  });
});

describe('rate: inputs it refuses', () => {
  const table = compiled({ controls: [{ name: 'c', weight: 1 }] });

  it.each<[string, RatingSnapshot, RatingContext, string]>([
    [
      'a control listed twice',
      snap([score('c', '10'), score('c', '90')]),
      ctx(),
      'snapshot.controlScores',
    ],
    ['an asOf without a zone', snap([]), ctx({ asOf: '2024-01-20T00:00:00' }), 'asOf'],
    ['a date-only asOf', snap([]), ctx({ asOf: '2024-01-20' }), 'asOf'],
    [
      'an impossible createdDateTime',
      snap([], { createdDateTime: '2024-02-30T00:00:00Z' }),
      ctx(),
      'snapshot.createdDateTime',
    ],
  ])('refuses %s with RatingInputError', (_, snapshot, context, field) => {
    expect(() => rate(snapshot, table, context)).toThrow(RatingInputError);
    expect(() => rate(snapshot, table, context)).toThrow(
      expect.objectContaining({ field, code: 'INVALID_RATING_INPUT' }),
    );
  });
});
