import { canonicalSha256 } from '../common/canonical-json.js';
import type { FieldViolation } from '../common/errors/domain-error.js';
import { type JsonErrorFields, tryParseJsonStrict } from '../common/json/hardened-json.parser.js';
import { parseInstant } from '../rating/instant.js';
import type { ControlState, RatingSnapshot, WeightingTable } from '../rating/rating.types.js';
import { validateWeightingTable } from '../rating/weighting-table.validation.js';
import { parseSecureScorePayload } from '../secure-scores/graph/secure-score-payload.parser.js';
import { toRatingSnapshot } from '../secure-scores/rating-input.js';
import {
  INDUSTRY_SLUG,
  TABLE_NAME_PATTERN,
  TABLE_VERSION_PATTERN,
  TABLE_VERSION_RULE,
} from '../common/identifiers.js';

export const CONTROL_STATES: readonly ControlState[] = [
  'Default',
  'Ignored',
  'ThirdParty',
  'Reviewed',
];
const FIELDS = new Set(['snapshot', 'table', 'asOf', 'industry', 'controlStates']);
const MAX_CONTROL_STATES = 5_000;
const MAX_CONTROL_NAME = 256;

/** A stored version named, or a whole document with the SHA-256 of its canonical JSON. */
export type RateTable =
  | { kind: 'reference'; name: string; version?: string }
  | { kind: 'document'; table: WeightingTable; sha256: string };

/**
 * `POST /v1/rate`, checked: exactly one snapshot, a table reference or a valid document. Plain
 * data holding only what the rating reads (not the snapshot as sent), so that it crosses from a
 * rate thread by structured clone, cheaply.
 */
export interface RateRequest {
  snapshot: RatingSnapshot;
  table: RateTable;
  asOf: Date;
  industry: string | null;
  controlStates: Record<string, ControlState>;
}

export type RateRequestResult =
  { ok: true; request: RateRequest } | { ok: false; errors: FieldViolation[] };

/** What the body of `POST /v1/rate` comes to before the table is resolved (see RateRequestChecker). */
export type RateBodyResult =
  | { kind: 'checked'; request: RateRequest }
  | { kind: 'malformed-json'; error: JsonErrorFields }
  | { kind: 'invalid'; errors: FieldViolation[] };

/**
 * The CPU-bound part of `POST /v1/rate`: the body's bytes decoded and strictly parsed, then
 * `parseRateRequest`. Pure; `now` is the default `asOf`.
 */
export function checkRateBody(input: Uint8Array, maxDepth: number, now: Date): RateBodyResult {
  const body = tryParseJsonStrict(input, maxDepth);
  if (!body.ok) return { kind: 'malformed-json', error: body.error };
  const parsed = parseRateRequest(body.value, now);
  return parsed.ok
    ? { kind: 'checked', request: parsed.request }
    : { kind: 'invalid', errors: parsed.errors };
}

/**
 * Checks a rating request in one pass and lists every violation: the snapshot exactly as ingestion
 * checks it (pointers under /snapshot), an inline table exactly as the table routes do (under
 * /table), and the small envelope around them. Unknown fields are violations too.
 */
export function parseRateRequest(body: unknown, now: Date): RateRequestResult {
  const errors: FieldViolation[] = [];
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, errors: [{ pointer: '', message: 'must be an object' }] };
  }
  const fields = body as Record<string, unknown>;
  for (const key of Object.keys(fields)) {
    if (!FIELDS.has(key))
      errors.push({ pointer: `/${escape(key)}`, message: 'is not a known field' });
  }
  const snapshot = parseSnapshot(fields.snapshot, errors);
  const table = parseTable(fields.table, errors);
  const asOf = parseAsOf(fields.asOf, now, errors);
  const industry = parseIndustry(fields.industry, errors);
  const controlStates = parseControlStates(fields.controlStates, errors);
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    request: { snapshot: snapshot!, table: table!, asOf, industry, controlStates },
  };
}

