import { describe, expect, it } from '@jest/globals';
import { Decimal } from 'decimal.js';
import fc from 'fast-check';
import { fitsInDoubles } from './explanations.js';
import { compileTable, rate, weigh, type CompiledTable } from './rate.js';
import { context, snapshot, tableDocument } from './rating-arbitraries.spec-helper.js';
import { validTable } from './rating-fixtures.spec-helper.js';
import type { Rating, RatingContext, RatingSnapshot } from './rating.types.js';
import { referenceRate } from './reference-rate.spec-helper.js';

const RUNS = { numRuns: 300, seed: 20270101 };
const RANK = { accept: 0, refer: 1, decline: 2 };

function usesExactPath(snap: RatingSnapshot, table: CompiledTable, ctx: RatingContext): boolean {
  const { members, sums } = weigh(snap, table.plan, ctx);
  return sums !== null && !fitsInDoubles(table.plan, members, sums);
}

function tierIndex(rating: Rating, tiers: { tier: string }[]): number {
  return tiers.findIndex((tier) => tier.tier === rating.tier);
}

describe('rate: properties (fast-check, fixed seeds)', () => {
  it('equals the plain decimal.js reference, field for field, improvements included', () => {
    let fast = 0;
    fc.assert(
      fc.property(tableDocument(), snapshot, context, (doc, snap, ctx) => {
        const table = validTable(doc);
        const compiled = compileTable(table, 'sha');
        const expected = referenceRate(snap, table, 'sha', ctx);
        expect(rate(snap, compiled, ctx)).toStrictEqual(expected);
        if (expected.contributions.length > 0 && !usesExactPath(snap, compiled, ctx)) fast++;
      }),
      { ...RUNS, numRuns: 400 },
    );
    // The property must exercise the double path, the one real snapshots take.
    expect(fast).toBeGreaterThan(100);
  });

  it('equals the reference with weights of up to 16 places, whose integers outgrow doubles', () => {
    let exact = 0;
    fc.assert(
      fc.property(tableDocument(false, true), snapshot, context, (doc, snap, ctx) => {
        const table = validTable(doc);
        const compiled = compileTable(table, 'sha');
        const expected = referenceRate(snap, table, 'sha', ctx);
        expect(rate(snap, compiled, ctx)).toStrictEqual(expected);
        if (expected.contributions.length > 0 && usesExactPath(snap, compiled, ctx)) exact++;
      }),
      { ...RUNS, seed: RUNS.seed + 6 },
    );
    // The property must exercise the BigInt path, not only the double one.
    expect(exact).toBeGreaterThan(RUNS.numRuns / 4);
  });

  it('does not depend on the order of controlScores', () => {
    const shuffled = snapshot.chain((snap) =>
      fc
        .shuffledSubarray([...snap.controlScores], {
          minLength: snap.controlScores.length,
          maxLength: snap.controlScores.length,
        })
        .map((controlScores): [RatingSnapshot, RatingSnapshot] => [
          snap,
          { ...snap, controlScores },
        ]),
    );
    fc.assert(
      fc.property(tableDocument(), shuffled, context, (doc, [snap, reordered], ctx) => {
        const table = compileTable(validTable(doc), 'sha');
        expect(rate(reordered, table, ctx)).toStrictEqual(rate(snap, table, ctx));
      }),
      { ...RUNS, seed: RUNS.seed + 1 },
    );
  });

  it('keeps every index in [0, 100] and every factor within the rounded floor and cap', () => {
    fc.assert(
      fc.property(tableDocument(), snapshot, context, (doc, snap, ctx) => {
        const table = validTable(doc);
        const rating = rate(snap, compileTable(table, 'sha'), ctx);
        const places = table.rounding.factor;
        const floor =
          table.factorFloor &&
          new Decimal(table.factorFloor).toDecimalPlaces(places, Decimal.ROUND_HALF_UP);
        const cap =
          table.factorCap &&
          new Decimal(table.factorCap).toDecimalPlaces(places, Decimal.ROUND_HALF_UP);
        for (const result of [rating, ...rating.improvements]) {
          if (result.index === null || result.factor === null) continue;
          expect(new Decimal(result.index).gte(0) && new Decimal(result.index).lte(100)).toBe(true);
          if (floor) expect(new Decimal(result.factor).gte(floor)).toBe(true);
          if (cap) expect(new Decimal(result.factor).lte(cap)).toBe(true);
          // Not > 0: rounding.factor 0 rounds a factor below 0.5 to "0".
          expect(new Decimal(result.factor).gte(0)).toBe(true);
        }
      }),
      { ...RUNS, seed: RUNS.seed + 2 },
    );
  });

  it('gives identical results across repeated calls and recompilations', () => {
    fc.assert(
      fc.property(tableDocument(), snapshot, context, (doc, snap, ctx) => {
        const table = validTable(doc);
        const compiled = compileTable(table, 'sha');
        const first = JSON.stringify(rate(snap, compiled, ctx));
        expect(JSON.stringify(rate(snap, compiled, ctx))).toBe(first);
        expect(JSON.stringify(rate(snap, compileTable(validTable(doc), 'sha'), ctx))).toBe(first);
      }),
      { ...RUNS, seed: RUNS.seed + 3 },
    );
  });

  it('never worsens tier, factor or decision when one control adoption rises', () => {
    const raise = fc.tuple(
      fc.nat(),
      fc.integer({ min: 0, max: 10_000 }),
      fc.integer({ min: 0, max: 10_000 }),
    );
    fc.assert(
      fc.property(tableDocument(true), snapshot, context, raise, (doc, snap, ctx, [pick, x, y]) => {
        const table = validTable(doc);
        const compiled = compileTable(table, 'sha');
        const names = [
          ...snap.controlScores.map((s) => s.controlName),
          ...table.controls.map((c) => c.name),
        ];
        if (names.length === 0) return;
        const control = names[pick % names.length];
        const at = (hundredths: number): RatingSnapshot => ({
          ...snap,
          controlScores: [
            ...snap.controlScores.filter((s) => s.controlName !== control),
            {
              controlName: control,
              controlCategory: 'Identity',
              score: null,
              maxScore: null,
              scoreInPercentage: String(hundredths / 100),
            },
          ],
        });
        const low = rate(at(Math.min(x, y)), compiled, ctx);
        const high = rate(at(Math.max(x, y)), compiled, ctx);
        expectNoWorse(high, low, table.tiers);
      }),
      { ...RUNS, seed: RUNS.seed + 4 },
    );
  });

  it('never worsens tier, factor or decision when a listed control goes from missing to present (missing: zero)', () => {
    const zeroTable = tableDocument(true).map((doc) => ({ ...doc, adoption: { missing: 'zero' } }));
    fc.assert(
      fc.property(
        zeroTable,
        snapshot,
        context,
        fc.nat(),
        fc.integer({ min: 0, max: 100 }),
        (doc, snap, ctx, pick, pct) => {
          const table = validTable(doc);
          if (table.controls.length === 0) return;
          const compiled = compileTable(table, 'sha');
          const control = table.controls[pick % table.controls.length].name;
          const without = {
            ...snap,
            controlScores: snap.controlScores.filter((s) => s.controlName !== control),
          };
          const present: RatingSnapshot = {
            ...without,
            controlScores: [
              ...without.controlScores,
              {
                controlName: control,
                controlCategory: null,
                score: null,
                maxScore: null,
                scoreInPercentage: String(pct),
              },
            ],
          };
          expectNoWorse(rate(present, compiled, ctx), rate(without, compiled, ctx), table.tiers);
        },
      ),
      { ...RUNS, seed: RUNS.seed + 5 },
    );
  });
});

function expectNoWorse(better: Rating, worse: Rating, tiers: { tier: string }[]): void {
  expect(RANK[better.decision]).toBeLessThanOrEqual(RANK[worse.decision]);
  if (better.factor === null || worse.factor === null) {
    expect(better.factor).toBe(worse.factor);
    return;
  }
  expect(tierIndex(better, tiers)).toBeLessThanOrEqual(tierIndex(worse, tiers));
  expect(new Decimal(better.factor).lte(worse.factor)).toBe(true);
}
