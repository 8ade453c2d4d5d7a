import { Checker } from './payload-checks.js';

/** A violation, located by an RFC 6901 pointer from the body root ("" is the root). */
export interface ValidationIssue {
  pointer: string;
  message: string;
}

export type SourceShape = 'graph-v1' | 'graph-beta-2018' | 'o365-report-2017';

export interface NormalizedControlScore {
  controlName: string;
  controlCategory: string | null;
  /** Decimal texts: what the JSON wrote (`9.0` and `9` are the same number, "9"). */
  score: string | null;
  scoreInPercentage: string | null;
  /** The control score's own maximum (2017 report rows carry one), else null. */
  maxScore: string | null;
  description: string | null;
}

/** One Secure Score snapshot, whatever shape it came in. */
export interface NormalizedSnapshot {
  sourceShape: SourceShape;
  graphId: string | null;
  azureTenantId: string;
  /** UTC, `YYYY-MM-DDTHH:mm:ss.sssZ`. */
  createdDateTime: string;
  activeUserCount: number | null;
  licensedUserCount: number | null;
  currentScore: string | null;
  maxScore: string | null;
  enabledServices: string[];
  averageComparativeScores: unknown[];
  controlScores: NormalizedControlScore[];
  /** The snapshot object exactly as parsed, unknown fields included (Graph types are open). */
  raw: unknown;
  /** Where it sits in the body: "" or "/value/3". */
  pointer: string;
}

export type ParseResult =
  { ok: true; snapshots: NormalizedSnapshot[] } | { ok: false; errors: ValidationIssue[] };

// Limits: a real snapshot has 50-300 controls and Graph keeps 90 days; these bound the work of a
// hostile body long before the 16 MiB body limit does.
export const MAX_CONTROLS = 5_000;
export const MAX_SNAPSHOTS = 1_000;
const MAX_TENANT_ID = 128;
const MAX_CONTROL_NAME = 256;
const MAX_DESCRIPTION = 100_000;
const MAX_SERVICES = 1_000;
const AZURE_TENANT_ID = /^[A-Za-z0-9._-]+$/;

/**
 * Accepts one `secureScore` (v1.0, or the 2018 beta with `averageScoreByScopes`), a Graph list
 * envelope `{value: [...]}` (links are not followed), an array of snapshots, or 2017 Office 365
 * report rows (`tenantId`, `createdDate`, `controlScores[].referenceId/score/maxScore`). Lists
 * every violation of every snapshot, never just the first.
 */
export function parseSecureScorePayload(body: unknown): ParseResult {
  const check = new Checker();
  const elements = locateSnapshots(body, check);
  const snapshots: NormalizedSnapshot[] = [];
  for (const { value, pointer } of elements) {
    const snapshot = check.isObject(value)
      ? parseSnapshot(value, pointer, check)
      : check.fail(pointer, 'must be an object');
    if (snapshot) snapshots.push(snapshot);
  }
  return check.errors.length > 0 ? { ok: false, errors: check.errors } : { ok: true, snapshots };
}

function locateSnapshots(body: unknown, check: Checker): { value: unknown; pointer: string }[] {
  const list = (items: unknown[], base: string) => {
    if (items.length === 0) return check.fail(base || '', 'contains no snapshot') ?? [];
    if (items.length > MAX_SNAPSHOTS)
      return check.fail(base || '', `must hold at most ${MAX_SNAPSHOTS} snapshots`) ?? [];
    return items.map((value, i) => ({ value, pointer: `${base}/${i}` }));
  };
  if (Array.isArray(body)) return list(body, '');
  if (!check.isObject(body))
    return check.fail('', 'must be a Secure Score object, a list envelope or an array') ?? [];
  if ('value' in body) {
    return Array.isArray(body.value)
      ? list(body.value, '/value')
      : (check.fail('/value', 'must be an array') ?? []);
  }
  const wrapper = ['PSError', 'error', 'Error'].find(
    (key) => key in body && !('azureTenantId' in body) && !('tenantId' in body),
  );
  if (wrapper) {
    return (
      check.fail(
        `/${wrapper}`,
        'is an error reported by the collector, not a Secure Score payload',
      ) ?? []
    );
  }
  return [{ value: body, pointer: '' }];
}

