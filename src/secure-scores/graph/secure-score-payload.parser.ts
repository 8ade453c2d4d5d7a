import { canonicalJson } from '../../common/canonical-json.js';
import { parseDay, parseInstant } from './date-time.parser.js';
import { LIMITS } from './graph-limits.js';
import { IssueList, pointerTo } from './schema-validation.js';
import { toNormalizedSnapshot } from './secure-score.mapper.js';
import {
  SNAPSHOT_FIELDS,
  SNAPSHOT_VALIDATORS,
  type SnapshotFields,
} from './secure-score.schema.js';
import type {
  NormalizedSnapshot,
  ParseResult,
  SourceShape,
  ValidationIssue,
} from './secure-score.types.js';

export type {
  NormalizedControlScore,
  NormalizedSnapshot,
  ParseResult,
  SourceShape,
  ValidationIssue,
} from './secure-score.types.js';

/**
 * Parses a Secure Score body (already parsed by the hardened JSON parser) into normalised
 * snapshots, or lists every violation of every snapshot with its JSON pointer.
 *
 * Accepted bodies: one snapshot; a Graph list envelope `{"@odata.context"?, "@odata.nextLink"?,
 * "value": [...]}` (links are not followed); or an array of snapshots (PowerShell collectors and
 * the 2017 report emit arrays). Each snapshot may be Graph v1.0, the 2018 beta
 * (`averageScoreByScopes`) or a 2017 report row (`tenantId`, `createdDate`, `referenceId`).
 * Unknown members are never rejected: Graph declares these types open.
 */
export function parseSecureScorePayload(body: unknown, base = ''): ParseResult {
  const issues = new IssueList();
  const snapshots: NormalizedSnapshot[] = [];
  let sourceErrors = 0;
  for (const { value, pointer } of locateSnapshots(body, base, issues)) {
    const wrapper = errorWrapperKey(value);
    if (wrapper !== null) {
      sourceErrors++;
      const error = (value as Record<string, unknown>)[wrapper];
      issues.add(pointerTo(pointer, wrapper), errorWrapperMessage(error));
      continue;
    }
    const snapshot = parseSnapshot(value, pointer, issues);
    if (snapshot !== null) snapshots.push(snapshot);
  }
  checkOnePerInstant(snapshots, issues);
  if (issues.count === 0) return { ok: true, snapshots };
  return { ok: false, errors: issues.result(), sourceError: sourceErrors === issues.count };
}

/**
 * A snapshot is identified by its client tenant and `createdDateTime`: the rating picks "the
 * latest snapshot at or before asOf" by it. Two different snapshots claiming the same instant in
 * one body contradict each other (which one is the tenant's state?), so they are refused, not
 * stored in body order. Identical repeats are fine: the second is a duplicate.
 */
function checkOnePerInstant(snapshots: NormalizedSnapshot[], issues: IssueList): void {
  const first = new Map<string, NormalizedSnapshot>();
  for (const snapshot of snapshots) {
    const key = `${snapshot.azureTenantId}|${snapshot.createdDateTime}`;
    const seen = first.get(key);
    if (!seen) first.set(key, snapshot);
    // Canonical forms only on a collision: the common envelope has none.
    else if (canonicalJson(seen.raw) !== canonicalJson(snapshot.raw)) {
      const field =
        isRecord(snapshot.raw) && 'createdDate' in snapshot.raw ? 'createdDate' : 'createdDateTime';
      issues.add(
        pointerTo(snapshot.pointer, field),
        `repeats the client tenant and instant of ${seen.pointer || '/'} with different content: one snapshot per client tenant and createdDateTime`,
      );
    }
  }
}

const DAY_MS = 86_400_000;

/**
 * The snapshot age limit of `POST /v1/secure-scores` (not of the rating, which prices old
 * snapshots with its snapshotAgeDays modifier, nor of the importer, the backfill path). Graph
 * keeps 90 days of scores, so a live feed never sends older ones: an older snapshot is a replayed
 * archive, and pushed by mistake it would rewrite a client tenant's history. Age is in whole days
 * (as snapshotAgeDays counts it), so a full 90-day list pushed within the day still passes.
 */
