// A validated table pre-built for fast exact rating: weights as integers on one scale, tier
// thresholds as integers on the index scale, everything else as scaled BigInt decimals.
import { canonicalText, ceilDiv, dec, pow10, scaledTo, type Dec } from './decimal.js';
import type { Decision, ModifierInput, WeightingTable } from './rating.types.js';

/** accept < refer < decline. */
export type DecisionRank = 0 | 1 | 2;
export const DECISIONS: readonly Decision[] = ['accept', 'refer', 'decline'];

export function rankOf(decision: Decision): DecisionRank {
  return decision === 'accept' ? 0 : decision === 'refer' ? 1 : 2;
}

export interface Weight {
  /** The weight times 10^weightPlaces. */
  readonly scaled: bigint;
  /** Canonical text, as the contributions show it. */
  readonly text: string;
}

export interface PlanControl {
  readonly name: string;
  readonly weight: Weight;
  readonly maxScore: Dec | null;
}

export interface PlanTier {
  readonly name: string;
  /** The band applies when the rounded index, times 10^indexPlaces, is at least this. */
  readonly threshold: bigint;
  readonly factor: Dec;
  readonly decision: DecisionRank;
}

export interface PlanGate {
  readonly control: string;
  readonly minAdoption: Dec;
  /** Index into tiers, or -1 without capTier. */
  readonly capTier: number;
  readonly decision: DecisionRank;
  readonly reason: string;
}

export interface PlanBand {
  readonly upTo: Dec | null;
  readonly factor: Dec;
  readonly decision: DecisionRank | null;
  readonly reason: string | null;
}

export interface PlanModifier {
  readonly name: string;
  readonly input: ModifierInput;
  readonly fallback: Dec;
  readonly bands: readonly PlanBand[] | null;
  readonly values: ReadonlyMap<string, Dec> | null;
}

export interface RatingPlan {
  readonly listed: ReadonlyMap<string, PlanControl>;
  /** Listed controls with weight > 0, in table order: in W whether present or not. */
  readonly listedWeighted: readonly PlanControl[];
  readonly categoryWeights: ReadonlyMap<string, Weight>;
  readonly defaultWeight: Weight;
  readonly missingZero: boolean;
  /** null when thirdPartyCredit is 1 (no change). */
  readonly thirdPartyCredit: Dec | null;
  readonly tiers: readonly PlanTier[];
  readonly gates: readonly PlanGate[];
  readonly gatedControls: ReadonlySet<string>;
  readonly modifiers: readonly PlanModifier[];
  readonly factorFloor: Dec | null;
  readonly factorCap: Dec | null;
  readonly indexPlaces: number;
  readonly factorPlaces: number;
}

export function buildPlan(table: WeightingTable): RatingPlan {
  const weightTexts = [
    ...table.controls.map((control) => control.weight),
    ...Object.values(table.categoryWeights),
    table.defaultWeight,
  ];
  const weightPlaces = Math.max(...weightTexts.map((text) => dec(text).s));
  const weight = (text: string): Weight => ({ scaled: scaledTo(dec(text), weightPlaces), text });
  const listed = new Map<string, PlanControl>(
    table.controls.map((control) => [
      control.name,
      {
        name: control.name,
        weight: weight(control.weight),
        maxScore: control.maxScore === null ? null : dec(control.maxScore),
      },
    ]),
  );
  const tierNames = table.tiers.map((tier) => tier.tier);
  const credit = dec(table.adoption.thirdPartyCredit);
  return {
    listed,
    listedWeighted: [...listed.values()].filter((control) => control.weight.scaled > 0n),
    categoryWeights: new Map(
      Object.entries(table.categoryWeights).map(([category, text]) => [category, weight(text)]),
    ),
    defaultWeight: weight(table.defaultWeight),
    missingZero: table.adoption.missing === 'zero',
    thirdPartyCredit: canonicalText(credit) === '1' ? null : credit,
    tiers: table.tiers.map((tier) => ({
      name: tier.tier,
      threshold: indexThreshold(dec(tier.minIndex), table.rounding.index),
      factor: dec(tier.factor),
      decision: rankOf(tier.decision),
    })),
    gates: table.gates.map((gate) => ({
      control: gate.control,
      minAdoption: dec(gate.minAdoption),
      capTier: gate.capTier === null ? -1 : tierNames.indexOf(gate.capTier),
      decision: rankOf(gate.decision),
      reason: gate.reason,
    })),
    gatedControls: new Set(table.gates.map((gate) => gate.control)),
    modifiers: table.modifiers.map((modifier) => ({
      name: modifier.name,
      input: modifier.input,
      fallback: dec(modifier.default),
      bands:
        'bands' in modifier
          ? modifier.bands.map((band) => ({
              upTo: band.upTo === null ? null : dec(band.upTo),
              factor: dec(band.factor),
              decision: band.decision === null ? null : rankOf(band.decision),
              reason: band.reason,
            }))
          : null,
      values:
        'values' in modifier
          ? new Map(Object.entries(modifier.values).map(([slug, f]) => [slug, dec(f)]))
          : null,
    })),
    factorFloor: table.factorFloor === null ? null : dec(table.factorFloor),
    factorCap: table.factorCap === null ? null : dec(table.factorCap),
    indexPlaces: table.rounding.index,
    factorPlaces: table.rounding.factor,
  };
}

/** The least rounded index (an integer at `places` decimal places) that is >= minIndex. */
function indexThreshold(minIndex: Dec, places: number): bigint {
  return ceilDiv(minIndex.n * pow10(places), pow10(minIndex.s));
}
