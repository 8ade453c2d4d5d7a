/**
 * The pure rating core (docs/rating-spec.md). Entry points, each exported from its defining file:
 * - `rate(snapshot, compiledTable, context): Rating`, `compileTable(table, sha256): CompiledTable`,
 *   `RatingInputError`: this file.
 * - `validateWeightingTable(doc: unknown)`: weighting-table.validation.ts (spec §1, §4).
 * - `parseWeightingTableYaml(text)`: weighting-table.yaml.ts.
 * - `diffTables(a, b)`: table-diff.ts.
 * - Types (`Rating`, `RatingSnapshot`, `RatingContext`, `WeightingTable` ...): rating.types.ts.
 *
 * Arithmetic is exact: decimals are scaled BigInt integers built from their text, a(c) is an exact
 * ratio, and the only rounding is the spec's (half-up, once, on the exact value). Where the spec is
 * silent this code decides (see also adoption.ts and instant.ts):
 * - reasons: fired gate reasons in table order, then modifier band reasons in modifier order;
 * - snapshotAgeDays is floor((asOf - createdDateTime) / 1 day), exact to any fractional second; a
 *   snapshot taken after asOf has a negative age (a band `upTo` can still catch it);
 * - a snapshot naming one control twice, or an asOf / createdDateTime that is not an ISO-8601
 *   instant with a zone, is refused with RatingInputError (rating it would depend on input order);
 * - a modifier count that is null or not a finite number is unknown (the modifier's default);
 * - improvements cover the controls of W only (an excluded missing control has none).
 */
import { adoptionOf, isBelow, NO_ADOPTION, type Ratio } from './adoption.js';
import { compareCodePoints } from './code-point-order.js';
import { compareDec, formatScaled, gcd, pow10, roundHalfUp, type Dec } from './decimal.js';
import { parseInstant, wholeDaysBetween } from './instant.js';
import { applyModifiers, type ModifierOutcome } from './modifiers.js';
import {
  buildPlan,
  DECISIONS,
  type DecisionRank,
  type RatingPlan,
  type Weight,
} from './rating-plan.js';
import type {
  Rating,
  RatingContext,
  RatingContribution,
  RatingControlScore,
  RatingImprovement,
  RatingSnapshot,
  WeightingTable,
} from './rating.types.js';

export interface CompiledTable {
  readonly name: string;
  readonly version: string;
  /** SHA-256 of the table's canonical JSON, computed by the caller. */
  readonly sha256: string;
  readonly table: WeightingTable;
  readonly plan: RatingPlan;
}

/** Pre-builds a validated table for `rate`; compile once, rate many snapshots. */
export function compileTable(table: WeightingTable, sha256: string): CompiledTable {
  return { name: table.name, version: table.version, sha256, table, plan: buildPlan(table) };
}

/** Input that cannot be rated reproducibly (the table, being validated, never causes one). */
export class RatingInputError extends Error {
  override readonly name = 'RatingInputError';
  readonly code = 'INVALID_RATING_INPUT';
  constructor(
    message: string,
    /** The offending input, e.g. `asOf` or `snapshot.controlScores`. */
    readonly field: string,
  ) {
    super(message);
  }
}

/** A control of W: its weight, and its adoption as A / L (L is common to the rating). */
interface Member {
  readonly name: string;
  readonly weight: Weight;
  readonly adoption: Ratio;
  scaled: bigint;
}

interface Sums {
  /** Common denominator of every adoption. */
  readonly L: bigint;
  /** L · S, S = Σ w (weights at the plan's weight scale). */
  readonly LS: bigint;
  /** Σ w · A. */
  readonly T: bigint;
}

interface Outcome {
  readonly tier: number;
  readonly decision: DecisionRank;
}

const CONTRIBUTION_PLACES = 4;
/** 100 · 10^4: contributions and gaps are percentages of S at 4 places. */
const CONTRIBUTION_SCALE = 100n * pow10(CONTRIBUTION_PLACES);
const ADOPTION_SCALE = pow10(CONTRIBUTION_PLACES);