export function snapshotAgeIssues(
  snapshots: readonly Pick<NormalizedSnapshot, 'createdDateTime' | 'pointer' | 'sourceShape'>[],
  now: Date,
  maxAgeDays: number,
): ValidationIssue[] {
  const issues = new IssueList();
  for (const snapshot of snapshots) {
    const ageDays = Math.floor((now.getTime() - Date.parse(snapshot.createdDateTime)) / DAY_MS);
    if (ageDays > maxAgeDays) {
      issues.add(
        pointerTo(snapshot.pointer, SNAPSHOT_FIELDS[snapshot.sourceShape].created),
        `is ${ageDays} days old, more than the ${maxAgeDays} days a live feed sends: post history with ?backfill=true or the import command`,
      );
    }
  }
  return issues.result();
}

const GRAPH_KEYS = ['azureTenantId', 'createdDateTime', 'currentScore'];
const REPORT_2017_KEYS = ['tenantId', 'createdDate', 'secureScore', 'maxSecureScore'];
const SNAPSHOT_KEYS = [...GRAPH_KEYS, ...REPORT_2017_KEYS, 'controlScores'];
/** `PSError`: PowerShell collectors; `error`: Graph's own error body. */
const ERROR_WRAPPER_KEYS = ['PSError', 'error', 'Error'];
// Secure Score started in 2016; earlier dates are placeholders such as 0001-01-01.
const EARLIEST_SNAPSHOT = Date.UTC(2016, 0, 1);
const FUTURE_TOLERANCE_MS = 5 * 60_000;

/**
 * The member holding an error that a collector or Graph sent in place of Secure Score data
 * (`{"PSError": "HTTP 403 Forbidden"}`, `{"error": {"code": ..., "message": ...}}`), or null.
 * Exported so the HTTP layer can answer it with its own problem type.
 */
export function errorWrapperKey(value: unknown): string | null {
  if (!isRecord(value) || Object.hasOwn(value, 'value')) return null;
  if (SNAPSHOT_KEYS.some((key) => Object.hasOwn(value, key))) return null;
  return ERROR_WRAPPER_KEYS.find((key) => Object.hasOwn(value, key)) ?? null;
}

/** The snapshots of a body at `base` (the pointer of the body in the request: '' or `/snapshot`). */
function locateSnapshots(
  body: unknown,
  base: string,
  issues: IssueList,
): { value: unknown; pointer: string }[] {
  if (Array.isArray(body)) return elements(body, base, issues);
  if (!isRecord(body)) {
    issues.add(base, 'must be a Secure Score snapshot, a Graph list envelope or an array of them');
    return [];
  }
  if (Object.hasOwn(body, 'value') && !SNAPSHOT_KEYS.some((key) => Object.hasOwn(body, key))) {
    if (Array.isArray(body.value)) return elements(body.value, `${base}/value`, issues);
    issues.add(`${base}/value`, 'must be an array of snapshots');
    return [];
  }
  return [{ value: body, pointer: base }];
}

function elements(items: unknown[], base: string, issues: IssueList) {
  if (items.length === 0) {
    issues.add(base, 'holds no snapshot: an empty list has nothing to ingest');
    return [];
  }
  if (items.length > LIMITS.snapshots) {
    issues.add(base, `must hold at most ${LIMITS.snapshots} snapshots per request`);
    return [];
  }
  return items.map((value, i) => ({ value, pointer: `${base}/${i}` }));
}

function parseSnapshot(value: unknown, at: string, issues: IssueList): NormalizedSnapshot | null {
  if (!isRecord(value)) return issues.add(at, 'must be a Secure Score snapshot object');
  const fields = SNAPSHOT_FIELDS[detectShape(value)];
  const before = issues.count;
  const validate = SNAPSHOT_VALIDATORS[fields.shape];
  if (!validate(value)) issues.addSchemaErrors(validate.errors, at);
  const created = checkCreated(
    value[fields.created],
    pointerTo(at, fields.created),
    fields,
    issues,
  );
  checkScores(value, fields, at, issues);
  checkControls(value.controlScores, fields, pointerTo(at, 'controlScores'), issues);
  checkComparative(value, fields, at, issues);
  if (issues.count !== before || created === null) return null;
  return toNormalizedSnapshot(value, fields, created, at);
}

function detectShape(raw: Record<string, unknown>): SourceShape {
  const has = (key: string) => Object.hasOwn(raw, key);
  if (!GRAPH_KEYS.some(has) && REPORT_2017_KEYS.some(has)) return 'o365-report-2017';
  return has('averageScoreByScopes') ? 'graph-beta-2018' : 'graph-v1';
}

