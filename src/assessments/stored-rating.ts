import type { ValueTransformer } from 'typeorm';
import type { Rating, RatingContribution, RatingImprovement } from '../rating/rating.types.js';

/**
 * The rating as an assessment stores it: spec §5 field for field, except that `contributions`
 * and `improvements` are kept as columns (one array per field, in the rating's order) rather
 * than as one object per control. A 100-control rating is 26 KB as objects and 16 KB as
 * columns; PostgreSQL compresses and WAL-logs every byte of it for every assessment a portfolio
 * run files, which made the key names the largest single cost of a run. Reading an assessment
 * expands the columns back into the exact §5 document (same values, same order); rows filed
 * before this layout (arrays of objects) read unchanged.
 */
export interface StoredRating extends Omit<Rating, 'contributions' | 'improvements'> {
  contributions: Columns<RatingContribution>;
  improvements: Columns<RatingImprovement>;
}

type Columns<T> = { [K in keyof T]: T[K][] };

const CONTRIBUTION_FIELDS = ['control', 'weight', 'adoption', 'contribution', 'gap'] as const;
const IMPROVEMENT_FIELDS = ['control', 'index', 'tier', 'factor', 'decision'] as const;

export function toStoredRating(rating: Rating): StoredRating {
  return {
    ...rating,
    contributions: toColumns(rating.contributions, CONTRIBUTION_FIELDS),
    improvements: toColumns(rating.improvements, IMPROVEMENT_FIELDS),
  };
}

export function fromStoredRating(stored: StoredRating | Rating): Rating {
  // Arrays: written before the column layout, already the §5 document.
  if (Array.isArray(stored.contributions) && Array.isArray(stored.improvements))
    return stored as Rating;
  const columns = stored as StoredRating;
  return {
    ...columns,
    contributions: fromColumns(columns.contributions, CONTRIBUTION_FIELDS),
    improvements: fromColumns(columns.improvements, IMPROVEMENT_FIELDS),
  };
}

/** The `assessments.rating` column: §5 in the entity, the column layout in the database. */
export const storedRatingTransformer: ValueTransformer = {
  to: (rating: Rating | undefined) => (rating === undefined ? undefined : toStoredRating(rating)),
  from: (stored: StoredRating | Rating | null) =>
    stored === null ? null : fromStoredRating(stored),
};

function toColumns<T, K extends keyof T>(rows: readonly T[], fields: readonly K[]): Columns<T> {
  const columns = {} as Columns<T>;
  for (const field of fields) columns[field] = rows.map((row) => row[field]);
  return columns;
}

function fromColumns<T, K extends keyof T>(columns: Columns<T>, fields: readonly K[]): T[] {
  const rows: T[] = [];
  const count = columns[fields[0]].length;
  for (let i = 0; i < count; i++) {
    const row = {} as T;
    for (const field of fields) row[field] = columns[field][i];
    rows.push(row);
  }
  return rows;
}
