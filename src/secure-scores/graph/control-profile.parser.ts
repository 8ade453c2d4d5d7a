import { Decimal } from 'decimal.js';
import type { ControlState } from '../../rating/rating.types.js';
import { canonicalJson } from '../../common/canonical-json.js';
import { PROFILE_VALIDATORS } from './control-profile.schema.js';
import { compareInstants, parseInstant, type Instant } from './date-time.parser.js';
import { normalAzureTenantId } from '../../client-tenants/azure-tenant-id.js';
import { LIMITS } from './graph-limits.js';
import { IssueList, pointerTo, type ValidationIssue } from './schema-validation.js';
import { decimalText } from './secure-score.mapper.js';
import { errorWrapperKey } from './secure-score-payload.parser.js';

export interface ControlStateEntry {
  /** Matched case-insensitively; a state Graph adds later (unknown to us) counts as Default. */
  state: ControlState;
  /** The state text exactly as received (null when Graph sent none). */
  receivedState: string | null;
  updatedDateTime: string | null;
  updatedBy: string | null;
}

export interface NormalizedControlProfile {
  /** The control name (`controlScores[].controlName` joins on it); 2018: `title`. */
  id: string;
  azureTenantId: string | null;
  /** The human title; 2018: `controlName`. */
  title: string | null;
  controlCategory: string | null;
  service: string | null;
  tier: string | null;
  /** Decimal text. */
  maxScore: string | null;
  rank: number | null;
  actionType: string | null;
  userImpact: string | null;
  implementationCost: string | null;
  /** As received (`Account breach`, `Account Breach`, ...); null when the profile has none. */
  threats: string[] | null;
  /** Lowercase, whitespace collapsed, duplicates removed: `account breach`. */
  normalizedThreats: string[];
  deprecated: boolean | null;
  /** The latest `controlStateUpdates` entry by updatedDateTime (undated = oldest, ties = last). */
  latestState: ControlStateEntry | null;
  /** The 2018 beta shape (`title` and `controlName` swapped, `tenantSetState`): an archive. */
  legacy2018: boolean;
  /** The profile object exactly as received. */
  raw: unknown;
}

export type ControlProfilesResult =
  | { ok: true; profiles: NormalizedControlProfile[] }
  | {
      ok: false;
      errors: ValidationIssue[];
      /** The body is an error sent in place of profiles (`{"PSError": ...}`, Graph's `error`). */
      sourceError: boolean;
    };

// Keyed by the state in lowercase letters only ("thirdParty", "Third party" -> "thirdparty").
const STATES = new Map<string, ControlState>([
  ['default', 'Default'],
  ['ignored', 'Ignored'],
  ['thirdparty', 'ThirdParty'],
  ['reviewed', 'Reviewed'],
]);

/**
 * `secureScoreControlProfile` objects as an array or a Graph list envelope `{value: [...]}`
 * (links are not followed), current or 2018 shape, each checked like snapshots are: every
 * violation with its pointer. A profile repeated byte for byte (overlapping pages) is kept once;
 * the same id for the same client tenant (or for none) with different content is a violation.
 */
export function parseControlProfilesPayload(body: unknown): ControlProfilesResult {
  const issues = new IssueList();
  const located = locateProfiles(body, issues);
  const profiles: NormalizedControlProfile[] = [];
  const seen = new Map<string, { index: number; canonical: string | null; raw: unknown }>();
  located.items.forEach((item, i) => {
    const profile = parseProfile(item, `${located.base}/${i}`, issues);
    if (profile === null) return;
    // One control's profile comes once per client tenant (its controlStateUpdates are that
    // tenant's): the same control for two tenants is two profiles, not a repeat.
    const key = `${profile.azureTenantId ?? ''}\u0000${profile.id}`;
    const first = seen.get(key);
    if (first === undefined) {
      seen.set(key, { index: i, canonical: null, raw: item });
      profiles.push(profile);
    } else if (!sameContent(first, item)) {
      issues.add(
        `${located.base}/${i}/${isLegacy(item as Record<string, unknown>) ? 'title' : 'id'}`,
        `repeats the id ${JSON.stringify(profile.id)} of ${located.base}/${first.index}${profile.azureTenantId ? ' for the same client tenant' : ''} with different content`,
      );
    }
  });
  if (issues.count === 0) return { ok: true, profiles };
  return { ok: false, errors: issues.result(), sourceError: errorWrapperKey(body) !== null };
}

function locateProfiles(body: unknown, issues: IssueList): { items: unknown[]; base: string } {
  const envelope = isRecord(body) && Object.hasOwn(body, 'value');
  const items = envelope ? body.value : body;
  const base = envelope ? '/value' : '';
  const wrapper = errorWrapperKey(body);
  if (wrapper !== null) {
    issues.add(`/${wrapper}`, 'is an error reported in place of control profiles');
  } else if (!Array.isArray(items)) {
    issues.add(base, 'must be an array of control profiles or a Graph list envelope');
  } else if (items.length === 0) {
    issues.add(base, 'holds no control profile: an empty list has nothing to ingest');
  } else if (items.length > LIMITS.profiles) {
    issues.add(base, `must hold at most ${LIMITS.profiles} control profiles per request`);
  } else {
    return { items, base };
  }
  return { items: [], base };
}

