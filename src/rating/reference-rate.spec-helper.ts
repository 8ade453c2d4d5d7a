// The plain reference implementation of rating-spec.md §3 and §5 the fast path is proven against:
// decimal.js throughout, read literally, with a full re-rating for every improvement. Adoptions
// are kept as fractions (numerator, denominator) so that the one division of each result happens
// last, at 1,000 significant digits, right before the spec's half-up rounding. Test code only.
import { Decimal } from 'decimal.js';
import type { RatingContext, RatingSnapshot, WeightingTable } from './rating.types.js';
import type { Decision, Rating, RatingControlScore } from './rating.types.js';

const D = Decimal.clone({
  precision: 1000,
  rounding: Decimal.ROUND_HALF_UP,
  toExpNeg: -9e15,
  toExpPos: 9e15,
});
type Dec = InstanceType<typeof D>;
interface Fraction {
  n: Dec;
  d: Dec;
}

const ZERO = new D(0);
const ONE = new D(1);
const HUNDRED = new D(100);
const DECISIONS: Decision[] = ['accept', 'refer', 'decline'];

function numeric(text: string | null | undefined): Dec | null {
  if (text === null || text === undefined) return null;
  if (!/^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/.test(text)) return null;
  return new D(text);
}

function round(value: Fraction, places: number): Dec {
  return value.n.div(value.d).toDecimalPlaces(places, D.ROUND_HALF_UP);
}

function byCodePoint(a: string, b: string): number {
  const x = Array.from(a, (c) => c.codePointAt(0)!);
  const y = Array.from(b, (c) => c.codePointAt(0)!);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}

/** Steps 2 and 4: a(c) of a present control, or null when unscorable. */
function adoption(
  table: WeightingTable,
  context: RatingContext,
  score: RatingControlScore,
): Fraction | null {
  let raw: Fraction;
  const percentage = numeric(score.scoreInPercentage);
  if (percentage !== null) {
    raw = { n: percentage, d: HUNDRED };
  } else {
    const points = numeric(score.score);
    const listed = table.controls.find((control) => control.name === score.controlName);
    const max =
      (listed?.maxScore ? new D(listed.maxScore) : null) ??
      numeric(score.maxScore) ??
      numeric(context.catalogMaxScores.get(score.controlName));
    if (points === null || max === null || max.lte(0)) return null;
    raw = { n: points, d: max };
  }
  if (raw.n.lte(0)) raw = { n: ZERO, d: ONE };
  else if (raw.n.gte(raw.d)) raw = { n: ONE, d: ONE };
  const state = Object.hasOwn(context.controlStates, score.controlName)
    ? context.controlStates[score.controlName]
    : null;
  return state === 'ThirdParty' ? { n: raw.n.mul(table.adoption.thirdPartyCredit), d: raw.d } : raw;
}

interface Member {
  control: string;
  weight: Dec;
  a: Fraction;
}

/** Steps 1 to 4. */
function weighted(table: WeightingTable, snapshot: RatingSnapshot, context: RatingContext) {
  const members: Member[] = [];
  const missing: string[] = [];
  const consider = (control: string, weight: Dec) => {
    if (weight.lte(0)) return;
    const score = snapshot.controlScores.find((s) => s.controlName === control);
    const a = score ? adoption(table, context, score) : null;
    if (a === null) missing.push(control);
    if (a !== null || table.adoption.missing === 'zero')
      members.push({ control, weight, a: a ?? { n: ZERO, d: ONE } });
  };
  for (const control of table.controls) consider(control.name, new D(control.weight));
  for (const score of snapshot.controlScores) {
    if (table.controls.some((control) => control.name === score.controlName)) continue;
    const category = score.controlCategory;
    const weight =
      category !== null && Object.hasOwn(table.categoryWeights, category)
        ? table.categoryWeights[category]
        : table.defaultWeight;
    consider(score.controlName, new D(weight));
  }
  return { members, missing };
}

function modifierOutcome(table: WeightingTable, snapshot: RatingSnapshot, context: RatingContext) {
  const ageDays = Math.floor(
    (Date.parse(context.asOf) - Date.parse(snapshot.createdDateTime)) / 86_400_000,
  );
  let product = ONE;
  let decision = 0;
  const reasons: string[] = [];
  for (const modifier of table.modifiers) {
    const input = {
      activeUserCount: snapshot.activeUserCount,
      licensedUserCount: snapshot.licensedUserCount,
      snapshotAgeDays: ageDays,
      industry: context.industry,
    }[modifier.input];
    let factor = new D(modifier.default);
    if ('values' in modifier) {
      if (typeof input === 'string' && Object.hasOwn(modifier.values, input))
        factor = new D(modifier.values[input]);
    } else if (typeof input === 'number') {
      const band = modifier.bands.find((b) => b.upTo === null || new D(input).lte(b.upTo))!;
      factor = new D(band.factor);
      if (band.decision !== null) {
        decision = Math.max(decision, DECISIONS.indexOf(band.decision));
        reasons.push(band.reason!);
      }
    }
    product = product.mul(factor);
  }
  return { product, decision, reasons };
}

