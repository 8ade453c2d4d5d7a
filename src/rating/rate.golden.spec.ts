import { describe, expect, it } from '@jest/globals';
import fs from 'node:fs';
import path from 'node:path';
import { rate } from './rate.js';
import { catalogMaxScores, exampleTable, fixtureSnapshot } from './rating-fixtures.spec-helper.js';
import type { Rating, RatingContext } from './rating.types.js';
import { referenceRate } from './reference-rate.spec-helper.js';

// Spec §6: the two worked examples, field for field, and as whole golden ratings. The golden files
// were checked against an independent exact-fraction computation when they were written.
function golden(name: string): Rating {
  const file = path.resolve(
    process.cwd(),
    'src/rating/golden',
    `${name}.sme-cyber-2027.1.rating.json`,
  );
  return JSON.parse(fs.readFileSync(file, 'utf8')) as Rating;
}

function context(asOf: string): RatingContext {
  return { asOf, industry: 'healthcare', controlStates: {}, catalogMaxScores: catalogMaxScores() };
}

describe('rating-spec §6 worked examples', () => {
  const table = exampleTable();

  describe('heimdall2: the real 68-control snapshot at 2024-01-20 for healthcare', () => {
    const snapshot = fixtureSnapshot('heimdall2.secureScore.json');
    const rating = rate(snapshot, table, context('2024-01-20T00:00:00Z'));

    it('rates index 70.59, tier B, factor 1.0800 (0.90 × 1.00 × 1.00 × 1.20), accept', () => {
      expect(rating.index).toBe('70.59');
      expect(rating.tier).toBe('B');
      expect(rating.factor).toBe('1.0800');
      expect(rating.decision).toBe('accept');
      expect(rating.reasons).toEqual([]);
    });

    it('misses scid_2010 only, the largest gap at 7.8431', () => {
      expect(rating.missingControls).toEqual(['scid_2010']);
      expect(rating.contributions[0]).toEqual({
        control: 'scid_2010',
        weight: '6',
        adoption: '0.0000',
        contribution: '0.0000',
        gap: '7.8431',
      });
    });

    it('echoes the table, asOf and snapshot', () => {
      expect(rating.table).toEqual({
        name: 'sme-cyber',
        version: '2027.1',
        sha256: 'example-sha256',
      });
      expect(rating.asOf).toBe('2024-01-20T00:00:00Z');
      expect(rating.snapshot).toEqual({
        id: '12345678-1234-1234-1234-1234567890abcd_2024-01-01',
        createdDateTime: '2024-01-01T00:00:00Z',
      });
    });

    it('equals the golden rating and the reference implementation', () => {
      expect(rating).toEqual(golden('heimdall2'));
      expect(rating).toStrictEqual(
        referenceRate(snapshot, table.table, 'example-sha256', context('2024-01-20T00:00:00Z')),
      );
    });
  });

  describe('graph2otel: the 5-control live capture at 2026-07-20 for healthcare', () => {
    const snapshot = fixtureSnapshot('graph2otel.liveScores.json');
    const rating = rate(snapshot, table, context('2026-07-20T00:00:00Z'));

    it('rates index 30.08, band tier E, the admin MFA gate, factor 1.9200 (1.60 × 1.20), decline', () => {
      expect(rating.index).toBe('30.08');
      expect(rating.tier).toBe('E');
      expect(rating.reasons).toEqual(['ADMIN_MFA_NOT_ENFORCED']);
      expect(rating.factor).toBe('1.9200');
      expect(rating.decision).toBe('decline');
    });

    it('has AdminMFAV2 as its best single improvement: tier D, factor 1.5000, refer', () => {
      expect(rating.improvements[0]).toEqual({
        control: 'AdminMFAV2',
        index: '46.34',
        tier: 'D',
        factor: '1.5000',
        decision: 'refer',
      });
    });

    it('equals the golden rating and the reference implementation', () => {
      expect(rating).toEqual(golden('graph2otel'));
      expect(rating).toStrictEqual(
        referenceRate(snapshot, table.table, 'example-sha256', context('2026-07-20T00:00:00Z')),
      );
    });
  });
});