function parseSnapshot(
  raw: Record<string, unknown>,
  at: string,
  check: Checker,
): NormalizedSnapshot | null {
  const before = check.errors.length;
  const legacy = 'tenantId' in raw || 'createdDate' in raw || 'secureScore' in raw;
  const azureTenantId = tenantId(
    legacy ? raw.tenantId : raw.azureTenantId,
    `${at}/${legacy ? 'tenantId' : 'azureTenantId'}`,
    check,
  );
  const createdDateTime = legacy
    ? check.day(raw.createdDate, `${at}/createdDate`)
    : check.instant(raw.createdDateTime, `${at}/createdDateTime`);
  const currentScore = check.decimal(
    raw[legacy ? 'secureScore' : 'currentScore'],
    `${at}/${legacy ? 'secureScore' : 'currentScore'}`,
    { required: true },
  );
  const maxScore = check.decimal(
    raw[legacy ? 'maxSecureScore' : 'maxScore'],
    `${at}/${legacy ? 'maxSecureScore' : 'maxScore'}`,
    { required: true },
  );
  if (currentScore !== null && maxScore !== null && Number(currentScore) > Number(maxScore)) {
    check.fail(
      `${at}/${legacy ? 'secureScore' : 'currentScore'}`,
      'must not exceed the maximum score',
    );
  }
  const controls = controlScores(raw.controlScores, `${at}/controlScores`, legacy, check);
  const comparative = legacy
    ? []
    : (raw.averageComparativeScores ?? raw.averageScoreByScopes ?? []);
  if (!Array.isArray(comparative)) check.fail(`${at}/averageComparativeScores`, 'must be an array');
  const snapshot = {
    sourceShape: (legacy
      ? 'o365-report-2017'
      : 'averageScoreByScopes' in raw
        ? 'graph-beta-2018'
        : 'graph-v1') as SourceShape,
    graphId: typeof raw.id === 'string' ? raw.id : null,
    azureTenantId: azureTenantId!,
    createdDateTime: createdDateTime!,
    activeUserCount: check.count(raw.activeUserCount, `${at}/activeUserCount`),
    licensedUserCount: check.count(raw.licensedUserCount, `${at}/licensedUserCount`),
    currentScore,
    maxScore,
    enabledServices: check.strings(raw.enabledServices, `${at}/enabledServices`, MAX_SERVICES),
    averageComparativeScores: Array.isArray(comparative) ? comparative : [],
    controlScores: controls,
    raw,
    pointer: at,
  };
  return check.errors.length === before ? snapshot : null;
}

function tenantId(value: unknown, pointer: string, check: Checker): string | null {
  const text = check.text(value, pointer, MAX_TENANT_ID);
  // Not a strict GUID: real sanitised captures and the docs' own example are not valid GUIDs.
  if (text !== null && !AZURE_TENANT_ID.test(text))
    return check.fail(pointer, 'may contain only letters, digits, ".", "_" and "-"');
  return text;
}

function controlScores(
  value: unknown,
  at: string,
  legacy: boolean,
  check: Checker,
): NormalizedControlScore[] {
  if (value === undefined || value === null) return check.fail(at, 'is required') ?? [];
  if (!Array.isArray(value)) return check.fail(at, 'must be an array') ?? [];
  if (value.length > MAX_CONTROLS)
    return check.fail(at, `must have at most ${MAX_CONTROLS} controls`) ?? [];
  const seen = new Map<string, number>();
  const controls: NormalizedControlScore[] = [];
  value.forEach((item, i) => {
    const pointer = `${at}/${i}`;
    if (!check.isObject(item)) return check.fail(pointer, 'must be an object');
    const nameKey = legacy ? 'referenceId' : 'controlName';
    const name = check.text(item[nameKey], `${pointer}/${nameKey}`, MAX_CONTROL_NAME);
    if (name !== null && seen.has(name)) {
      check.fail(
        `${pointer}/${nameKey}`,
        `repeats the control of ${at}/${seen.get(name)}: a snapshot scores each control once`,
      );
    } else if (name !== null) seen.set(name, i);
    const control = {
      controlName: name!,
      controlCategory: check.text(
        item.controlCategory,
        `${pointer}/controlCategory`,
        MAX_CONTROL_NAME,
        false,
      ),
      score: check.decimal(item.score, `${pointer}/score`, { required: true }),
      scoreInPercentage: check.decimal(item.scoreInPercentage, `${pointer}/scoreInPercentage`, {
        required: false,
        max: 100,
      }),
      maxScore: legacy
        ? check.decimal(item.maxScore, `${pointer}/maxScore`, { required: false })
        : null,
      description: check.text(item.description, `${pointer}/description`, MAX_DESCRIPTION, false),
    };
    controls.push(control);
  });
  return controls;
}
