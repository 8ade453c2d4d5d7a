import type { RatingSnapshot } from '../rating/rating.types.js';
import type { NormalizedSnapshot } from './graph/secure-score-payload.parser.js';
import type { SecureScoreSnapshotEntity } from './secure-score-snapshot.entity.js';

/** The columns of a stored snapshot the rating reads (decimals stay strings from `pg`). */
export type StoredSnapshotColumns = Pick<
  SecureScoreSnapshotEntity,
  | 'id'
  | 'createdDateTime'
  | 'activeUserCount'
  | 'licensedUserCount'
  | 'controlNames'
  | 'controlCategories'
  | 'controlScores'
  | 'controlScorePercentages'
  | 'controlMaxScores'
>;

/**
 * The one mapping from a Secure Score snapshot to the pure rating's input, for a snapshot just
 * parsed from a request (its id is Graph's, when it has one) or one stored (its id is ours), so
 * `/v1/rate`, the CLI, assessments and portfolio runs rate exactly the same numbers.
 */
export function toRatingSnapshot(
  source: NormalizedSnapshot | StoredSnapshotColumns,
): RatingSnapshot {
  if ('controlNames' in source) return fromStored(source);
  return {
    id: source.graphId,
    createdDateTime: source.createdDateTime,
    activeUserCount: source.activeUserCount,
    licensedUserCount: source.licensedUserCount,
    controlScores: source.controlScores.map((c) => ({
      controlName: c.controlName,
      controlCategory: c.controlCategory,
      score: c.score,
      scoreInPercentage: c.scoreInPercentage,
      maxScore: c.maxScore,
    })),
  };
}

function fromStored(row: StoredSnapshotColumns): RatingSnapshot {
  return {
    id: row.id,
    createdDateTime: row.createdDateTime.toISOString(),
    activeUserCount: row.activeUserCount,
    licensedUserCount: row.licensedUserCount,
    controlScores: row.controlNames.map((controlName, i) => ({
      controlName,
      controlCategory: row.controlCategories[i],
      score: row.controlScores[i],
      scoreInPercentage: row.controlScorePercentages[i],
      maxScore: row.controlMaxScores[i],
    })),
  };
}
