import { describe, expect, it } from '@jest/globals';
import { rate } from './rate.js';
import { catalogMaxScores, exampleTable, fixtureSnapshot } from './rating-fixtures.spec-helper.js';

// Spec §6: the two worked examples, field for field.
describe('rating-spec §6 worked examples', () => {
  it('rates the heimdall2 68-control snapshot at 2024-01-20 for healthcare', () => {
    const rating = rate(fixtureSnapshot('heimdall2.secureScore.json'), exampleTable(), {
      asOf: '2024-01-20T00:00:00Z',
      industry: 'healthcare',
      controlStates: {},
      catalogMaxScores: catalogMaxScores(),
    });
    expect(rating.index).toBe('70.59');
    expect(rating.tier).toBe('B');
    expect(rating.factor).toBe('1.0800');
    expect(rating.decision).toBe('accept');
    expect(rating.reasons).toEqual([]);
    expect(rating.missingControls).toEqual(['scid_2010']);
    expect(rating.contributions[0]).toEqual({
      control: 'scid_2010',
      weight: '6',
      adoption: '0.0000',
      contribution: '0.0000',
      gap: '7.8431',
    });
  });

  it('rates the graph2otel 5-control capture at 2026-07-20 for healthcare', () => {
    const rating = rate(fixtureSnapshot('graph2otel.liveScores.json'), exampleTable(), {
      asOf: '2026-07-20T00:00:00Z',
      industry: 'healthcare',
      controlStates: {},
      catalogMaxScores: catalogMaxScores(),
    });
    expect(rating.index).toBe('30.08');
    expect(rating.tier).toBe('E');
    expect(rating.factor).toBe('1.9200');
    expect(rating.decision).toBe('decline');
    expect(rating.reasons).toEqual(['ADMIN_MFA_NOT_ENFORCED']);
    expect(rating.improvements[0]).toEqual({
      control: 'AdminMFAV2',
      index: '46.34',
      tier: 'D',
      factor: '1.5000',
      decision: 'refer',
    });
  });
});