/** Spec §3 and §5: the rating of one snapshot under one table. Pure and deterministic. */
export function rate(
  snapshot: RatingSnapshot,
  table: CompiledTable,
  context: RatingContext,
): Rating {
  const plan = table.plan;
  const scores = scoresByName(snapshot.controlScores);
  const ageDays = snapshotAgeDays(snapshot.createdDateTime, context.asOf);
  const { members, missing } = weightedControls(plan, scores, context);
  const head = {
    table: { name: table.name, version: table.version, sha256: table.sha256 },
    asOf: context.asOf,
    snapshot: { id: snapshot.id, createdDateTime: snapshot.createdDateTime },
    missingControls: missing.sort(compareCodePoints),
  };
  if (members.length === 0) {
    const reasons = ['NO_SCORABLE_CONTROLS'];
    return {
      index: null,
      tier: null,
      factor: null,
      decision: 'refer',
      reasons,
      ...head,
      contributions: [],
      improvements: [],
    };
  }
  const sums = weightedSums(members);
  const modifiers = applyModifiers(plan.modifiers, {
    activeUserCount: snapshot.activeUserCount,
    licensedUserCount: snapshot.licensedUserCount,
    snapshotAgeDays: ageDays,
    industry: context.industry,
  });
  const fired = firedGates(plan, scores, context);
  const outcomes = new Outcomes(plan, modifiers);
  const index = roundedIndex(plan, sums.T, sums.LS);
  const outcome = outcomes.evaluate(index, fired);
  return {
    index: formatScaled(index, plan.indexPlaces),
    tier: plan.tiers[outcome.tier].name,
    factor: outcomes.factor(outcome.tier).text,
    decision: DECISIONS[outcome.decision],
    reasons: [...fired.map((gate) => plan.gates[gate].reason), ...modifiers.reasons],
    ...head,
    contributions: contributions(members, sums),
    improvements: improvements(plan, members, sums, fired, outcomes),
  };
}

function scoresByName(
  controlScores: readonly RatingControlScore[],
): Map<string, RatingControlScore> {
  const scores = new Map<string, RatingControlScore>();
  for (const score of controlScores) {
    if (scores.has(score.controlName)) {
      throw new RatingInputError(
        `The snapshot lists control ${JSON.stringify(score.controlName)} twice`,
        'snapshot.controlScores',
      );
    }
    scores.set(score.controlName, score);
  }
  return scores;
}

function snapshotAgeDays(createdDateTime: string, asOf: string): number {
  const created = parseInstant(createdDateTime);
  if (created === null) {
    throw new RatingInputError(
      `createdDateTime ${JSON.stringify(createdDateTime)} is not an ISO-8601 instant`,
      'snapshot.createdDateTime',
    );
  }
  const at = parseInstant(asOf);
  if (at === null)
    throw new RatingInputError(`asOf ${JSON.stringify(asOf)} is not an ISO-8601 instant`, 'asOf');
  return wholeDaysBetween(created, at);
}

/** Spec §3 steps 1 to 4: W with each adoption, and the missing controls. */
function weightedControls(
  plan: RatingPlan,
  scores: ReadonlyMap<string, RatingControlScore>,
  context: RatingContext,
): { members: Member[]; missing: string[] } {
  const members: Member[] = [];
  const missing: string[] = [];
  const add = (
    name: string,
    weight: Weight,
    score: RatingControlScore | undefined,
    maxScore: Dec | null,
  ) => {
    const adoption =
      score === undefined
        ? null
        : adoptionOf(score, maxScore, context.catalogMaxScores, credit(plan, context, name));
    if (adoption === null) missing.push(name);
    if (adoption !== null || plan.missingZero)
      members.push({ name, weight, adoption: adoption ?? NO_ADOPTION, scaled: 0n });
  };
  for (const control of plan.listedWeighted)
    add(control.name, control.weight, scores.get(control.name), control.maxScore);
  for (const score of scores.values()) {
    if (plan.listed.has(score.controlName)) continue;
    const category = score.controlCategory;
    const weight =
      (category !== null ? plan.categoryWeights.get(category) : undefined) ?? plan.defaultWeight;
    if (weight.scaled > 0n) add(score.controlName, weight, score, null);
  }
  return { members, missing };
}

/** The third-party credit applying to a control, or null (unchanged). */
function credit(plan: RatingPlan, context: RatingContext, control: string): Dec | null {
  if (plan.thirdPartyCredit === null || !Object.hasOwn(context.controlStates, control)) return null;
  return context.controlStates[control] === 'ThirdParty' ? plan.thirdPartyCredit : null;
}

/** Brings every adoption onto one denominator L, so that every later step is integer arithmetic. */
function weightedSums(members: Member[]): Sums {
  let L = 1n;
  for (const member of members) {
    const d = member.adoption.d;
    if (L % d !== 0n) L = (L / gcd(L, d)) * d;
  }
  let S = 0n;
  let T = 0n;
  for (const member of members) {
    member.scaled = member.adoption.n * (L / member.adoption.d);
    S += member.weight.scaled;
    T += member.weight.scaled * member.scaled;
  }
  return { L, LS: L * S, T };
}

/** round(100 · Σw·a / S, rounding.index) as an integer at indexPlaces. */
function roundedIndex(plan: RatingPlan, T: bigint, LS: bigint): bigint {
  return roundHalfUp(T * 100n * pow10(plan.indexPlaces), LS);
}

