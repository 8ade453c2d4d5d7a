// Test helpers: the shared fixtures (../shared relative to the repository root, as in CI) mapped to
// the rating inputs. A tiny Graph mapper of our own; the service's real mapper lives elsewhere.
import fs from 'node:fs';
import path from 'node:path';
import { compileTable, type CompiledTable } from './rate.js';
import type { RatingControlScore, RatingSnapshot, WeightingTable } from './rating.types.js';
import { validateWeightingTable } from './weighting-table.validation.js';

export function sharedPath(relative: string): string {
  return path.resolve(process.cwd(), '../shared', relative);
}

export function readShared(relative: string): unknown {
  return JSON.parse(fs.readFileSync(sharedPath(relative), 'utf8'));
}

/** The parts of a Graph `secureScore` the rating reads. */
export interface GraphSecureScore {
  id?: string;
  createdDateTime: string;
  activeUserCount?: number | null;
  licensedUserCount?: number | null;
  controlScores: {
    controlName: string;
    controlCategory?: string | null;
    score?: number | string | null;
    scoreInPercentage?: number | string | null;
    maxScore?: number | string | null;
  }[];
}

function decimalText(value: unknown): string | null {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return value;
  return null;
}

/** One Graph `secureScore` object as a RatingSnapshot (numbers through String(n)). */
export function graphSnapshot(secureScore: GraphSecureScore): RatingSnapshot {
  return {
    id: secureScore.id ?? null,
    createdDateTime: secureScore.createdDateTime,
    activeUserCount: secureScore.activeUserCount ?? null,
    licensedUserCount: secureScore.licensedUserCount ?? null,
    controlScores: secureScore.controlScores.map((score): RatingControlScore => ({
      controlName: score.controlName,
      controlCategory: score.controlCategory ?? null,
      score: decimalText(score.score),
      scoreInPercentage: decimalText(score.scoreInPercentage),
      maxScore: decimalText(score.maxScore),
    })),
  };
}

export function fixtureSnapshot(file: string): RatingSnapshot {
  const envelope = readShared(`fixtures/securescore/${file}`) as { value: GraphSecureScore[] };
  return graphSnapshot(envelope.value[0]);
}

/** catalog.json as control id -> String(maxScore). */
export function catalogMaxScores(): Map<string, string> {
  const catalog = readShared('fixtures/securescore/catalog.json') as {
    id: string;
    maxScore?: number;
  }[];
  return new Map(
    catalog
      .filter((profile) => typeof profile.maxScore === 'number')
      .map((profile) => [profile.id, String(profile.maxScore)]),
  );
}

export function exampleDocument(): Record<string, unknown> {
  return readShared('examples/weighting-table.sme-cyber-2027.1.json') as Record<string, unknown>;
}

export function validTable(doc: unknown): WeightingTable {
  const result = validateWeightingTable(doc);
  if (!result.ok) throw new Error(`invalid table: ${JSON.stringify(result.errors)}`);
  return result.table;
}

export function exampleTable(): CompiledTable {
  return compileTable(validTable(exampleDocument()), 'example-sha256');
}
