/**
 * The pure rating core (docs/rating-spec.md). Entry points, each exported from its defining file:
 * - `rate(snapshot, compiledTable, context): Rating`, `compileTable(table, sha256): CompiledTable`,
 *   `RatingInputError`: this file.
 * - `validateWeightingTable(doc: unknown)`: weighting-table.validation.ts (spec §1, §4).
 * - `parseWeightingTableYaml(text)`, `WeightingTableYamlError`: weighting-table.yaml.ts.
 * - `diffTables(a, b)`: table-diff.ts.
 * - `parseInstant`, `wholeDaysBetween`: instant.ts.
 * - `readsCatalogMaxScore(score)`: adoption.ts (the catalog entries a rating can read).
 * - Types (`Rating`, `RatingSnapshot`, `RatingContext`, `WeightingTable` ...): rating.types.ts.
 *
 * Arithmetic is exact. Decimals are scaled BigInt integers built from their text; a(c) is an exact
 * ratio (score / maxScore is not cut to 34 digits: weight 3 at 1/3 counts exactly 1); every result
 * is rounded once, half-up, from its exact value. Per-control figures and improvements go through
 * doubles only when every integer involved provably stays below 2^52 (explanations.ts).
 *
 * Where the spec is silent this code decides (see also adoption.ts, instant.ts, the validator):
 * - reasons: fired gate reasons in table order, then modifier band reasons in modifier order;
 * - snapshotAgeDays is floor((asOf - createdDateTime) / 1 day), exact to any fractional second; a
 *   snapshot taken after asOf has a negative age (a band `upTo` can still catch it);
 * - a snapshot naming one control twice, or an asOf / createdDateTime that is not an ISO-8601
 *   instant with a zone, is refused with RatingInputError (rating it would depend on input order);
 * - a modifier count that is null or not a finite number is unknown (the modifier's default);
 * - improvements cover the controls of W only (an excluded missing control has none);
 * - a contribution's weight is the table decimal's canonical text ("0.5" for "0.50").
 */
import { adoptionOf, isBelow, NO_ADOPTION } from './adoption.js';
import { compareCodePoints } from './code-point-order.js';
import { formatSafeInteger, gcd, pow10, roundHalfUp, type Dec } from './decimal.js';
import { explain, type Member, type Sums } from './explanations.js';
import { parseInstant, wholeDaysBetween } from './instant.js';
import { applyModifiers } from './modifiers.js';
import { Outcomes } from './outcomes.js';
import { buildPlan, DECISIONS, type RatingPlan, type Weight } from './rating-plan.js';
import type {
  Rating,
  RatingContext,
  RatingControlScore,
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

/** Spec §3 and §5: the rating of one snapshot under one table. Pure and deterministic. */
export function rate(
  snapshot: RatingSnapshot,
  table: CompiledTable,
  context: RatingContext,
): Rating {
  const plan = table.plan;
  const ageDays = snapshotAgeDays(snapshot.createdDateTime, context.asOf);
  const { scores, members, missing, sums } = weigh(snapshot, plan, context);
  const head = {
    table: { name: table.name, version: table.version, sha256: table.sha256 },
    asOf: context.asOf,
    snapshot: { id: snapshot.id, createdDateTime: snapshot.createdDateTime },
    missingControls: missing.sort(compareCodePoints),
  };
  if (sums === null) {
    const none = { index: null, tier: null, factor: null, decision: 'refer' as const };
    return {
      ...none,
      reasons: ['NO_SCORABLE_CONTROLS'],
      ...head,
      contributions: [],
      improvements: [],
    };
  }
  const modifiers = applyModifiers(plan.modifiers, {
    activeUserCount: snapshot.activeUserCount,
    licensedUserCount: snapshot.licensedUserCount,
    snapshotAgeDays: ageDays,
    industry: context.industry,
  });
  const fired = firedGates(plan, scores, context);
  const outcomes = new Outcomes(plan, modifiers);
  const index = Number(roundedIndex(plan, sums.T, sums.LS));
  const outcome = outcomes.evaluate(index, fired);
  const { contributions, improvements } = explain(plan, members, sums, fired, outcomes);
  return {
    index: formatSafeInteger(index, plan.indexPlaces),
    tier: plan.tiers[outcome.tier].name,
    factor: outcomes.factor(outcome.tier).text,
    decision: DECISIONS[outcome.decision],
    reasons: [...fired.map((gate) => plan.gates[gate].reason), ...modifiers.reasons],
    ...head,
    contributions,
    improvements,
  };
}

export interface Weighed {
  readonly scores: ReadonlyMap<string, RatingControlScore>;
  /** W, each control with its adoption on the common denominator. */
  readonly members: readonly Member[];
  readonly missing: string[];
  /** null when S = 0. */
  readonly sums: Sums | null;
}

/** Spec §3 steps 1 to 4 and the integer sums of step 5 (exported for tests of the arithmetic). */
export function weigh(snapshot: RatingSnapshot, plan: RatingPlan, context: RatingContext): Weighed {
  const scores = scoresByName(snapshot.controlScores);
  const { members, missing } = weightedControls(plan, scores, context);
  return { scores, members, missing, sums: members.length === 0 ? null : weightedSums(members) };
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
