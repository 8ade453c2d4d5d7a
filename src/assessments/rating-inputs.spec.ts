import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { isDeepStrictEqual } from 'node:util';
import { compileTable, rate } from '../rating/rate.js';
import { context, snapshot, tableDocument } from '../rating/rating-arbitraries.spec-helper.js';
import { validTable } from '../rating/rating-fixtures.spec-helper.js';
import { catalogSubset } from './rating-inputs.js';

describe('catalogSubset', () => {
  it('keeps every catalog entry a rating reads: rating with it equals rating with all', () => {
    let consulted = 0;
    fc.assert(
      fc.property(tableDocument(), snapshot, context, (doc, snap, ctx) => {
        const table = compileTable(validTable(doc), 'sha');
        const subset = catalogSubset(ctx.catalogMaxScores, snap);
        const replay = { ...ctx, catalogMaxScores: new Map(Object.entries(subset)) };
        expect(rate(snap, table, replay)).toStrictEqual(rate(snap, table, ctx));
        // A rating that read an entry changes without it: the subset is not trivially empty.
        const without = { ...ctx, catalogMaxScores: new Map<string, string>() };
        if (!isDeepStrictEqual(rate(snap, table, without), rate(snap, table, ctx))) consulted++;
      }),
      { numRuns: 400, seed: 20271202 },
    );
    expect(consulted).toBeGreaterThan(20);
  });

  it('leaves out controls whose own percentage or maxScore decides their adoption', () => {
    const catalog = new Map([
      ['WithPercentage', '10'],
      ['WithMaxScore', '10'],
      ['ScoreOnly', '10'],
      ['NotDecimal', '10'],
    ]);
    const subset = catalogSubset(catalog, {
      id: null,
      createdDateTime: '2026-01-01T00:00:00Z',
      activeUserCount: null,
      licensedUserCount: null,
      controlScores: [
        {
          controlName: 'WithPercentage',
          controlCategory: null,
          score: '1',
          scoreInPercentage: '10',
          maxScore: null,
        },
        {
          controlName: 'WithMaxScore',
          controlCategory: null,
          score: '1',
          scoreInPercentage: null,
          maxScore: '5',
        },
        {
          controlName: 'ScoreOnly',
          controlCategory: null,
          score: '1',
          scoreInPercentage: null,
          maxScore: null,
        },
        {
          controlName: 'NotDecimal',
          controlCategory: null,
          score: '1',
          scoreInPercentage: 'NaN',
          maxScore: 'n/a',
        },
        {
          controlName: 'NotInCatalog',
          controlCategory: null,
          score: '1',
          scoreInPercentage: null,
          maxScore: null,
        },
      ],
    });
    expect(subset).toEqual({ ScoreOnly: '10', NotDecimal: '10' });
  });
});
