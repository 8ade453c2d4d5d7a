// Spec §4: the product of the modifier factors, with the decisions and reasons their bands add.
import { compareDec, mulDec, parseDecimal, type Dec } from './decimal.js';
import type { DecisionRank, PlanBand, PlanModifier } from './rating-plan.js';

export interface ModifierInputs {
  activeUserCount: number | null;
  licensedUserCount: number | null;
  snapshotAgeDays: number;
  industry: string | null;
}

export interface ModifierOutcome {
  readonly product: Dec;
  readonly decision: DecisionRank;
  /** In modifier order. */
  readonly reasons: readonly string[];
}

export function applyModifiers(
  modifiers: readonly PlanModifier[],
  inputs: ModifierInputs,
): ModifierOutcome {
  let product: Dec = { n: 1n, s: 0 };
  let decision: DecisionRank = 0;
  const reasons: string[] = [];
  for (const modifier of modifiers) {
    const value = inputs[modifier.input];
    const band = modifier.bands === null ? null : bandFor(modifier.bands, value);
    let factor: Dec;
    if (band !== null) {
      factor = band.factor;
      if (band.decision !== null && band.reason !== null) {
        decision = band.decision > decision ? band.decision : decision;
        reasons.push(band.reason);
      }
    } else if (modifier.values !== null && typeof value === 'string') {
      factor = modifier.values.get(value) ?? modifier.fallback;
    } else {
      factor = modifier.fallback;
    }
    product = mulDec(product, factor);
  }
  return { product, decision, reasons };
}

/** The first band with value <= upTo, else the catch-all; null when the input is unknown. */
function bandFor(bands: readonly PlanBand[], value: number | string | null): PlanBand | null {
  // A count that is not a finite number (NaN from a broken mapper) is as unknown as a null one.
  if (typeof value !== 'number' || !Number.isFinite(value)) return null;
  const input = parseDecimal(String(value));
  if (input === null) return null;
  for (const band of bands) {
    if (band.upTo === null || compareDec(input, band.upTo) <= 0) return band;
  }
  return bands[bands.length - 1];
}
