import type { ControlState } from '../../rating/rating.types.js';

/** What the service knows of control names: the catalog of control profiles. */
export interface ControlCatalog {
  /** control name -> the latest known maxScore, as decimal text. */
  readonly maxScores: ReadonlyMap<string, string>;
  /** Every control name the catalog holds, deprecated ones included. */
  readonly known: ReadonlySet<string>;
  readonly deprecated: ReadonlySet<string>;
}

/**
 * The control a Defender for Cloud Apps app instance's id names: since 2024 a profile id may
 * carry the instance (`11770.MDA_Google_EnableTwoFactorAuth`), where older payloads name the
 * control without it (securescore-contract §3). Null when the name has no such prefix.
 */
export function withoutInstancePrefix(name: string): string | null {
  const match = /^\d+\.(.+)$/s.exec(name);
  return match === null ? null : match[1];
}

/**
 * Names with an instance prefix also answer for the name without it, unless that name has an
 * entry of its own (the join of securescore-contract §6.6, from the catalog's side): `entries`
 * in name order, so that of two instances of one control the first one answers.
 */
export function withInstanceAliases<T>(entries: Iterable<[string, T]>): Map<string, T> {
  const named = new Map(entries);
  for (const [name, value] of [...named]) {
    const plain = withoutInstancePrefix(name);
    if (plain !== null && !named.has(plain)) named.set(plain, value);
  }
  return named;
}

/** What the catalog said of a snapshot's controls when it arrived; stored with the snapshot. */
export interface CatalogFindings {
  readonly unknownControls: readonly string[];
  readonly deprecatedControls: readonly string[];
}

export const CONTROL_WARNING_CODES = [
  'UNKNOWN_CONTROL',
  'DEPRECATED_CONTROL',
  'CONTROL_STATE_IGNORED',
  'CONTROL_STATE_THIRD_PARTY',
] as const;
export type ControlWarningCode = (typeof CONTROL_WARNING_CODES)[number];

/**
 * Something about a control that is accepted but that an underwriter should know: the snapshot
 * is stored and rated anyway (rating-spec §3 rates every present control, listed or not).
 * `pointer` locates the control score in the snapshot (RFC 6901), when there is one to point at.
 */
export interface ControlWarning {
  code: ControlWarningCode;
  control: string;
  pointer?: string;
  detail: string;
}

/** How a response lists warnings: at most MAX_WARNINGS_LISTED, and how many more there were. */
export interface ListedWarnings {
  warnings: ControlWarning[];
  /** Absent when none were left out. */
  warningsOmitted?: number;
}

export const NO_FINDINGS: CatalogFindings = Object.freeze({
  unknownControls: Object.freeze([]),
  deprecatedControls: Object.freeze([]),
});

/** Payload order; two set lookups per control, cheap enough for the bulk importer. */
export function catalogFindings(
  controlNames: readonly string[],
  catalog: ControlCatalog,
): CatalogFindings {
  const unknownControls: string[] = [];
  const deprecatedControls: string[] = [];
  for (const name of controlNames) {
    if (!catalog.known.has(name)) unknownControls.push(name);
    else if (catalog.deprecated.has(name)) deprecatedControls.push(name);
  }
  const findings = { unknownControls, deprecatedControls };
  return hasFindings(findings) ? findings : NO_FINDINGS;
}

export function hasFindings(findings: CatalogFindings): boolean {
  return findings.unknownControls.length > 0 || findings.deprecatedControls.length > 0;
}

const DETAILS = {
  UNKNOWN_CONTROL:
    'Not in the control catalog: stored, and weighted by the table like any control (its controls[] weight, else its category weight or defaultWeight; weight 0 leaves it out), with no catalog maxScore to fall back on',
  DEPRECATED_CONTROL:
    'Deprecated in the control catalog (Microsoft no longer scores it): stored, and weighted by the table like any other control',
  CONTROL_STATE_IGNORED:
    'The tenant marked it Ignored (risk accepted): rated on its measured score like any other control',
  CONTROL_STATE_THIRD_PARTY:
    "The tenant marked it ThirdParty (covered by another product): its adoption is multiplied by the table's thirdPartyCredit",
} as const satisfies Record<ControlWarningCode, string>;

/**
 * The catalog findings of one snapshot as warnings, in payload order. With a location each
 * points at its control score: `snapshotPointer` is where the snapshot sits in the body ("" for
 * a stored one) and `nameMember` the member that names a control in its shape.
 */
export function snapshotWarnings(
  controlNames: readonly string[],
  findings: CatalogFindings,
  location?: { snapshotPointer: string; nameMember: string },
): ControlWarning[] {
  if (!hasFindings(findings)) return [];
  const unknown = new Set(findings.unknownControls);
  const deprecated = new Set(findings.deprecatedControls);
  const warnings: ControlWarning[] = [];
  controlNames.forEach((control, i) => {
    const code = unknown.has(control)
      ? 'UNKNOWN_CONTROL'
      : deprecated.has(control)
        ? 'DEPRECATED_CONTROL'
        : null;
    if (code === null) return;
    const warning: ControlWarning = { code, control, detail: DETAILS[code] };
    if (location) {
      warning.pointer = `${location.snapshotPointer}/controlScores/${i}/${location.nameMember}`;
    }
    warnings.push(warning);
  });
  return warnings;
}

/**
 * What a rating's explanation says of its snapshot's controls: the catalog findings, then the
 * controls whose tenant state changes (ThirdParty) or might be expected to change (Ignored) how
 * they count. Only controls present in the snapshot: an absent one is in `missingControls`.
 */
export function ratingWarnings(
  controlNames: readonly string[],
  findings: CatalogFindings,
  controlStates: Readonly<Record<string, ControlState>>,
): ControlWarning[] {
  const warnings = snapshotWarnings(controlNames, findings);
  for (const control of controlNames) {
    if (!Object.hasOwn(controlStates, control)) continue;
    const state = controlStates[control];
    const code =
      state === 'ThirdParty'
        ? 'CONTROL_STATE_THIRD_PARTY'
        : state === 'Ignored'
          ? 'CONTROL_STATE_IGNORED'
          : null;
    if (code !== null) warnings.push({ code, control, detail: DETAILS[code] });
  }
  return warnings;
}

/**
 * At most this many warnings are listed per snapshot or rating: a body of 1,000 snapshots of
 * 5,000 made-up controls would otherwise answer with 5 million of them. The stored findings
 * keep every name.
 */
export const MAX_WARNINGS_LISTED = 100;

/** The warnings as a response lists them: the first MAX_WARNINGS_LISTED, and how many more. */
export function listedWarnings(all: readonly ControlWarning[]): ListedWarnings {
  if (all.length <= MAX_WARNINGS_LISTED) return { warnings: [...all] };
  return {
    warnings: all.slice(0, MAX_WARNINGS_LISTED),
    warningsOmitted: all.length - MAX_WARNINGS_LISTED,
  };
}
