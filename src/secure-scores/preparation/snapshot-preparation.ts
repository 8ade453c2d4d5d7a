import {
  type JsonErrorFields,
  tryParseJsonStrict,
} from '../../common/json/hardened-json.parser.js';
import { graphListKind } from '../graph/graph-list-kind.js';
import type { ValidationIssue } from '../graph/schema-validation.js';
import { parseSecureScorePayload } from '../graph/secure-score-payload.parser.js';
import { type PreparedSnapshot, prepareSnapshot } from '../snapshot-writer.js';

/** What a Secure Score body comes to before the database: plain data, so it crosses threads. */
export type PreparationResult =
  | { kind: 'prepared'; snapshots: PreparedSnapshot[] }
  | { kind: 'malformed-json'; error: JsonErrorFields }
  | { kind: 'invalid'; errors: ValidationIssue[]; sourceError: boolean }
  /** Not Secure Scores but a list of control profiles, parsed: the importer takes those too. */
  | { kind: 'control-profiles'; document: unknown };

/**
 * The CPU-bound part of ingestion, shared by `POST /v1/secure-scores` (its body's bytes) and the
 * importer (a document's bytes): UTF-8 decoding, strict JSON parse, validation, canonical hash,
 * compression and the row. Pure apart from the time it takes (2 ms for a 50 KB snapshot), which
 * is why it runs on ingest threads.
 */
export function prepareSecureScoreBody(input: Uint8Array, maxDepth: number): PreparationResult {
  const body = tryParseJsonStrict(input, maxDepth);
  if (!body.ok) return { kind: 'malformed-json', error: body.error };
  const parsed = parseSecureScorePayload(body.value);
  if (!parsed.ok) {
    // Looked at only once the body has failed, so it costs valid snapshots nothing.
    if (graphListKind(body.value) === 'control-profiles')
      return { kind: 'control-profiles', document: body.value };
    return { kind: 'invalid', errors: parsed.errors, sourceError: parsed.sourceError };
  }
  return { kind: 'prepared', snapshots: parsed.snapshots.map(prepareSnapshot) };
}