function errorWrapperMessage(error: unknown): string {
  const detail = isRecord(error)
    ? [error.code, error.message].filter((part) => typeof part === 'string').join(': ')
    : typeof error === 'string'
      ? error
      : '';
  const quoted = detail === '' ? '' : ` ("${detail.slice(0, 200)}")`;
  return `is an error reported in place of Secure Score data${quoted}, not a snapshot`;
}

/** The schema checked the type; here the calendar, the zone and the plausible range. */
function checkCreated(
  value: unknown,
  pointer: string,
  fields: SnapshotFields,
  issues: IssueList,
): string | null {
  if (typeof value !== 'string' || value.length > 64) return null; // the schema reported it
  const iso = fields.created === 'createdDate' ? parseDay(value) : parseInstant(value)?.iso;
  if (iso === null || iso === undefined) {
    return issues.add(
      pointer,
      fields.created === 'createdDate'
        ? 'must be a calendar day YYYY-MM-DD, e.g. 2017-01-31'
        : 'must be an ISO-8601 date-time with seconds and a time zone (Z or ±hh:mm) on a real calendar day, e.g. 2026-05-22T00:00:00Z',
    );
  }
  const at = Date.parse(iso);
  if (at < EARLIEST_SNAPSHOT) {
    return issues.add(pointer, 'must not be before 2016-01-01 (Secure Score did not exist yet)');
  }
  // A snapshot from the future would become the latest state and outrank every real one; a
  // few minutes of clock difference between Graph and this server are allowed.
  if (at > Date.now() + FUTURE_TOLERANCE_MS) {
    return issues.add(pointer, 'must not be in the future (more than 5 minutes after now)');
  }
  return iso;
}

// Cross-member rules run only when both members passed their own rules: a negative maxScore
// is one violation, not two.
const validPoints = (value: unknown, max: number): value is number =>
  typeof value === 'number' && value >= 0 && value <= max;

function checkScores(
  raw: Record<string, unknown>,
  fields: SnapshotFields,
  at: string,
  issues: IssueList,
): void {
  const current = raw[fields.currentScore];
  const max = raw[fields.maxScore];
  if (validPoints(current, LIMITS.totalScore) && validPoints(max, LIMITS.totalScore) && max > 0) {
    if (current > max) {
      issues.add(pointerTo(at, fields.currentScore), `must not exceed ${fields.maxScore} (${max})`);
    }
  }
}

/** Duplicate names (pointing at the later one) and, in 2017 rows, a score above its maximum. */
function checkControls(
  controls: unknown,
  fields: SnapshotFields,
  at: string,
  issues: IssueList,
): void {
  if (!Array.isArray(controls)) return;
  const firstIndex = new Map<string, number>();
  controls.forEach((item: unknown, i) => {
    if (!isRecord(item)) return;
    // Only names that passed their own rule: two blank names are two violations, not three.
    const raw = item[fields.controlName];
    const name =
      typeof raw === 'string' && /\S/.test(raw) && raw.length <= LIMITS.nameLength ? raw : null;
    const first = name === null ? undefined : firstIndex.get(name);
    if (name !== null && first === undefined) firstIndex.set(name, i);
    if (first !== undefined) {
      issues.add(
        pointerTo(pointerTo(at, i), fields.controlName),
        `repeats ${JSON.stringify(name)} of ${at}/${first}: a snapshot scores each control once`,
      );
    }
    const { score, maxScore } = item;
    const bounded =
      validPoints(score, LIMITS.controlScore) && validPoints(maxScore, LIMITS.controlScore);
    if (bounded && score > maxScore) {
      issues.add(pointerTo(pointerTo(at, i), 'score'), `must not exceed maxScore (${maxScore})`);
    }
  });
}

/** Averages may be negative only as the 2018 "no average" sentinel -1. */
function checkComparative(
  raw: Record<string, unknown>,
  fields: SnapshotFields,
  at: string,
  issues: IssueList,
): void {
  const list = fields.comparative ? raw[fields.comparative.list] : undefined;
  if (!fields.comparative || !Array.isArray(list)) return;
  const base = pointerTo(at, fields.comparative.list);
  list.forEach((entry: unknown, i) => {
    const score = isRecord(entry) ? entry.averageScore : undefined;
    if (typeof score === 'number' && score < 0 && score !== -1) {
      issues.add(`${base}/${i}/averageScore`, 'must not be negative (only -1, "no average")');
    }
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