function parseSnapshot(value: unknown, errors: FieldViolation[]): RatingSnapshot | null {
  if (value === undefined) {
    errors.push({ pointer: '/snapshot', message: 'is required' });
    return null;
  }
  // Parsed at its place in the request, so that pointers in messages ("repeats ... of
  // /snapshot/value/0") point into the request too.
  const parsed = parseSecureScorePayload(value, '/snapshot');
  if (!parsed.ok) {
    errors.push(...parsed.errors);
    return null;
  }
  if (parsed.snapshots.length !== 1) {
    const message = `must hold exactly one snapshot, not ${parsed.snapshots.length}`;
    errors.push({ pointer: '/snapshot', message });
    return null;
  }
  return toRatingSnapshot(parsed.snapshots[0]);
}

/** `{name, version?}` names a stored version; any other object is a whole table document. */
function parseTable(value: unknown, errors: FieldViolation[]): RateTable | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const message =
      value === undefined ? 'is required' : 'must be {name, version?} or a table document';
    errors.push({ pointer: '/table', message });
    return null;
  }
  const fields = value as Record<string, unknown>;
  if (Object.keys(fields).every((key) => key === 'name' || key === 'version')) {
    return parseReference(fields, errors);
  }
  const result = validateWeightingTable(fields);
  if (!result.ok) {
    errors.push(
      ...result.errors.map((e) => ({ pointer: `/table${e.pointer}`, message: e.message })),
    );
    return null;
  }
  return { kind: 'document', table: result.table, sha256: canonicalSha256(fields) };
}

function parseReference(
  fields: Record<string, unknown>,
  errors: FieldViolation[],
): RateTable | null {
  const before = errors.length;
  const { name, version } = fields;
  if (typeof name !== 'string' || !TABLE_NAME_PATTERN.test(name)) {
    errors.push({ pointer: '/table/name', message: 'must be a table name like "sme-cyber"' });
  }
  if (
    version !== undefined &&
    (typeof version !== 'string' || !TABLE_VERSION_PATTERN.test(version))
  ) {
    errors.push({
      pointer: '/table/version',
      message: `must be ${TABLE_VERSION_RULE}`,
    });
  }
  if (errors.length > before) return null;
  return version === undefined
    ? { kind: 'reference', name: name as string }
    : { kind: 'reference', name: name as string, version: version as string };
}

function parseAsOf(value: unknown, now: Date, errors: FieldViolation[]): Date {
  if (value === undefined || value === null) return now;
  const instant = typeof value === 'string' ? parseInstant(value) : null;
  const date = typeof value === 'string' ? new Date(value) : null;
  if (instant === null || date === null || Number.isNaN(date.getTime())) {
    errors.push({
      pointer: '/asOf',
      message: 'must be an ISO-8601 date-time with a time zone, e.g. 2026-05-22T00:00:00Z',
    });
    return now;
  }
  // Table intervals are calendar dates of years 1 to 9999; so is asOf, once in UTC.
  const year = date.getUTCFullYear();
  if (year < 1 || year > 9999) {
    errors.push({ pointer: '/asOf', message: 'must fall in the years 1 to 9999 (UTC)' });
    return now;
  }
  return date;
}

function parseIndustry(value: unknown, errors: FieldViolation[]): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string' && INDUSTRY_SLUG.test(value)) return value;
  errors.push({
    pointer: '/industry',
    message: 'must be a lowercase slug like "financial-services"',
  });
  return null;
}

function parseControlStates(
  value: unknown,
  errors: FieldViolation[],
): Record<string, ControlState> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    errors.push({
      pointer: '/controlStates',
      message: 'must be an object of control name -> state',
    });
    return {};
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > MAX_CONTROL_STATES) {
    errors.push({
      pointer: '/controlStates',
      message: `must have at most ${MAX_CONTROL_STATES} entries`,
    });
    return {};
  }
  const states: Record<string, ControlState> = {};
  for (const [control, state] of entries) {
    const pointer = `/controlStates/${escape(control)}`;
    if (control.length === 0 || control.length > MAX_CONTROL_NAME) {
      errors.push({
        pointer,
        message: `a control name must be 1 to ${MAX_CONTROL_NAME} characters`,
      });
    } else if (!(CONTROL_STATES as readonly unknown[]).includes(state)) {
      errors.push({ pointer, message: `must be one of ${CONTROL_STATES.join(', ')}` });
    } else {
      states[control] = state as ControlState;
    }
  }
  return states;
}

/** RFC 6901 escaping of one pointer token. */
function escape(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}
