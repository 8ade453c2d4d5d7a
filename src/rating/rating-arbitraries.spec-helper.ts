// fast-check arbitraries for the property tests: weighting table documents (valid by construction),
// snapshots and contexts over a shared pool of control names (awkward ones included).
import fc from 'fast-check';
import type {
  ControlState,
  Decision,
  RatingContext,
  RatingControlScore,
  RatingSnapshot,
} from './rating.types.js';

export const CONTROL_NAMES = [
  'AdminMFAV2',
  'MFARegistrationV2',
  'BlockLegacyAuthentication',
  'mdo_safeattachments',
  'scid_2010',
  'OneAdmin',
  'Zeta',
  'zeta',
  'constructor',
  '__proto__',
  'toString',
  'é-control',
  '\uE000-private-use',
  '\u{1F600}-astral',
];
const CATEGORIES = ['Identity', 'Data', 'Apps', 'Device', 'Other'];
const INDUSTRIES = ['healthcare', 'education', 'manufacturing', 'financial-services'];
const DECISIONS: Decision[] = ['accept', 'refer', 'decline'];
const STATES: ControlState[] = ['Default', 'Ignored', 'ThirdParty', 'Reviewed'];

/** Text of units / 10^places, sometimes with trailing zeros or in exponent form. */
function decimalText(units: number, places: number, style: number): string {
  if (style === 2) return `${units}e-${places}`;
  const digits = String(units).padStart(places + 1, '0');
  const text = places === 0 ? digits : `${digits.slice(0, -places)}.${digits.slice(-places)}`;
  return style === 1 ? `${text}${places === 0 ? '.0' : '0'}` : text;
}

/** A decimal in [min, max] (units of 10^-places), as text. */
export function decimal(min: number, max: number, maxPlaces = 3): fc.Arbitrary<string> {
  return fc.integer({ min: 0, max: maxPlaces }).chain((places) => {
    const scale = 10 ** places;
    return fc
      .tuple(
        fc.integer({ min: Math.ceil(min * scale), max: Math.floor(max * scale) }),
        fc.integer({ min: 0, max: 2 }),
      )
      .map(([units, style]) => {
        const text = decimalText(Math.abs(units), places, style);
        return units < 0 ? `-${text}` : text;
      });
  });
}

/** A weight in [0, 12] with 10 to 16 decimal places. */
const preciseWeight = fc
  .tuple(fc.integer({ min: 10, max: 16 }), fc.bigInt({ min: 0n, max: 12n * 10n ** 10n }))
  .map(([places, units]) => {
    const digits = (units * 10n ** BigInt(places - 10)).toString().padStart(places + 1, '0');
    return `${digits.slice(0, -places)}.${digits.slice(-places)}`;
  });

/** A document number: a JSON number when that keeps its decimal, else (or by choice) a string. */
function docNumber(text: fc.Arbitrary<string>): fc.Arbitrary<number | string> {
  return fc
    .tuple(text, fc.boolean())
    .map(([value, asString]) => (asString ? value : Number(value)));
}

const tierList = (monotone: boolean) =>
  fc
    .tuple(
      fc.uniqueArray(fc.integer({ min: 1, max: 10_000 }), { minLength: 0, maxLength: 5 }),
      fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 6, maxLength: 6 }),
      fc.array(fc.constantFrom(...DECISIONS, undefined), { minLength: 6, maxLength: 6 }),
    )
    .map(([mins, factors, decisions]) => {
      const minIndexes = [...mins.sort((a, b) => b - a).map((m) => m / 100), 0];
      const ordered = monotone ? [...factors].sort((a, b) => a - b) : factors;
      // Array.prototype.sort puts undefined last whatever the comparator: rank them through objects.
      const rank = (decision: Decision | undefined) => DECISIONS.indexOf(decision ?? 'accept');
      const ranked = monotone
        ? decisions
            .map((decision) => ({ decision }))
            .sort((a, b) => rank(a.decision) - rank(b.decision))
            .map(({ decision }) => decision)
        : decisions;
      return minIndexes.map((minIndex, i) => ({
        tier: `T${i}`,
        minIndex,
        factor: ordered[i] / 100,
        ...(ranked[i] ? { decision: ranked[i] } : {}),
      }));
    });

const bandsModifier = (name: string, input: string) =>
  fc
    .tuple(
      fc.uniqueArray(fc.integer({ min: -5, max: 600 }), { maxLength: 3 }),
      fc.array(
        fc.tuple(decimal(0.5, 1.5, 2), fc.constantFrom(...DECISIONS, undefined), fc.boolean()),
        {
          minLength: 4,
          maxLength: 4,
        },
      ),
      fc.option(decimal(0.5, 1.5, 2), { nil: undefined }),
    )
    .map(([upTos, bands, fallback]) => {
      const limits = upTos.sort((a, b) => a - b);
      return {
        name,
        input,
        ...(fallback === undefined ? {} : { default: fallback }),
        bands: [...limits, null].map((upTo, i) => ({
          ...(upTo === null ? {} : { upTo }),
          factor: bands[i][0],
          ...(bands[i][1] ? { decision: bands[i][1] } : {}),
          ...(bands[i][1] && bands[i][2] ? { reason: `R_${name}_${i}` } : {}),
        })),
      };
    });

