import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from '@jest/globals';
import { canonicalJson, sha256Hex } from '../common/canonical-json.js';
import { readShared } from '../rating/rating-fixtures.spec-helper.js';
import {
  type NormalizedSnapshot,
  parseSecureScorePayload,
} from './graph/secure-score-payload.parser.js';
import { prepareSnapshot } from './snapshot-writer.js';

const heimdall = (): Record<string, unknown> =>
  (
    readShared('fixtures/securescore/heimdall2.secureScore.json') as {
      value: Record<string, unknown>[];
    }
  ).value[0];

function normalized(payload: unknown): NormalizedSnapshot {
  const result = parseSecureScorePayload(payload);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.snapshots[0];
}

/** A snapshot of `controls` controls whose descriptions are `description`. */
function withDescriptions(controls: number, description: string): NormalizedSnapshot {
  const base = heimdall();
  const template = (base.controlScores as Record<string, unknown>[])[0];
  const controlScores = Array.from({ length: controls }, (_, i) => ({
    ...template,
    controlName: `control_${i}`,
    description,
  }));
  return normalized({ ...base, controlScores });
}

describe('prepareSnapshot', () => {
  it('archives the canonical JSON that the content hash is taken of', () => {
    // The encoded text is a view reused by the next snapshot: each archive must survive the
    // next preparation. Sizes cover the reuse, the scratch growing, and texts too long for it.
    const snapshots = [
      normalized(heimdall()), // ’ and — among ASCII
      withDescriptions(3, 'Zürich — Ελλάδα 😀'),
      withDescriptions(400, 'x'.repeat(400)), // grows the scratch again
      normalized(heimdall()),
      withDescriptions(3_000, 'Überwachung '.repeat(40)), // beyond the 1 MB scratch limit
      withDescriptions(2, 'short'),
    ];
    const prepared = snapshots.map(prepareSnapshot);
    prepared.forEach((snapshot, i) => {
      const archived = gunzipSync(snapshot.rawGzip);
      expect(archived.toString('utf8')).toBe(canonicalJson(snapshots[i].raw));
      expect(sha256Hex(archived)).toBe(snapshot.contentSha256);
    });
  });
});
