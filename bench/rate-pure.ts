import fs from 'node:fs';
import path from 'node:path';
import { Decimal } from 'decimal.js';
import { compileTable, rate, type CompiledTable } from '../src/rating/rate.js';
import type { RatingContext, RatingSnapshot } from '../src/rating/rating.types.js';
import { validateWeightingTable } from '../src/rating/weighting-table.validation.js';
import { generateSnapshot } from './generate.js';
import type { Figure } from './support.js';

const SECONDS = 2;
const CONTROLS = 150;
const SNAPSHOTS = 64;

interface GraphScore {
  controlName: string;
  controlCategory?: string;
  score: number;
  scoreInPercentage: number;
}

/**
 * `rate.pure`: ratings/s of the pure core, one core, on generated 150-control snapshots under the
 * example table (improvements included, about 145 of them per rating). Baseline: the same loop
 * doing nothing but reading each snapshot's decimals into decimal.js, the floor of any
 * "straightforward decimal.js" rating; the ratio is rate.pure / baseline.
 */
export async function benchRatePure(): Promise<Figure[]> {
  const table = exampleTable();
  const context = exampleContext();
  const snapshots = Array.from({ length: SNAPSHOTS }, (_, i) =>
    ratingSnapshot(generateSnapshot(i, CONTROLS)),
  );
  const rated = measure(
    snapshots,
    (snapshot) => rate(snapshot, table, context).improvements.length,
  );
  const parsed = measure(snapshots, parseOnly);
  return [
    {
      name: 'rate.pure',
      value: Math.round(rated),
      unit: 'ratings/s',
      baseline: Math.round(parsed),
      ratio: Math.round((rated / parsed) * 100) / 100,
    },
  ];
}

/** Calls per second over SECONDS, after a short warm-up; the result is consumed. */
function measure(snapshots: RatingSnapshot[], work: (snapshot: RatingSnapshot) => number): number {
  let sink = 0;
  const run = (seconds: number) => {
    let calls = 0;
    const start = process.hrtime.bigint();
    const end = start + BigInt(Math.round(seconds * 1e9));
    let now = start;
    while (now < end) {
      for (let i = 0; i < 16; i++) sink += work(snapshots[(calls + i) % snapshots.length]);
      calls += 16;
      now = process.hrtime.bigint();
    }
    return calls / (Number(now - start) / 1e9);
  };
  run(0.3);
  const rate = run(SECONDS);
  if (sink < 0) throw new Error('unreachable');
  return rate;
}

function parseOnly(snapshot: RatingSnapshot): number {
  let digits = 0;
  for (const score of snapshot.controlScores) {
    if (score.score !== null) digits += new Decimal(score.score).sd();
    if (score.scoreInPercentage !== null) digits += new Decimal(score.scoreInPercentage).sd();
  }
  return digits;
}

function exampleTable(): CompiledTable {
  const file = path.resolve('../shared/examples/weighting-table.sme-cyber-2027.1.json');
  const result = validateWeightingTable(JSON.parse(fs.readFileSync(file, 'utf8')));
  if (!result.ok) throw new Error(`example table rejected: ${JSON.stringify(result.errors)}`);
  return compileTable(result.table, 'bench');
}

function exampleContext(): RatingContext {
  const file = path.resolve('../shared/fixtures/securescore/catalog.json');
  const catalog = JSON.parse(fs.readFileSync(file, 'utf8')) as { id: string; maxScore?: number }[];
  return {
    asOf: '2026-07-20T00:00:00Z',
    industry: 'healthcare',
    controlStates: { AdminMFAV2: 'ThirdParty', mdo_safeattachments: 'ThirdParty' },
    catalogMaxScores: new Map(
      catalog.filter((p) => typeof p.maxScore === 'number').map((p) => [p.id, String(p.maxScore)]),
    ),
  };
}

function ratingSnapshot(graph: Record<string, unknown>): RatingSnapshot {
  return {
    id: graph.id as string,
    createdDateTime: graph.createdDateTime as string,
    activeUserCount: graph.activeUserCount as number,
    licensedUserCount: graph.licensedUserCount as number,
    controlScores: (graph.controlScores as GraphScore[]).map((score) => ({
      controlName: score.controlName,
      controlCategory: score.controlCategory ?? null,
      score: String(score.score),
      scoreInPercentage: String(score.scoreInPercentage),
      maxScore: null,
    })),
  };
}
