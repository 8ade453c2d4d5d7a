import { describe, expect, it } from '@jest/globals';
import { exampleDocument } from './rating-fixtures.spec-helper.js';
import { validateWeightingTable } from './weighting-table.validation.js';

type Doc = Record<string, any>;

function withChange(change: (doc: Doc) => void): Doc {
  const doc = structuredClone(exampleDocument()) as Doc;
  change(doc);
  return doc;
}

function errorsOf(doc: unknown) {
  const result = validateWeightingTable(doc);
  if (result.ok) throw new Error('expected the document to be rejected');
  return result.errors;
}

describe('validateWeightingTable', () => {
  it('accepts the example table, fills every default and canonicalises decimals', () => {
    const result = validateWeightingTable(exampleDocument());
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.table.tiers[0]).toEqual({
      tier: 'A',
      minIndex: '85',
      factor: '0.8',
      decision: 'accept',
    });
    expect(result.table.gates[1]).toEqual({
      control: 'BlockLegacyAuthentication',
      minAdoption: '0.9',
      capTier: 'B',
      decision: 'refer',
      reason: 'LEGACY_AUTH_OPEN',
    });
    expect(result.table.modifiers[1]).toMatchObject({
      bands: [
        { upTo: '35', factor: '1', decision: null, reason: null },
        { upTo: '90', factor: '1.05', decision: null, reason: null },
        { upTo: null, factor: '1', decision: 'refer', reason: 'SNAPSHOT_STALE' },
      ],
    });
    expect(result.table.adoption).toEqual({ missing: 'zero', thirdPartyCredit: '0.5' });
    expect(result.table.rounding).toEqual({ index: 2, factor: 4 });
  });

  it('fills the defaults of a minimal table', () => {
    const result = validateWeightingTable({
      name: 'minimal',
      version: '1',
      effectiveFrom: '2027-01-01',
      tiers: [{ tier: 'only', minIndex: 0, factor: 1 }],
      gates: [{ control: 'AdminMFAV2', minAdoption: '1' }],
      modifiers: [
        { name: 'seats', input: 'activeUserCount', bands: [{ factor: 1, decision: 'refer' }] },
      ],
    });
    expect(result).toEqual({
      ok: true,
      table: {
        name: 'minimal',
        version: '1',
        effectiveFrom: '2027-01-01',
        effectiveTo: null,
        description: null,
        adoption: { missing: 'zero', thirdPartyCredit: '1' },
        controls: [],
        categoryWeights: {},
        defaultWeight: '0',
        tiers: [{ tier: 'only', minIndex: '0', factor: '1', decision: 'accept' }],
        gates: [
          {
            control: 'AdminMFAV2',
            minAdoption: '1',
            capTier: null,
            decision: 'refer',
            reason: 'GATE_AdminMFAV2',
          },
        ],
        modifiers: [
          {
            name: 'seats',
            input: 'activeUserCount',
            default: '1',
            bands: [{ upTo: null, factor: '1', decision: 'refer', reason: 'MODIFIER_seats' }],
          },
        ],
        factorFloor: null,
        factorCap: null,
        rounding: { index: 2, factor: 4 },
      },
    });
  });

  it.each<[string, (doc: Doc) => void, (table: any) => unknown, unknown]>([
    [
      'a numeric string weight',
      (d) => (d.controls[0].weight = '10.50'),
      (t) => t.controls[0].weight,
      '10.5',
    ],
    ['an exponent', (d) => (d.controls[0].weight = '1.5e1'), (t) => t.controls[0].weight, '15'],
    [
      'a string with many places',
      (d) => (d.defaultWeight = '0.1000000000000000000000000000000001'),
      (t) => t.defaultWeight,
      '0.1000000000000000000000000000000001',
    ],
    ['null effectiveTo', (d) => (d.effectiveTo = null), (t) => t.effectiveTo, null],
    [
      'a later effectiveTo',
      (d) => (d.effectiveTo = '2027-07-01'),
      (t) => t.effectiveTo,
      '2027-07-01',
    ],
    ['null for an optional decimal', (d) => (d.factorFloor = null), (t) => t.factorFloor, null],
    ['a numeric string rounding', (d) => (d.rounding.index = '3'), (t) => t.rounding.index, 3],
    [
      'a categoryWeights key with a slash',
      (d) => (d.categoryWeights['a/b'] = 1),
      (t) => t.categoryWeights['a/b'],
      '1',
    ],
    ['minAdoption 0', (d) => (d.gates[0].minAdoption = 0), (t) => t.gates[0].minAdoption, '0'],
    [
      'a negative upTo',
      (d) => (d.modifiers[0].bands[0].upTo = -1),
      (t) => t.modifiers[0].bands[0].upTo,
      '-1',
    ],
  ])('accepts %s', (_, change, read, expected) => {
    const result = validateWeightingTable(withChange(change));
    expect(result.ok).toBe(true);
    if (result.ok) expect(read(result.table)).toEqual(expected);
  });

  // Spec §1: one row per rule, with the pointer of the violation.
  it.each<[string, (doc: Doc) => void, string, string]>([
    ['an unknown root field', (d) => (d.nmae = 'x'), '/nmae', 'unknown field "nmae"'],
    ['a missing name', (d) => delete d.name, '/name', 'is required'],
    [
      'an upper-case name',
      (d) => (d.name = 'SME-cyber'),
      '/name',
      'must match [a-z0-9][a-z0-9-]{0,62}',
    ],
    ['a name of 64 characters', (d) => (d.name = 'a'.repeat(64)), '/name', 'must match'],
    ['a name starting with a dash', (d) => (d.name = '-sme'), '/name', 'must match'],
    ['a missing version', (d) => delete d.version, '/version', 'is required'],
    [
      'a numeric version',
      (d) => (d.version = 2027.1),
      '/version',
      'must be a string, got number 2027.1: write it in quotes',
    ],
    [
      'a version with a space',
      (d) => (d.version = '2027 1'),
      '/version',
      'must match 1 to 32 of [A-Za-z0-9._-]',
    ],
    ['a version of 33 characters', (d) => (d.version = '1'.repeat(33)), '/version', 'must match'],
    ['the version .', (d) => (d.version = '.'), '/version', 'other than . and ..'],
    ['the version ..', (d) => (d.version = '..'), '/version', 'other than . and ..'],
    ['a missing effectiveFrom', (d) => delete d.effectiveFrom, '/effectiveFrom', 'is required'],
    [
      'an impossible date',
      (d) => (d.effectiveFrom = '2027-02-29'),
      '/effectiveFrom',
      'must be a calendar date YYYY-MM-DD',
    ],
    [
      'a year-0000 effectiveFrom (PostgreSQL has no year 0)',
      (d) => (d.effectiveFrom = '0000-01-01'),
      '/effectiveFrom',
      'must be a calendar date YYYY-MM-DD',
    ],
    [
      'a date-time effectiveFrom',
      (d) => (d.effectiveFrom = '2027-01-01T00:00:00Z'),
      '/effectiveFrom',
      'calendar date',
    ],
    [
      'an effectiveTo before effectiveFrom',
      (d) => (d.effectiveTo = '2026-12-31'),
      '/effectiveTo',
      'must be after effectiveFrom',
    ],
    [
      'an effectiveTo equal to effectiveFrom',
      (d) => (d.effectiveTo = '2027-01-01'),
      '/effectiveTo',
      'is empty',
    ],
    ['a numeric effectiveTo', (d) => (d.effectiveTo = 20270101), '/effectiveTo', 'calendar date'],
    ['a non-string description', (d) => (d.description = 5), '/description', 'must be a string'],
    [
      'an adoption array',
      (d) => (d.adoption = []),
      '/adoption',
      'must be adoption (an object), got an array',
    ],
    [
      'an unknown adoption field',
      (d) => (d.adoption.credit = 1),
      '/adoption/credit',
      'unknown field',
    ],
    [
      'an unknown missing mode',
      (d) => (d.adoption.missing = 'ignore'),
      '/adoption/missing',
      'must be "zero" or "exclude"',
    ],
    [
      'a thirdPartyCredit above 1',
      (d) => (d.adoption.thirdPartyCredit = 1.5),
      '/adoption/thirdPartyCredit',
      'in [0, 1], got 1.5',
    ],
    [
      'a negative thirdPartyCredit',
      (d) => (d.adoption.thirdPartyCredit = '-0.1'),
      '/adoption/thirdPartyCredit',
      'in [0, 1]',
    ],
    ['controls as an object', (d) => (d.controls = {}), '/controls', 'an array'],
    [
      'a control that is not an object',
      (d) => (d.controls[0] = 'AdminMFAV2'),
      '/controls/0',
      'an object',
    ],
    [
      'an unknown control field',
      (d) => (d.controls[0].weigth = 1),
      '/controls/0/weigth',
      'unknown field',
    ],
    [
      'a control without a weight',
      (d) => delete d.controls[1].weight,
      '/controls/1/weight',
      'is required',
    ],
    [
      'a control without a name',
      (d) => delete d.controls[1].name,
      '/controls/1/name',
      'is required',
    ],
    [
      'an empty control name',
      (d) => (d.controls[1].name = ''),
      '/controls/1/name',
      'must not be empty',
    ],
    [
      'a duplicate control',
      (d) => (d.controls[3].name = 'AdminMFAV2'),
      '/controls/3/name',
      'duplicates /controls/0',
    ],
    [
      'a negative weight',
      (d) => (d.controls[2].weight = -1),
      '/controls/2/weight',
      'must be a decimal number >= 0, got -1',
    ],
    [
      'a boolean weight',
      (d) => (d.controls[2].weight = true),
      '/controls/2/weight',
      'got boolean true',
    ],
    ['a null weight', (d) => (d.controls[2].weight = null), '/controls/2/weight', 'got null'],
    [
      'a garbage numeric string',
      (d) => (d.controls[2].weight = '8kg'),
      '/controls/2/weight',
      'numeric string',
    ],
    [
      'a comma decimal',
      (d) => (d.controls[2].weight = '0,5'),
      '/controls/2/weight',
      'got the string "0,5"',
    ],
    [
      'a padded numeric string',
      (d) => (d.controls[2].weight = ' 8'),
      '/controls/2/weight',
      'numeric string',
    ],
    [
      'a leading-dot string',
      (d) => (d.controls[2].weight = '.5'),
      '/controls/2/weight',
      'numeric string',
    ],
    [
      'a hexadecimal string',
      (d) => (d.controls[2].weight = '0x10'),
      '/controls/2/weight',
      'numeric string',
    ],
    [
      'the string Infinity',
      (d) => (d.controls[2].weight = 'Infinity'),
      '/controls/2/weight',
      'numeric string',
    ],
    [
      'a non-finite number',
      (d) => (d.controls[2].weight = Number.POSITIVE_INFINITY),
      '/controls/2/weight',
      'must be a finite number, got Infinity',
    ],
    [
      'NaN',
      (d) => (d.controls[2].weight = Number.NaN),
      '/controls/2/weight',
      'must be a finite number, got NaN',
    ],
    [
      '35 decimal places',
      (d) => (d.controls[2].weight = `0.${'1'.repeat(35)}`),
      '/controls/2/weight',
      'at most 34 significant digits',
    ],
    ['a huge exponent', (d) => (d.controls[2].weight = '1e40'), '/controls/2/weight', 'at most 34'],
    [
      'an absurd exponent',
      (d) => (d.controls[2].weight = '1e999999'),
      '/controls/2/weight',
      'numeric string',
    ],
    [
      'a zero maxScore',
      (d) => (d.controls[9].maxScore = 0),
      '/controls/9/maxScore',
      'must be a decimal number > 0, got 0',
    ],
    [
      'categoryWeights as an array',
      (d) => (d.categoryWeights = [1]),
      '/categoryWeights',
      'an object',
    ],
    [
      'a negative category weight',
      (d) => (d.categoryWeights.Identity = -0.5),
      '/categoryWeights/Identity',
      '>= 0',
    ],
    [
      'an escaped category pointer',
      (d) => (d.categoryWeights['a/b~c'] = 'x'),
      '/categoryWeights/a~1b~0c',
      'numeric string',
    ],
    [
      'an empty category',
      (d) => (d.categoryWeights[''] = 1),
      '/categoryWeights/',
      'must not be empty',
    ],
    [
      'a NaN defaultWeight string',
      (d) => (d.defaultWeight = 'NaN'),
      '/defaultWeight',
      'numeric string',
    ],
    ['a negative defaultWeight', (d) => (d.defaultWeight = -0.01), '/defaultWeight', '>= 0'],
    ['missing tiers', (d) => delete d.tiers, '/tiers', 'is required'],
    ['no tiers', (d) => (d.tiers = []), '/tiers', 'at least one tier'],
    [
      'an unknown tier field',
      (d) => (d.tiers[0].label = 'best'),
      '/tiers/0/label',
      'unknown field',
    ],
    ['a tier without a name', (d) => delete d.tiers[0].tier, '/tiers/0/tier', 'is required'],
    ['a duplicate tier', (d) => (d.tiers[2].tier = 'A'), '/tiers/2/tier', 'duplicates /tiers/0'],
    [
      'a minIndex out of order',
      (d) => (d.tiers[1].minIndex = 90),
      '/tiers/1/minIndex',
      'must be less than the minIndex of the tier before it (85)',
    ],
    ['a negative minIndex', (d) => (d.tiers[0].minIndex = -5), '/tiers/0/minIndex', '>= 0'],
    [
      'an equal minIndex',
      (d) => (d.tiers[2].minIndex = '70.0'),
      '/tiers/2/minIndex',
      'must be less than',
    ],
    [
      'a last minIndex above 0',
      (d) => (d.tiers[4].minIndex = 5),
      '/tiers/4/minIndex',
      "the last tier's minIndex must be exactly 0",
    ],
    ['a missing minIndex', (d) => delete d.tiers[1].minIndex, '/tiers/1/minIndex', 'is required'],
    ['a zero tier factor', (d) => (d.tiers[0].factor = 0), '/tiers/0/factor', '> 0'],
    [
      'an unknown tier decision',
      (d) => (d.tiers[3].decision = 'maybe'),
      '/tiers/3/decision',
      'must be one of accept, refer, decline',
    ],
    ['gates as an object', (d) => (d.gates = {}), '/gates', 'an array'],
    ['an unknown gate field', (d) => (d.gates[0].cap = 'C'), '/gates/0/cap', 'unknown field'],
    ['a gate without control', (d) => delete d.gates[0].control, '/gates/0/control', 'is required'],
    [
      'a gate without minAdoption',
      (d) => delete d.gates[1].minAdoption,
      '/gates/1/minAdoption',
      'is required',
    ],
    [
      'a minAdoption above 1',
      (d) => (d.gates[1].minAdoption = 1.1),
      '/gates/1/minAdoption',
      'in [0, 1]',
    ],
    [
      'a capTier naming no tier',
      (d) => (d.gates[0].capTier = 'Z'),
      '/gates/0/capTier',
      'must name a tier (A, B, C, D, E), got "Z"',
    ],
    [
      'an unknown gate decision',
      (d) => (d.gates[1].decision = 'block'),
      '/gates/1/decision',
      'must be one of',
    ],
    [
      'an empty gate reason',
      (d) => (d.gates[0].reason = ''),
      '/gates/0/reason',
      'must not be empty',
    ],
    [
      'factorFloor above factorCap',
      (d) => (d.factorFloor = 3),
      '/factorFloor',
      'must not exceed factorCap (2)',
    ],
    ['a zero factorCap', (d) => (d.factorCap = 0), '/factorCap', '> 0'],
    ['a negative factorFloor', (d) => (d.factorFloor = '-1'), '/factorFloor', '> 0'],
    [
      'an unknown rounding field',
      (d) => (d.rounding.places = 2),
      '/rounding/places',
      'unknown field',
    ],
    [
      'a rounding above 8',
      (d) => (d.rounding.index = 9),
      '/rounding/index',
      'must be an integer from 0 to 8, got 9',
    ],
    [
      'a fractional rounding',
      (d) => (d.rounding.factor = 2.5),
      '/rounding/factor',
      'must be an integer from 0 to 8',
    ],
    ['a negative rounding', (d) => (d.rounding.factor = -1), '/rounding/factor', 'from 0 to 8'],
    [
      'a boolean rounding',
      (d) => (d.rounding.index = false),
      '/rounding/index',
      'got boolean false',
    ],
  ])('rejects %s (spec §1)', (_, change, pointer, message) => {
    const errors = errorsOf(withChange(change));
    expect(errors).toContainEqual({ pointer, message: expect.stringContaining(message) });
  });

  it('reports a negative minIndex once, at its own tier, not as the next tier out of order', () => {
    expect(errorsOf(withChange((d) => (d.tiers[0].minIndex = -5)))).toEqual([
      { pointer: '/tiers/0/minIndex', message: expect.stringContaining('>= 0') },
    ]);
  });

  // Spec §4: modifiers.
  it.each<[string, (doc: Doc) => void, string, string]>([
    ['modifiers as an object', (d) => (d.modifiers = {}), '/modifiers', 'an array'],
    [
      'an unknown modifier field',
      (d) => (d.modifiers[0].weight = 1),
      '/modifiers/0/weight',
      'unknown field',
    ],
    [
      'a modifier without name',
      (d) => delete d.modifiers[0].name,
      '/modifiers/0/name',
      'is required',
    ],
    [
      'a duplicate modifier name',
      (d) => (d.modifiers[1].name = 'seats'),
      '/modifiers/1/name',
      'duplicates /modifiers/0',
    ],
    [
      'an unknown input',
      (d) => (d.modifiers[0].input = 'seats'),
      '/modifiers/0/input',
      'must be one of activeUserCount, licensedUserCount, snapshotAgeDays, industry',
    ],
    [
      'a modifier without input',
      (d) => delete d.modifiers[0].input,
      '/modifiers/0/input',
      'is required',
    ],
    [
      'bands and values',
      (d) => (d.modifiers[0].values = { x: 1 }),
      '/modifiers/0',
      'either bands or values, not both',
    ],
    [
      'neither bands nor values',
      (d) => delete d.modifiers[0].bands,
      '/modifiers/0',
      'must have bands or values',
    ],
    [
      'bands on industry',
      (d) => (d.modifiers[0].input = 'industry'),
      '/modifiers/0/bands',
      'bands need a numeric input',
    ],
    [
      'values on a count',
      (d) => (d.modifiers[2].input = 'activeUserCount'),
      '/modifiers/2/values',
      'values need the string input industry',
    ],
    ['a zero default', (d) => (d.modifiers[0].default = 0), '/modifiers/0/default', '> 0'],
    ['no bands', (d) => (d.modifiers[0].bands = []), '/modifiers/0/bands', 'at least one band'],
    [
      'an unknown band field',
      (d) => (d.modifiers[0].bands[0].limit = 5),
      '/modifiers/0/bands/0/limit',
      'unknown field',
    ],
    [
      'a band without upTo before the last',
      (d) => delete d.modifiers[0].bands[0].upTo,
      '/modifiers/0/bands/0/upTo',
      'is required',
    ],
    [
      'upTo not increasing',
      (d) => (d.modifiers[0].bands[1].upTo = 50),
      '/modifiers/0/bands/1/upTo',
      'must be greater than the upTo of the band before it (50)',
    ],
    [
      'an upTo on the last band',
      (d) => (d.modifiers[0].bands[2].upTo = 1000),
      '/modifiers/0/bands/2/upTo',
      'the last band is the catch-all',
    ],
    [
      'a band without factor',
      (d) => delete d.modifiers[0].bands[1].factor,
      '/modifiers/0/bands/1/factor',
      'is required',
    ],
    [
      'a negative band factor',
      (d) => (d.modifiers[0].bands[1].factor = -1),
      '/modifiers/0/bands/1/factor',
      '> 0',
    ],
    [
      'an unknown band decision',
      (d) => (d.modifiers[1].bands[2].decision = 'stop'),
      '/modifiers/1/bands/2/decision',
      'must be one of',
    ],
    [
      'a band reason without decision',
      (d) => (d.modifiers[0].bands[0].reason = 'SMALL'),
      '/modifiers/0/bands/0/reason',
      'only with a decision',
    ],
    ['values as an array', (d) => (d.modifiers[2].values = []), '/modifiers/2/values', 'an object'],
    [
      'a value key that is not a slug',
      (d) => (d.modifiers[2].values.Healthcare = 1.2),
      '/modifiers/2/values/Healthcare',
      'lowercase industry slug',
    ],
    [
      'a zero value factor',
      (d) => (d.modifiers[2].values.healthcare = 0),
      '/modifiers/2/values/healthcare',
      '> 0',
    ],
  ])('rejects %s (spec §4)', (_, change, pointer, message) => {
    const errors = errorsOf(withChange(change));
    expect(errors).toContainEqual({ pointer, message: expect.stringContaining(message) });
  });

  it.each<[string, unknown]>([
    ['null', null],
    ['an array', []],
    ['a string', '{"name":"x"}'],
    ['a number', 1],
  ])('rejects %s as the document, at the root pointer', (_, doc) => {
    expect(errorsOf(doc)).toEqual([
      { pointer: '', message: expect.stringContaining('must be a weighting table (an object)') },
    ]);
  });

  it.each(['...', '.1', '1.', '2027.1', 'v_1-rc.2', 'A'.repeat(32)])(
    'accepts the version %s',
    (version) => {
      expect(validateWeightingTable(withChange((d) => (d.version = version))).ok).toBe(true);
    },
  );

  it('quotes a long string by its start and length, and lists at most ten tier names', () => {
    const long = 'x'.repeat(100_000);
    const errors = errorsOf(
      withChange((d) => {
        d.version = long;
        d.gates[0].capTier = long;
        d.tiers = Array.from({ length: 12 }, (_, i) => ({
          tier: `T${i}`,
          minIndex: 99 - i,
          factor: 1,
        }));
        d.tiers[11].minIndex = 0;
      }),
    );
    const shown = `"${'x'.repeat(40)}"… (100000 characters)`;
    expect(errors).toContainEqual({
      pointer: '/version',
      message: expect.stringContaining(`got ${shown}`),
    });
    expect(errors).toContainEqual({
      pointer: '/gates/0/capTier',
      message: `must name a tier (T0, T1, T2, T3, T4, T5, T6, T7, T8, T9 and 2 more), got ${shown}`,
    });
    expect(JSON.stringify(errors).length).toBeLessThan(2_000);
  });

  it('reports a missing member once, as missing, and not also as of the wrong type', () => {
    expect(errorsOf({})).toEqual(
      ['/name', '/version', '/effectiveFrom', '/tiers'].map((pointer) => ({
        pointer,
        message: 'is required',
      })),
    );
    const errors = errorsOf(
      withChange((d) => {
        delete d.controls[0].name;
        delete d.controls[0].weight;
        delete d.tiers[1].minIndex;
        delete d.tiers[1].factor;
        delete d.gates[0].control;
        delete d.gates[0].minAdoption;
        delete d.modifiers[0].name;
        delete d.modifiers[0].input;
        delete d.modifiers[0].bands[0].factor;
      }),
    );
    const pointers = errors.map((error) => error.pointer);
    expect(new Set(pointers).size).toBe(pointers.length);
    expect(errors.every((error) => error.message === 'is required')).toBe(true);
    expect(errors).toHaveLength(9);
  });

  it('lists every violation, not just the first', () => {
    const errors = errorsOf(
      withChange((d) => {
        d.name = 'Bad Name';
        d.extra = true;
        d.controls[0].weight = -1;
        d.tiers[4].minIndex = 1;
        d.modifiers[0].bands[0].typo = 1;
      }),
    );
    expect(errors.map((error) => error.pointer)).toEqual([
      '/extra',
      '/name',
      '/controls/0/weight',
      '/tiers/4/minIndex',
      '/modifiers/0/bands/0/typo',
    ]);
  });

  it("checks a gate's capTier against the tier names even when a tier is broken elsewhere", () => {
    const errors = errorsOf(
      withChange((d) => {
        d.tiers[0].decision = 'nope';
        d.gates[0].capTier = 'Q';
      }),
    );
    expect(errors.map((error) => error.pointer)).toEqual(['/tiers/0/decision', '/gates/0/capTier']);
  });

  it.each<[string, (d: any) => void, string]>([
    ['has no name', (d) => delete d.tiers[0].tier, '/tiers/0/tier'],
    ['has a number for a name', (d) => (d.tiers[0].tier = 5), '/tiers/0/tier'],
    ['is not an object', (d) => (d.tiers[0] = 5), '/tiers/0'],
  ])(
    "checks a gate's capTier against the names that could be read when a tier %s",
    (_, breakTier, tierPointer) => {
      const errors = errorsOf(
        withChange((d) => {
          breakTier(d);
          d.gates[0].capTier = 'Z';
        }),
      );
      expect(errors).toContainEqual(expect.objectContaining({ pointer: tierPointer }));
      expect(errors).toContainEqual({
        pointer: '/gates/0/capTier',
        message: expect.stringContaining('must name a tier (B, C, D, E), got "Z"'),
      });
      // A capTier naming a tier that could be read stays valid beside the broken one.
      const valid = errorsOf(withChange(breakTier));
      expect(valid.map((error) => error.pointer)).not.toContain('/gates/0/capTier');
    },
  );

  it("checks a gate's capTier when the table lists no tier", () => {
    const errors = errorsOf(withChange((d) => (d.tiers = [])));
    expect(errors).toEqual([
      { pointer: '/tiers', message: expect.stringContaining('at least one tier') },
      { pointer: '/gates/0/capTier', message: expect.stringContaining('the table names none') },
      { pointer: '/gates/1/capTier', message: expect.stringContaining('the table names none') },
    ]);
  });

  it('checks the order of tiers across a tier whose minIndex cannot be read', () => {
    const errors = errorsOf(
      withChange((d) => {
        d.tiers[1].minIndex = 'x';
        d.tiers[2].minIndex = 90;
      }),
    );
    expect(errors).toEqual([
      { pointer: '/tiers/1/minIndex', message: expect.any(String) },
      { pointer: '/tiers/2/minIndex', message: expect.stringContaining('(85)') },
    ]);
  });

  it("checks each band's upTo against the one before it, even one out of order", () => {
    const errors = errorsOf(
      withChange((d) => {
        d.modifiers[0].bands = [
          { upTo: 50, factor: 1 },
          { upTo: 40, factor: 1 },
          { upTo: 30, factor: 1 },
          { factor: 1 },
        ];
      }),
    );
    expect(errors).toEqual([
      { pointer: '/modifiers/0/bands/1/upTo', message: expect.stringContaining('(50)') },
      { pointer: '/modifiers/0/bands/2/upTo', message: expect.stringContaining('(40)') },
    ]);
  });

  it('checks both bodies of a modifier that has bands and values', () => {
    const errors = errorsOf(
      withChange((d) => {
        d.modifiers[2].bands = [{ factor: -1 }];
        d.modifiers[2].values = { Bad: 0 };
      }),
    );
    expect(errors.map((error) => error.pointer)).toEqual([
      '/modifiers/2',
      '/modifiers/2/bands',
      '/modifiers/2/bands/0/factor',
      '/modifiers/2/values/Bad',
      '/modifiers/2/values/Bad',
    ]);
  });

  it('reports a "__proto__" member as an unknown field instead of reading it', () => {
    const doc = JSON.parse('{"__proto__": {"polluted": true}}');
    expect(errorsOf({ ...exampleDocument(), ...doc })).toContainEqual({
      pointer: '/__proto__',
      message: expect.stringContaining('unknown field'),
    });
  });
});