/** Spec §3 step 7: the gates that fire, as indexes in table order. */
function firedGates(
  plan: RatingPlan,
  scores: ReadonlyMap<string, RatingControlScore>,
  context: RatingContext,
): number[] {
  const fired: number[] = [];
  plan.gates.forEach((gate, i) => {
    const score = scores.get(gate.control);
    const maxScore = plan.listed.get(gate.control)?.maxScore ?? null;
    const adoption =
      (score &&
        adoptionOf(
          score,
          maxScore,
          context.catalogMaxScores,
          credit(plan, context, gate.control),
        )) ??
      NO_ADOPTION;
    if (isBelow(adoption, gate.minAdoption)) fired.push(i);
  });
  return fired;
}

/** Spec §3 steps 6 to 11 for a rounded index and a set of fired gates; factors memoised per tier. */
class Outcomes {
  private readonly factors: ({ scaled: bigint; text: string } | undefined)[] = [];

  constructor(
    private readonly plan: RatingPlan,
    private readonly modifiers: ModifierOutcome,
  ) {}

  evaluate(index: bigint, fired: readonly number[]): Outcome {
    const tiers = this.plan.tiers;
    let tier = 0;
    while (tier < tiers.length - 1 && index < tiers[tier].threshold) tier++;
    let decision = this.modifiers.decision;
    for (const i of fired) {
      const gate = this.plan.gates[i];
      if (gate.capTier > tier) tier = gate.capTier;
      if (gate.decision > decision) decision = gate.decision;
    }
    if (tiers[tier].decision > decision) decision = tiers[tier].decision;
    return { tier, decision };
  }

  factor(tier: number): { scaled: bigint; text: string } {
    let factor = this.factors[tier];
    if (factor === undefined) {
      const { factorFloor: floor, factorCap: cap, factorPlaces: places } = this.plan;
      let value = {
        n: this.plan.tiers[tier].factor.n * this.modifiers.product.n,
        s: this.plan.tiers[tier].factor.s + this.modifiers.product.s,
      };
      if (floor !== null && compareDec(value, floor) < 0) value = floor;
      if (cap !== null && compareDec(value, cap) > 0) value = cap;
      const scaled =
        value.s > places
          ? roundHalfUp(value.n, pow10(value.s - places))
          : value.n * pow10(places - value.s);
      factor = { scaled, text: formatScaled(scaled, places) };
      this.factors[tier] = factor;
    }
    return factor;
  }
}

/** Spec §5: one per control of W, by rounded gap descending, then control name. */
function contributions(members: readonly Member[], { L, LS }: Sums): RatingContribution[] {
  const rows = members.map((member) => {
    const w = member.weight.scaled;
    const gap = roundHalfUp(w * (L - member.scaled) * CONTRIBUTION_SCALE, LS);
    return {
      gap,
      row: {
        control: member.name,
        weight: member.weight.text,
        adoption: formatScaled(roundHalfUp(member.scaled * ADOPTION_SCALE, L), CONTRIBUTION_PLACES),
        contribution: formatScaled(
          roundHalfUp(w * member.scaled * CONTRIBUTION_SCALE, LS),
          CONTRIBUTION_PLACES,
        ),
        gap: formatScaled(gap, CONTRIBUTION_PLACES),
      },
    };
  });
  rows.sort((a, b) =>
    a.gap === b.gap ? compareCodePoints(a.row.control, b.row.control) : a.gap > b.gap ? -1 : 1,
  );
  return rows.map((row) => row.row);
}

/**
 * Spec §5: each control of W below full adoption, set to a = 1. Incremental: Σw·a grows by
 * w·(1 − a), S is unchanged, and only the gates on that control stop firing.
 */
function improvements(
  plan: RatingPlan,
  members: readonly Member[],
  { L, LS, T }: Sums,
  fired: readonly number[],
  outcomes: Outcomes,
): RatingImprovement[] {
  const rows: { index: bigint; factor: bigint; decision: DecisionRank; row: RatingImprovement }[] =
    [];
  for (const member of members) {
    if (member.scaled >= L) continue;
    const index = roundedIndex(plan, T + member.weight.scaled * (L - member.scaled), LS);
    const stillFired = plan.gatedControls.has(member.name)
      ? fired.filter((gate) => plan.gates[gate].control !== member.name)
      : fired;
    const outcome = outcomes.evaluate(index, stillFired);
    const factor = outcomes.factor(outcome.tier);
    rows.push({
      index,
      factor: factor.scaled,
      decision: outcome.decision,
      row: {
        control: member.name,
        index: formatScaled(index, plan.indexPlaces),
        tier: plan.tiers[outcome.tier].name,
        factor: factor.text,
        decision: DECISIONS[outcome.decision],
      },
    });
  }
  rows.sort(
    (a, b) =>
      (a.factor !== b.factor ? (a.factor < b.factor ? -1 : 1) : 0) ||
      a.decision - b.decision ||
      (a.index !== b.index ? (a.index > b.index ? -1 : 1) : 0) ||
      compareCodePoints(a.row.control, b.row.control),
  );
  return rows.map((row) => row.row);
}