/** Steps 5 to 11 with the given adoptions; `full` is the control set to a = 1 (improvements). */
function outcome(
  table: WeightingTable,
  snapshot: RatingSnapshot,
  context: RatingContext,
  members: Member[],
  full: string | null,
) {
  const S = members.reduce((sum, m) => sum.plus(m.weight), ZERO);
  const denominator = members.reduce((product, m) => product.mul(m.a.d), ONE);
  const numerator = members.reduce(
    (sum, m) =>
      sum.plus(
        m.control === full
          ? m.weight.mul(denominator)
          : m.weight.mul(m.a.n).mul(denominator).div(m.a.d),
      ),
    ZERO,
  );
  if (denominator.sd() > 900 || numerator.sd() > 900)
    throw new Error('reference: beyond its exact range');
  const index = round({ n: HUNDRED.mul(numerator), d: denominator.mul(S) }, table.rounding.index);
  let tier = table.tiers.findIndex((t) => new D(t.minIndex).lte(index));
  const modifiers = modifierOutcome(table, snapshot, context);
  let decision = modifiers.decision;
  const reasons: string[] = [];
  for (const gate of table.gates) {
    const score = snapshot.controlScores.find((s) => s.controlName === gate.control);
    const a =
      gate.control === full
        ? { n: ONE, d: ONE }
        : ((score && adoption(table, context, score)) ?? { n: ZERO, d: ONE });
    if (a.n.div(a.d).lt(gate.minAdoption)) {
      if (gate.capTier !== null)
        tier = Math.max(
          tier,
          table.tiers.findIndex((t) => t.tier === gate.capTier),
        );
      decision = Math.max(decision, DECISIONS.indexOf(gate.decision));
      reasons.push(gate.reason);
    }
  }
  decision = Math.max(decision, DECISIONS.indexOf(table.tiers[tier].decision));
  let factor = new D(table.tiers[tier].factor).mul(modifiers.product);
  if (table.factorFloor !== null) factor = D.max(factor, table.factorFloor);
  if (table.factorCap !== null) factor = D.min(factor, table.factorCap);
  return {
    index: index.toFixed(table.rounding.index),
    tier: table.tiers[tier].tier,
    factor: factor
      .toDecimalPlaces(table.rounding.factor, D.ROUND_HALF_UP)
      .toFixed(table.rounding.factor),
    decision: DECISIONS[decision],
    reasons: [...reasons, ...modifiers.reasons],
    S,
  };
}

export function referenceRate(
  snapshot: RatingSnapshot,
  table: WeightingTable,
  sha256: string,
  context: RatingContext,
): Rating {
  const { members, missing } = weighted(table, snapshot, context);
  const head = {
    table: { name: table.name, version: table.version, sha256 },
    asOf: context.asOf,
    snapshot: { id: snapshot.id, createdDateTime: snapshot.createdDateTime },
    missingControls: [...missing].sort(byCodePoint),
  };
  if (members.length === 0) {
    return {
      index: null,
      tier: null,
      factor: null,
      decision: 'refer',
      reasons: ['NO_SCORABLE_CONTROLS'],
      ...head,
      contributions: [],
      improvements: [],
    };
  }
  const { S, ...result } = outcome(table, snapshot, context, members, null);
  const contributions = members
    .map((m) => ({
      control: m.control,
      weight: m.weight.toFixed(),
      adoption: round(m.a, 4).toFixed(4),
      contribution: round({ n: HUNDRED.mul(m.weight).mul(m.a.n), d: m.a.d.mul(S) }, 4).toFixed(4),
      gap: round({ n: HUNDRED.mul(m.weight).mul(m.a.d.minus(m.a.n)), d: m.a.d.mul(S) }, 4).toFixed(
        4,
      ),
    }))
    .sort((x, y) => new D(y.gap).comparedTo(x.gap) || byCodePoint(x.control, y.control));
  const improvements = members
    .filter((m) => m.a.n.lt(m.a.d))
    .map((m) => {
      const full = outcome(table, snapshot, context, members, m.control);
      return {
        control: m.control,
        index: full.index,
        tier: full.tier,
        factor: full.factor,
        decision: full.decision,
      };
    })
    .sort(
      (x, y) =>
        new D(x.factor).comparedTo(y.factor) ||
        DECISIONS.indexOf(x.decision) - DECISIONS.indexOf(y.decision) ||
        new D(y.index).comparedTo(x.index) ||
        byCodePoint(x.control, y.control),
    );
  return { ...result, ...head, contributions, improvements };
}
