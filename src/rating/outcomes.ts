// Spec §3 steps 6 to 11: from a rounded index and the fired gates to tier, factor and decision.
import { compareDec, formatScaled, pow10, roundHalfUp, type Dec } from './decimal.js';
import type { ModifierOutcome } from './modifiers.js';
import type { DecisionRank, RatingPlan } from './rating-plan.js';

export interface Outcome {
  /** Index into the plan's tiers. */
  readonly tier: number;
  readonly decision: DecisionRank;
}

export interface Factor {
  /** The factor times 10^rounding.factor. */
  readonly scaled: bigint;
  /** Number(scaled), a cheap sort key. */
  readonly key: number;
  readonly text: string;
}

/** The outcomes of one rating (one snapshot, so one modifier outcome); factors memoised per tier. */
export class Outcomes {
  private readonly factors: (Factor | undefined)[] = [];
  /** Tier thresholds as numbers: a rounded index is at most 100·10^8, far below 2^53. */
  private readonly thresholds: number[];

  constructor(
    private readonly plan: RatingPlan,
    private readonly modifiers: ModifierOutcome,
  ) {
    this.thresholds = plan.tiers.map((tier) => Number(tier.threshold));
  }

  /** `index`: the rounded index times 10^rounding.index; `fired`: gate indexes in table order. */
  evaluate(index: number, fired: readonly number[]): Outcome {
    const tiers = this.plan.tiers;
    let tier = 0;
    while (tier < tiers.length - 1 && index < this.thresholds[tier]) tier++;
    let decision = this.modifiers.decision;
    for (const i of fired) {
      const gate = this.plan.gates[i];
      if (gate.capTier > tier) tier = gate.capTier;
      if (gate.decision > decision) decision = gate.decision;
    }
    if (tiers[tier].decision > decision) decision = tiers[tier].decision;
    return { tier, decision };
  }

  /** round(min(max(tier.factor × Π modifiers, factorFloor), factorCap), rounding.factor). */
  factor(tier: number): Factor {
    let factor = this.factors[tier];
    if (factor === undefined) {
      const { factorFloor: floor, factorCap: cap, factorPlaces: places } = this.plan;
      const base = this.plan.tiers[tier].factor;
      let value: Dec = {
        n: base.n * this.modifiers.product.n,
        s: base.s + this.modifiers.product.s,
      };
      if (floor !== null && compareDec(value, floor) < 0) value = floor;
      if (cap !== null && compareDec(value, cap) > 0) value = cap;
      const scaled =
        value.s > places
          ? roundHalfUp(value.n, pow10(value.s - places))
          : value.n * pow10(places - value.s);
      factor = { scaled, key: Number(scaled), text: formatScaled(scaled, places) };
      this.factors[tier] = factor;
    }
    return factor;
  }
}
