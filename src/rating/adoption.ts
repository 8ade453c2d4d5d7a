// Spec §3 steps 2 and 4: the adoption of one control score, as an exact ratio n/d.
import { parseDecimal, pow10, type Dec } from './decimal.js';
import type { RatingControlScore } from './rating.types.js';

/** n / d with d > 0. */
export interface Ratio {
  readonly n: bigint;
  readonly d: bigint;
}

export const NO_ADOPTION: Ratio = { n: 0n, d: 1n };
export const FULL_ADOPTION: Ratio = { n: 1n, d: 1n };

// Snapshot decimals repeat a lot ("100", "0", "8"): parsing each distinct text once is a pure
// memo (same text, same decimal), bounded so that it cannot grow without limit.
const parsed = new Map<string, Dec | null>();
const PARSED_LIMIT = 10_000;

/** The decimal of a snapshot or catalog value; null when absent or not a decimal number. */
export function snapshotDecimal(text: string | null | undefined): Dec | null {
  if (text === null || text === undefined) return null;
  let value = parsed.get(text);
  if (value === undefined) {
    if (parsed.size >= PARSED_LIMIT) parsed.clear();
    value = parseDecimal(text);
    parsed.set(text, value);
  }
  return value;
}

/**
 * a(c) of a present control: scoreInPercentage / 100 when that is a decimal, else score / maxScore
 * with maxScore from the table entry, else the control score's own, else the catalog (the first one
 * given decides; a value that is not a decimal counts as not given); null when unscorable (no
 * score, no maxScore, or maxScore <= 0). Clamped to [0, 1], then times the third-party credit.
 */
export function adoptionOf(
  score: RatingControlScore,
  tableMaxScore: Dec | null,
  catalogMaxScores: ReadonlyMap<string, string>,
  credit: Dec | null,
): Ratio | null {
  const raw = rawAdoption(score, tableMaxScore, catalogMaxScores);
  if (raw === null) return null;
  const clamped = raw.n <= 0n ? NO_ADOPTION : raw.n >= raw.d ? FULL_ADOPTION : raw;
  if (credit === null || clamped.n === 0n) return clamped;
  return { n: clamped.n * credit.n, d: clamped.d * pow10(credit.s) };
}

/**
 * Whether rating this control score can read its catalog maxScore, under any table: only when it
 * has no decimal scoreInPercentage and no decimal maxScore of its own (rawAdoption's order). An
 * assessment keeps just these catalog entries, and its replay reads the same ones.
 */
export function readsCatalogMaxScore(score: RatingControlScore): boolean {
  return (
    snapshotDecimal(score.scoreInPercentage) === null && snapshotDecimal(score.maxScore) === null
  );
}

function rawAdoption(
  score: RatingControlScore,
  tableMaxScore: Dec | null,
  catalogMaxScores: ReadonlyMap<string, string>,
): Ratio | null {
  const percentage = snapshotDecimal(score.scoreInPercentage);
  if (percentage !== null) return { n: percentage.n, d: 100n * pow10(percentage.s) };
  const points = snapshotDecimal(score.score);
  if (points === null) return null;
  const maxScore =
    tableMaxScore ??
    snapshotDecimal(score.maxScore) ??
    snapshotDecimal(catalogMaxScores.get(score.controlName));
  if (maxScore === null || maxScore.n <= 0n) return null;
  // (p / 10^ps) / (m / 10^ms) = p·10^ms / (m·10^ps)
  return { n: points.n * pow10(maxScore.s), d: maxScore.n * pow10(points.s) };
}

/** a < min, exactly. */
export function isBelow(adoption: Ratio, min: Dec): boolean {
  return adoption.n * pow10(min.s) < min.n * adoption.d;
}
