import type { RatingSnapshot } from '../rating/rating.types.js';
import type { NormalizedSnapshot } from './graph/secure-score-payload.parser.js';

/**
 * The pure rating's input from a snapshot just parsed from a request (`/v1/rate`, the CLI's
 * `rate`): its id is Graph's, when it has one. A stored snapshot is read as text by
 * `assessments/rating-inputs.ts`, which gives the rating the same decimals.
 */
export function toRatingSnapshot(source: NormalizedSnapshot): RatingSnapshot {
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