function parseProfile(
  item: unknown,
  at: string,
  issues: IssueList,
): NormalizedControlProfile | null {
  if (!isRecord(item)) return issues.add(at, 'must be a control profile object');
  const legacy = isLegacy(item);
  const validate = legacy ? PROFILE_VALIDATORS.legacy2018 : PROFILE_VALIDATORS.current;
  const before = issues.count;
  if (!validate(item)) issues.addSchemaErrors(validate.errors, at);
  const maxScore = legacy
    ? legacyMaxScore(item.maxScore, pointerTo(at, 'maxScore'), issues)
    : decimalText(item.maxScore);
  const latestState = legacy
    ? legacyState(item)
    : stateUpdates(item.controlStateUpdates, pointerTo(at, 'controlStateUpdates'), issues);
  if (issues.count !== before) return null;
  const threats =
    item.threats === undefined || item.threats === null ? null : strings(item.threats);
  return {
    id: text(legacy ? item.title : item.id) ?? '',
    azureTenantId: nullableAzureTenantId(text(item.azureTenantId)),
    title: text(legacy ? item.controlName : item.title),
    controlCategory: text(item.controlCategory),
    service: text(item.service),
    tier: text(item.tier),
    maxScore,
    rank: typeof item.rank === 'number' ? item.rank : null,
    actionType: text(item.actionType),
    userImpact: text(item.userImpact),
    implementationCost: text(item.implementationCost),
    threats,
    normalizedThreats: [
      ...new Set((threats ?? []).map((t) => t.trim().replace(/\s+/g, ' ').toLowerCase())),
    ],
    deprecated: typeof item.deprecated === 'boolean' ? item.deprecated : null,
    latestState,
    legacy2018: legacy,
    raw: item,
  };
}

/** The 2018 beta had no `id`: its `title` was the id and `tenantSetState` the state. */
function isLegacy(item: Record<string, unknown>): boolean {
  return (
    !Object.hasOwn(item, 'id') &&
    (Object.hasOwn(item, 'tenantSetState') || Object.hasOwn(item, 'controlName'))
  );
}

/** The 2018 maxScore: a number, or the decimal string its documentation declared. */
function legacyMaxScore(value: unknown, pointer: string, issues: IssueList): string | null {
  if (typeof value !== 'string') return decimalText(value);
  if (!/^(0|[1-9][0-9]*)(\.[0-9]+)?$/.test(value)) return null; // reported by the schema
  const decimal = new Decimal(value);
  if (decimal.greaterThan(LIMITS.controlScore)) {
    return issues.add(pointer, `must be at most ${LIMITS.controlScore}`);
  }
  return decimal.toString(); // "7.0" -> "7", like the number 7.0
}

function stateUpdates(value: unknown, at: string, issues: IssueList): ControlStateEntry | null {
  if (!Array.isArray(value)) return null;
  let latest: ControlStateEntry | null = null;
  let latestWhen: Instant | null = null;
  value.forEach((update: unknown, i) => {
    if (!isRecord(update)) return; // reported by the schema
    const written = update.updatedDateTime;
    if (typeof written === 'string' && written.length > 64) return; // reported by the schema
    const when = typeof written === 'string' ? parseInstant(written) : null;
    if (typeof written === 'string' && when === null) {
      issues.add(
        `${at}/${i}/updatedDateTime`,
        'must be an ISO-8601 date-time with seconds and a time zone, e.g. 2019-03-19T22:37:14.628799Z',
      );
      return;
    }
    // `>=`: with equal (or no) dates the later entry in the history wins.
    if (latest === null || compareInstants(when, latestWhen) >= 0) {
      latest = stateEntry(update.state, when?.iso ?? null, update.updatedBy);
      latestWhen = when;
    }
  });
  return latest;
}

// The 2018 example's only timestamps are the placeholder 0001-01-01, so the date stays null.
function legacyState(item: Record<string, unknown>): ControlStateEntry | null {
  if (typeof item.tenantSetState !== 'string') return null;
  return stateEntry(item.tenantSetState, null, item.updatedBy);
}

function stateEntry(state: unknown, when: string | null, updatedBy: unknown): ControlStateEntry {
  const received = text(state);
  const key = (received ?? '').toLowerCase().replace(/[^a-z]/g, '');
  return {
    state: STATES.get(key) ?? 'Default',
    receivedState: received,
    updatedDateTime: when,
    updatedBy: text(updatedBy),
  };
}

function sameContent(first: { canonical: string | null; raw: unknown }, item: unknown): boolean {
  try {
    first.canonical ??= canonicalJson(first.raw);
    return first.canonical === canonicalJson(item);
  } catch {
    return false; // not JSON data (cannot come from the JSON parser): treat as different
  }
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((s): s is string => typeof s === 'string') : [];
}

function nullableAzureTenantId(id: string | null): string | null {
  return id === null ? null : normalAzureTenantId(id);
}

function text(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
