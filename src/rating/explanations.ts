// Spec §5: contributions and improvements, in one pass over W. Improvements are incremental: with
// one control set to a = 1, Σw·a grows by w·(1 − a), S is unchanged, and only that control's gates
// stop firing, so each costs a handful of integer operations instead of a full re-rating.
import type { Ratio } from './adoption.js';
import { compareCodePoints } from './code-point-order.js';
import { formatSafeInteger, pow10 } from './decimal.js';
import type { Outcomes } from './outcomes.js';
import { DECISIONS, type DecisionRank, type RatingPlan, type Weight } from './rating-plan.js';
import type { RatingContribution, RatingImprovement } from './rating.types.js';

/** A control of W: its weight, and its adoption as scaled / L (L is common to the rating). */
export interface Member {
  readonly name: string;
  readonly weight: Weight;
  readonly adoption: Ratio;
  scaled: bigint;
}

export interface Sums {
  /** The common denominator of every adoption. */
  readonly L: bigint;
  /** L · S, S = Σ w (weights at the plan's weight scale). */
  readonly LS: bigint;
  /** Σ w · scaled. */
  readonly T: bigint;
}

/** The rounded figures of one member, each an integer at its places (all far below 2^53). */
interface Rounded {
  adoption: number;
  contribution: number;
  gap: number;
  /** The index with this control at a = 1. */
  improvedIndex: number;
}

const PLACES = 4;
/** 2 · 100 · 10^4 and 2 · 10^4: roundHalfUp(p, q) = (2p + q) / 2q with the factor 2 folded in. */
const PERCENT2 = 2_000_000;
const ADOPTION2 = 20_000;
/** Numerators up to this, denominators up to this: their sum stays exact in a double. */
const SAFE = 2 ** 52;

interface ContributionRow {
  readonly gap: number;
  readonly row: RatingContribution;
}

interface ImprovementRow {
  readonly index: number;
  /** Number(factor): monotone, so it orders unequal keys exactly; ties fall back to `factor`. */
  readonly factorKey: number;
  readonly factor: bigint;
  readonly decision: DecisionRank;
  readonly row: RatingImprovement;
}

export function explain(
  plan: RatingPlan,
  members: readonly Member[],
  sums: Sums,
  fired: readonly number[],
  outcomes: Outcomes,
): { contributions: RatingContribution[]; improvements: RatingImprovement[] } {
  const rounded = fitsInDoubles(plan, members, sums)
    ? roundedFast(plan, sums)
    : roundedExact(plan, sums);
  const contributions: ContributionRow[] = [];
  const improvements: ImprovementRow[] = [];
  for (const member of members) {
    const figures = rounded(member);
    contributions.push({
      gap: figures.gap,
      row: {
        control: member.name,
        weight: member.weight.text,
        adoption: formatSafeInteger(figures.adoption, PLACES),
        contribution: formatSafeInteger(figures.contribution, PLACES),
        gap: formatSafeInteger(figures.gap, PLACES),
      },
    });
    if (member.scaled < sums.L)
      improvements.push(improvement(plan, member, figures.improvedIndex, fired, outcomes));
  }
  contributions.sort(byGapThenName);
  improvements.sort(byFactorDecisionIndexName);
  return {
    contributions: contributions.map((c) => c.row),
    improvements: improvements.map((i) => i.row),
  };
}

/** Whether every numerator and denominator of `roundedFast` stays within 2^52 (exported for tests). */
export function fitsInDoubles(
  plan: RatingPlan,
  members: readonly Member[],
  { L, LS }: Sums,
): boolean {
  let wMax = 0n;
  for (const member of members) if (member.weight.scaled > wMax) wMax = member.weight.scaled;
  const largest = [
    wMax * L * BigInt(PERCENT2) + LS, // contribution and gap: w·A ≤ w·L
    LS * 200n * pow10(plan.indexPlaces) + LS, // improved index: T + w·(L − A) ≤ S·L
    L * BigInt(ADOPTION2) + L,
    2n * LS,
  ];
  return largest.every((value) => value <= BigInt(SAFE));
}

/**
 * The four roundings in doubles: exact, because every operand, product and quotient is an integer
 * below 2^52 (checked by fitsInDoubles), so no binary fraction ever appears. About twice as fast as
 * BigInt, which allocates on every operation; results are identical (property-tested).
 */
function roundedFast(plan: RatingPlan, { L, LS, T }: Sums): (member: Member) => Rounded {
  const [l, ls, t] = [Number(L), Number(LS), Number(T)];
  const [l2, ls2] = [2 * l, 2 * ls];
  const index2 = 200 * 10 ** plan.indexPlaces;
  return (member) => {
    const a = Number(member.scaled);
    const wA = Number(member.weight.scaled) * a;
    const wGap = Number(member.weight.scaled) * l - wA;
    return {
      adoption: Math.floor((a * ADOPTION2 + l) / l2),
      contribution: Math.floor((wA * PERCENT2 + ls) / ls2),
      gap: Math.floor((wGap * PERCENT2 + ls) / ls2),
      improvedIndex: Math.floor(((t + wGap) * index2 + ls) / ls2),
    };
  };
}

/** The same four roundings in BigInt, for tables and snapshots whose integers outgrow doubles. */
function roundedExact(plan: RatingPlan, { L, LS, T }: Sums): (member: Member) => Rounded {
  const [L2, LS2] = [2n * L, 2n * LS];
  const index2 = 200n * pow10(plan.indexPlaces);
  const [percent2, adoption2] = [BigInt(PERCENT2), BigInt(ADOPTION2)];
  return (member) => {
    const wA = member.weight.scaled * member.scaled;
    const wGap = member.weight.scaled * L - wA;
    return {
      adoption: Number((member.scaled * adoption2 + L) / L2),
      contribution: Number((wA * percent2 + LS) / LS2),
      gap: Number((wGap * percent2 + LS) / LS2),
      improvedIndex: Number(((T + wGap) * index2 + LS) / LS2),
    };
  };
}

function improvement(
  plan: RatingPlan,
  member: Member,
  index: number,
  fired: readonly number[],
  outcomes: Outcomes,
): ImprovementRow {
  const stillFired = plan.gatedControls.has(member.name)
    ? fired.filter((gate) => plan.gates[gate].control !== member.name)
    : fired;
  const outcome = outcomes.evaluate(index, stillFired);
  const factor = outcomes.factor(outcome.tier);
  return {
    index,
    factorKey: factor.key,
    factor: factor.scaled,
    decision: outcome.decision,
    row: {
      control: member.name,
      index: formatSafeInteger(index, plan.indexPlaces),
      tier: plan.tiers[outcome.tier].name,
      factor: factor.text,
      decision: DECISIONS[outcome.decision],
    },
  };
}

/** Rounded gap descending, then control name in code point order. */
function byGapThenName(a: ContributionRow, b: ContributionRow): number {
  return b.gap - a.gap || compareCodePoints(a.row.control, b.row.control);
}

/** Factor ascending, decision best first, index descending, then control name. */
function byFactorDecisionIndexName(a: ImprovementRow, b: ImprovementRow): number {
  if (a.factorKey !== b.factorKey) return a.factorKey - b.factorKey;
  if (a.factor !== b.factor) return a.factor < b.factor ? -1 : 1;
  return (
    a.decision - b.decision || b.index - a.index || compareCodePoints(a.row.control, b.row.control)
  );
}
