import type { ControlState } from '../../rating/rating.types.js';
import { Checker } from './payload-checks.js';
import type { ValidationIssue } from './secure-score-payload.parser.js';

export interface NormalizedControlProfile {
  id: string;
  azureTenantId: string | null;
  title: string | null;
  controlCategory: string | null;
  service: string | null;
  tier: string | null;
  maxScore: string | null;
  rank: number | null;
  actionType: string | null;
  userImpact: string | null;
  implementationCost: string | null;
  threats: string[];
  deprecated: boolean | null;
  /** The latest `controlStateUpdates` entry (by updatedDateTime; undated ones count as oldest). */
  latestState: {
    state: ControlState;
    updatedDateTime: string | null;
    updatedBy: string | null;
  } | null;
  raw: unknown;
}

const STATES: Record<string, ControlState> = {
  default: 'Default',
  ignored: 'Ignored',
  thirdparty: 'ThirdParty',
  reviewed: 'Reviewed',
};
const MAX_PROFILES = 5_000;

/**
 * `secureScoreControlProfile` objects as an array or a Graph envelope (links are not followed).
 * The 2018 beta shape is mapped too: there `title` held the control id, `controlName` the
 * human title, and the state was `tenantSetState`. States are matched case-insensitively.
 */
export function parseControlProfilesPayload(
  body: unknown,
): { ok: true; profiles: NormalizedControlProfile[] } | { ok: false; errors: ValidationIssue[] } {
  const check = new Checker();
  const envelope = check.isObject(body) && Array.isArray(body.value);
  const items = envelope ? (body as { value: unknown[] }).value : body;
  const base = envelope ? '/value' : '';
  if (!Array.isArray(items)) {
    check.fail('', 'must be an array of control profiles or a list envelope');
    return { ok: false, errors: check.errors };
  }
  if (items.length === 0) check.fail(base, 'contains no control profile');
  if (items.length > MAX_PROFILES) check.fail(base, `must hold at most ${MAX_PROFILES} profiles`);
  const profiles = items
    .slice(0, MAX_PROFILES)
    .map((item, i) => parseProfile(item, `${base}/${i}`, check));
  return check.errors.length > 0
    ? { ok: false, errors: check.errors }
    : { ok: true, profiles: profiles as NormalizedControlProfile[] };
}

function parseProfile(item: unknown, at: string, check: Checker): NormalizedControlProfile | null {
  if (!check.isObject(item)) return check.fail(at, 'must be an object');
  const legacy = !('id' in item) && 'tenantSetState' in item;
  const idKey = legacy ? 'title' : 'id';
  const id = check.text(item[idKey], `${at}/${idKey}`, 256);
  const maxScore =
    typeof item.maxScore === 'string' && /^\d+(\.\d+)?$/.test(item.maxScore) // the 2018 beta documented String
      ? item.maxScore
      : check.decimal(item.maxScore, `${at}/maxScore`, { required: false });
  const threats = check.strings(item.threats, `${at}/threats`, 100);
  const deprecated = typeof item.deprecated === 'boolean' ? item.deprecated : null;
  const rank = check.count(item.rank, `${at}/rank`);
  const latestState = legacy
    ? legacyState(item, at, check)
    : stateUpdates(item.controlStateUpdates, `${at}/controlStateUpdates`, check);
  return {
    id: id!,
    azureTenantId: check.text(item.azureTenantId, `${at}/azureTenantId`, 128, false),
    title: check.text(
      legacy ? item.controlName : item.title,
      `${at}/${legacy ? 'controlName' : 'title'}`,
      1_000,
      false,
    ),
    controlCategory: check.text(item.controlCategory, `${at}/controlCategory`, 256, false),
    service: check.text(item.service, `${at}/service`, 256, false),
    tier: check.text(item.tier, `${at}/tier`, 256, false),
    maxScore,
    rank,
    actionType: check.text(item.actionType, `${at}/actionType`, 256, false),
    userImpact: check.text(item.userImpact, `${at}/userImpact`, 256, false),
    implementationCost: check.text(item.implementationCost, `${at}/implementationCost`, 256, false),
    threats,
    deprecated,
    latestState,
    raw: item,
  };
}

function stateUpdates(
  value: unknown,
  at: string,
  check: Checker,
): NormalizedControlProfile['latestState'] {
  if (value === undefined || value === null) return null;
  if (!Array.isArray(value)) return check.fail(at, 'must be an array');
  let latest: NormalizedControlProfile['latestState'] = null;
  value.forEach((update, i) => {
    if (!check.isObject(update)) return check.fail(`${at}/${i}`, 'must be an object');
    const state = controlState(update.state, `${at}/${i}/state`, check);
    const when = check.instant(update.updatedDateTime, `${at}/${i}/updatedDateTime`, false);
    if (state === null) return;
    // Later entries win ties: Graph appends to this history.
    if (latest === null || (when ?? '') >= (latest.updatedDateTime ?? '')) {
      latest = {
        state,
        updatedDateTime: when,
        updatedBy: typeof update.updatedBy === 'string' ? update.updatedBy : null,
      };
    }
  });
  return latest;
}

function legacyState(
  item: Record<string, unknown>,
  at: string,
  check: Checker,
): NormalizedControlProfile['latestState'] {
  const state = controlState(item.tenantSetState, `${at}/tenantSetState`, check);
  return state === null
    ? null
    : {
        state,
        updatedDateTime: null,
        updatedBy: typeof item.updatedBy === 'string' ? item.updatedBy : null,
      };
}

function controlState(value: unknown, pointer: string, check: Checker): ControlState | null {
  if (value === undefined || value === null) return null;
  const state = typeof value === 'string' ? STATES[value.toLowerCase()] : undefined;
  return state ?? check.fail(pointer, 'must be one of Default, Ignored, ThirdParty, Reviewed');
}
