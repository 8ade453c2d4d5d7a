import type { ValidationIssue } from './schema-validation.js';

export type { ValidationIssue };

/**
 * Where a snapshot came from: Graph v1.0 (2019 onwards, also today's beta), the first Graph
 * beta (2018: `averageScoreByScopes`), or the Office 365 report rows (2017: `tenantId`,
 * `createdDate`, `referenceId`).
 */
export const SOURCE_SHAPES = ['graph-v1', 'graph-beta-2018', 'o365-report-2017'] as const;
export type SourceShape = (typeof SOURCE_SHAPES)[number];

export interface NormalizedControlScore {
  /** Graph `controlName`, or the 2017 `referenceId`; the join key to a profile `id`. */
  controlName: string;
  controlCategory: string | null;
  /** Decimal text: `String(n)` of the JSON number (`9.0` and `9` are both "9"; -0 is "0"). */
  score: string | null;
  /** Decimal text 0..100, or null when absent (it is absent before 2024). */
  scoreInPercentage: string | null;
  /** The control score's own maximum (only 2017 report rows carry one), else null. */
  maxScore: string | null;
  description: string | null;
}

/** One Secure Score snapshot, whatever shape it came in. */
export interface NormalizedSnapshot {
  sourceShape: SourceShape;
  /** Graph `id` (`<azureTenantId>_<YYYY-MM-DD>`); the 2017 rows have none. */
  graphId: string | null;
  /** Graph `azureTenantId`, or the 2017 `tenantId`. */
  azureTenantId: string;
  /** UTC `YYYY-MM-DDTHH:mm:ss.sssZ` (a 2017 `createdDate` day is its midnight UTC). */
  createdDateTime: string;
  activeUserCount: number | null;
  licensedUserCount: number | null;
  /** Decimal texts (2017: `secureScore`, `maxSecureScore`). */
  currentScore: string | null;
  maxScore: string | null;
  enabledServices: string[];
  /**
   * Each entry as received with `basis` (2018: `scope`) and `averageScore` normalised: `basis`
   * a string or null, `averageScore` decimal text or null (the 2018 sentinel -1 becomes null).
   * Empty for the 2017 rows, whose averages are points, not the percentages Graph sends.
   */
  averageComparativeScores: unknown[];
  controlScores: NormalizedControlScore[];
  /** The snapshot object exactly as received (same reference), unknown fields included. */
  raw: unknown;
  /** Where it sits in the body: "" or "/value/3" (or "/3" in an array of rows). */
  pointer: string;
}

export type ParseResult =
  | { ok: true; snapshots: NormalizedSnapshot[] }
  | {
      ok: false;
      errors: ValidationIssue[];
      /** Every issue is an error body sent in place of data (`{"PSError": ...}`, Graph's `error`). */
      sourceError: boolean;
    };
