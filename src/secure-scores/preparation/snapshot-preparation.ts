import { isUtf8 } from 'node:buffer';
import { JsonInputError, parseJsonStrict } from '../../common/json/hardened-json.parser.js';
import type { ValidationIssue } from '../graph/schema-validation.js';
import { parseSecureScorePayload } from '../graph/secure-score-payload.parser.js';
import { type PreparedSnapshot, prepareSnapshot } from '../snapshot-writer.js';

/** What a Secure Score body comes to before the database: plain data, so it crosses threads. */
export type PreparationResult =
  | { kind: 'prepared'; snapshots: PreparedSnapshot[] }
  | { kind: 'malformed-json'; error: JsonErrorFields }
  | { kind: 'invalid'; errors: ValidationIssue[]; sourceError: boolean };

export type JsonErrorFields = Pick<JsonInputError, 'code' | 'message' | 'pointer' | 'position'>;

/**
 * The CPU-bound part of ingestion, shared by `POST /v1/secure-scores` (its body's text) and the
 * importer (a document's bytes, decoded here): strict JSON parse, validation, canonical hash,
 * compression and the row. Pure apart from the time it takes (2 ms for a 50 KB
 * snapshot), which is why it runs on ingest threads.
 */
export function prepareSecureScoreBody(
  input: string | Uint8Array,
  maxDepth: number,
): PreparationResult {
  let text: string;
  if (typeof input === 'string') text = input;
  else {
    const bytes = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
    // Refused, not decoded with U+FFFD: a silently altered control name would be stored as sent.
    if (!isUtf8(bytes)) {
      const message = 'The text is not valid UTF-8';
      return {
        kind: 'malformed-json',
        error: { code: 'encoding', message, pointer: null, position: 0 },
      };
    }
    text = bytes.toString('utf8');
  }
  let body: unknown;
  try {
    body = parseJsonStrict(text, maxDepth);
  } catch (error) {
    if (!(error instanceof JsonInputError)) throw error;
    const { code, message, pointer, position } = error;
    return { kind: 'malformed-json', error: { code, message, pointer, position } };
  }
  const parsed = parseSecureScorePayload(body);
  if (!parsed.ok)
    return { kind: 'invalid', errors: parsed.errors, sourceError: parsed.sourceError };
  return { kind: 'prepared', snapshots: parsed.snapshots.map(prepareSnapshot) };
}

export function toJsonInputError(fields: JsonErrorFields): JsonInputError {
  return new JsonInputError(fields.code, fields.message, fields.pointer, fields.position);
}
