// Domain types of the pure rating core (rating-spec.md). Plain types and string-literal unions only.

export type Decision = 'accept' | 'refer' | 'decline';
export type ControlState = 'Default' | 'Ignored' | 'ThirdParty' | 'Reviewed';

export interface RatingControlScore {
  controlName: string;
  controlCategory: string | null;
  /** Decimal text, e.g. "7.84". */
  score: string | null;
  /** Decimal text 0..100, or null when absent. */
  scoreInPercentage: string | null;
  /** The control score's own max (2017 report shape), else null. */
  maxScore: string | null;
}

export interface RatingSnapshot {
  id: string | null;
  /** ISO-8601 instant. */
  createdDateTime: string;
  activeUserCount: number | null;
  licensedUserCount: number | null;
  controlScores: readonly RatingControlScore[];
}

export interface RatingContext {
  /** ISO-8601 instant. */
  asOf: string;
  industry: string | null;
  /** Latest state per control name. */
  controlStates: Readonly<Record<string, ControlState>>;
  /** Control name -> catalog maxScore decimal text. */
  catalogMaxScores: ReadonlyMap<string, string>;
}

export interface RatingContribution {
  control: string;
  weight: string;
  adoption: string;
  contribution: string;
  gap: string;
}

export interface RatingImprovement {
  control: string;
  index: string | null;
  tier: string | null;
  factor: string | null;
  decision: Decision;
}

/** Spec §5; decimals are strings with exactly the stated places. */
export interface Rating {
  index: string | null;
  tier: string | null;
  factor: string | null;
  decision: Decision;
  reasons: string[];
  table: { name: string; version: string; sha256: string };
  asOf: string;
  snapshot: { id: string | null; createdDateTime: string };
  missingControls: string[];
  contributions: RatingContribution[];
  improvements: RatingImprovement[];
}

// The validated weighting table (spec §1 and §4). Every default is filled in and every decimal is
// its canonical text (plain notation, no trailing fractional zeros: "0.80" and 0.8 both read "0.8").

export type AdoptionMissing = 'zero' | 'exclude';
export type ModifierInput =
  'activeUserCount' | 'licensedUserCount' | 'snapshotAgeDays' | 'industry';
export type NumericModifierInput = Exclude<ModifierInput, 'industry'>;

export interface TableControl {
  name: string;
  weight: string;
  maxScore: string | null;
}

export interface TableTier {
  tier: string;
  minIndex: string;
  factor: string;
  decision: Decision;
}

export interface TableGate {
  control: string;
  minAdoption: string;
  capTier: string | null;
  decision: Decision;
  reason: string;
}

export interface ModifierBand {
  /** null on the last band (the catch-all). */
  upTo: string | null;
  factor: string;
  /** null when the band adds no decision (and therefore no reason). */
  decision: Decision | null;
  /** The reason added with `decision`; null exactly when `decision` is null. */
  reason: string | null;
}

export interface BandsModifier {
  name: string;
  input: NumericModifierInput;
  default: string;
  bands: ModifierBand[];
}

export interface ValuesModifier {
  name: string;
  input: 'industry';
  default: string;
  values: Record<string, string>;
}

export type TableModifier = BandsModifier | ValuesModifier;

export interface WeightingTable {
  name: string;
  version: string;
  effectiveFrom: string;
  effectiveTo: string | null;
  description: string | null;
  adoption: { missing: AdoptionMissing; thirdPartyCredit: string };
  controls: TableControl[];
  categoryWeights: Record<string, string>;
  defaultWeight: string;
  tiers: TableTier[];
  gates: TableGate[];
  modifiers: TableModifier[];
  factorFloor: string | null;
  factorCap: string | null;
  rounding: { index: number; factor: number };
}

/** One rule a document breaks: an RFC 6901 JSON pointer ("" for the root) and a message. */
export interface TableViolation {
  pointer: string;
  message: string;
}
