import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { compileTable, rate } from '../rating/rate.js';
import { context, snapshot, tableDocument } from '../rating/rating-arbitraries.spec-helper.js';
import {
  catalogMaxScores,
  exampleTable,
  fixtureSnapshot,
  validTable,
} from '../rating/rating-fixtures.spec-helper.js';
import { fromStoredRating, storedRatingTransformer, toStoredRating } from './stored-rating.js';

describe('stored rating', () => {
  const rating = rate(fixtureSnapshot('heimdall2.secureScore.json'), exampleTable(), {
    asOf: '2026-07-20T00:00:00Z',
    industry: 'healthcare',
    controlStates: {},
    catalogMaxScores: catalogMaxScores(),
  });

  it('keeps contributions and improvements as one array per field, in the rating order', () => {
    const stored = toStoredRating(rating);
    expect(stored.contributions.control).toEqual(rating.contributions.map((c) => c.control));
    expect(stored.contributions.gap).toEqual(rating.contributions.map((c) => c.gap));
    expect(stored.improvements.factor).toEqual(rating.improvements.map((i) => i.factor));
    expect(JSON.stringify(stored).length).toBeLessThan(JSON.stringify(rating).length * 0.75);
  });

  it('reads back the exact §5 document, key order included, for any rating', () => {
    fc.assert(
      fc.property(tableDocument(), snapshot, context, (doc, snap, ctx) => {
        const rated = rate(snap, compileTable(validTable(doc), 'sha'), ctx);
        const stored = JSON.parse(JSON.stringify(toStoredRating(rated))) as ReturnType<
          typeof toStoredRating
        >;
        expect(JSON.stringify(fromStoredRating(stored))).toBe(JSON.stringify(rated));
      }),
      { numRuns: 200, seed: 20261202 },
    );
  });

  it('reads a rating stored before the column layout (arrays of objects) unchanged', () => {
    const legacy = JSON.parse(JSON.stringify(rating)) as typeof rating;
    expect(fromStoredRating(legacy)).toStrictEqual(rating);
  });

  it('maps the entity column both ways', () => {
    const written = storedRatingTransformer.to(rating) as ReturnType<typeof toStoredRating>;
    expect(Array.isArray(written.contributions)).toBe(false);
    expect(storedRatingTransformer.from(JSON.parse(JSON.stringify(written)))).toStrictEqual(rating);
    expect(storedRatingTransformer.from(null)).toBeNull();
  });
});