const valuesModifier = fc
  .tuple(
    fc.subarray(INDUSTRIES),
    fc.array(decimal(0.5, 1.5, 2), { minLength: 4, maxLength: 4 }),
    fc.option(decimal(0.5, 1.5, 2)),
  )
  .map(([slugs, factors, fallback]) => ({
    name: 'industry',
    input: 'industry',
    ...(fallback === null ? {} : { default: fallback }),
    values: Object.fromEntries(slugs.map((slug, i) => [slug, factors[i]])),
  }));

/**
 * A valid weighting table document. `monotone`: worse tiers never have lower factors or decisions.
 * `precise`: weights with up to 16 decimal places, whose integers outgrow doubles (the BigInt path).
 */
export function tableDocument(
  monotone = false,
  precise = false,
): fc.Arbitrary<Record<string, unknown>> {
  const weight = precise ? preciseWeight : decimal(0, 12, 2);
  return tierList(monotone).chain((tiers) =>
    fc
      .record({
        name: fc.constant('prop-table'),
        version: fc.constant('1'),
        effectiveFrom: fc.constant('2024-01-01'),
        adoption: fc.record(
          {
            missing: fc.constantFrom('zero', 'exclude'),
            thirdPartyCredit: docNumber(decimal(0, 1, 2)),
          },
          { requiredKeys: [] },
        ),
        controls: fc.uniqueArray(
          fc.record(
            {
              name: fc.constantFrom(...CONTROL_NAMES),
              weight: docNumber(weight),
              maxScore: docNumber(decimal(0.5, 10, 1)),
            },
            { requiredKeys: ['name', 'weight'] },
          ),
          { selector: (control) => control.name, maxLength: 8 },
        ),
        categoryWeights: fc
          .array(fc.tuple(fc.constantFrom(...CATEGORIES), docNumber(decimal(0, 2, 2))), {
            maxLength: 4,
          })
          .map((entries) => Object.fromEntries(entries)),
        defaultWeight: docNumber(decimal(0, 1, 2)),
        tiers: fc.constant(tiers),
        gates: fc.array(
          fc.record(
            {
              control: fc.constantFrom(...CONTROL_NAMES),
              minAdoption: docNumber(decimal(0, 1, 2)),
              capTier: fc.constantFrom(...tiers.map((tier) => tier.tier)),
              decision: fc.constantFrom(...DECISIONS),
              reason: fc.constantFrom('GATE_ONE', 'GATE_TWO'),
            },
            { requiredKeys: ['control', 'minAdoption'] },
          ),
          { maxLength: 3 },
        ),
        modifiers: fc
          .tuple(
            bandsModifier('seats', 'activeUserCount'),
            bandsModifier('licences', 'licensedUserCount'),
            bandsModifier('staleness', 'snapshotAgeDays'),
            valuesModifier,
          )
          .chain((modifiers) => fc.subarray(modifiers)),
        clamp: fc.option(fc.tuple(decimal(0.3, 1, 3), decimal(1, 4, 3))),
        rounding: fc.record(
          { index: fc.integer({ min: 0, max: 4 }), factor: fc.integer({ min: 0, max: 6 }) },
          { requiredKeys: [] },
        ),
      })
      .map(({ clamp, ...doc }) => ({
        ...doc,
        ...(clamp ? { factorFloor: clamp[0], factorCap: clamp[1] } : {}),
      })),
  );
}

const percentage = fc.oneof(
  decimal(-10, 120, 2),
  decimal(0, 100, 0),
  fc.constantFrom('100', '0', 'NaN', '1e2', '50.00'),
);

export const controlScore: fc.Arbitrary<RatingControlScore> = fc.record({
  controlName: fc.constantFrom(...CONTROL_NAMES),
  controlCategory: fc.option(fc.constantFrom(...CATEGORIES)),
  score: fc.option(decimal(-1, 12, 2), { freq: 5 }),
  scoreInPercentage: fc.option(percentage),
  maxScore: fc.option(decimal(0, 10, 1), { freq: 1 }),
});

const instant = fc
  .date({
    min: new Date('2023-06-01T00:00:00Z'),
    max: new Date('2024-12-31T00:00:00Z'),
    noInvalidDate: true,
  })
  .map((date) => date.toISOString());

export const snapshot: fc.Arbitrary<RatingSnapshot> = fc.record({
  id: fc.option(fc.constant('snapshot-1')),
  createdDateTime: instant,
  activeUserCount: fc.option(fc.integer({ min: 0, max: 700 })),
  licensedUserCount: fc.option(fc.integer({ min: 0, max: 700 })),
  controlScores: fc.uniqueArray(controlScore, {
    selector: (score) => score.controlName,
    maxLength: CONTROL_NAMES.length,
  }),
});

export const context: fc.Arbitrary<RatingContext> = fc.record({
  asOf: instant,
  industry: fc.option(fc.constantFrom(...INDUSTRIES, 'unknown-industry')),
  controlStates: fc
    .array(fc.tuple(fc.constantFrom(...CONTROL_NAMES), fc.constantFrom(...STATES)), {
      maxLength: 6,
    })
    .map((entries) => Object.fromEntries(entries)),
  catalogMaxScores: fc
    .array(fc.tuple(fc.constantFrom(...CONTROL_NAMES), decimal(0, 10, 2)), { maxLength: 10 })
    .map((entries) => new Map(entries)),
});
