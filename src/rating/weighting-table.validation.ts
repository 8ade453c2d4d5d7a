// Validation of a weighting table document (rating-spec.md §1 and §4): every violation, each with an
// RFC 6901 pointer, unknown fields included at every level. The caller parses the JSON (or YAML).
// Where the spec is silent, this validator decides:
// - a number is a JSON number (read through String(n)) or a string in the JSON number grammar, with
//   at most 34 significant digits, 34 decimal places and 34 integer digits;
// - an optional member given as null counts as absent; effectiveTo, description, adoption, controls,
//   categoryWeights, defaultWeight, gates, modifiers, factorFloor/Cap and rounding are optional;
// - effectiveTo must be after effectiveFrom (else [effectiveFrom, effectiveTo) is empty);
// - control names, tier names and modifier names are unique; names and reasons are non-empty;
// - a gate's minAdoption is in [0, 1] (adoption is, and a = 1 must satisfy the gate, spec §5);
// - modifier factors (bands, values, default) are > 0, like tier factors;
// - bands take a numeric input, values take industry, and values keys are lowercase slugs;
// - a band reason without a decision is refused (the spec adds a reason only with a decision, and a
//   reason that would be silently dropped is the kind of typo this validator exists to catch);
// - rounding places may be written "2" or 2.0 (a number is the decimal written), not 2.5.
import { canonicalText, compareDec, isZero, type Dec } from './decimal.js';
import { isCalendarDate } from './instant.js';
import type {
  AdoptionMissing,
  ModifierBand,
  ModifierInput,
  TableControl,
  TableGate,
  TableModifier,
  TableTier,
  TableViolation,
  WeightingTable,
} from './rating.types.js';
import {
  ABSENT,
  describe,
  listed,
  optional,
  pointerTo,
  quoted,
  TableReader,
  type Json,
} from './table-reader.js';

export type TableValidation =
  { ok: true; table: WeightingTable } | { ok: false; errors: TableViolation[] };

const ROOT_FIELDS = [
  'name',
  'version',
  'effectiveFrom',
  'effectiveTo',
  'description',
  'adoption',
  'controls',
  'categoryWeights',
  'defaultWeight',
  'tiers',
  'gates',
  'modifiers',
  'factorFloor',
  'factorCap',
  'rounding',
];
const NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;
// Spec §1's characters, less the two dot segments: `/versions/..` is a URL no client sends as
// typed (fetch and curl resolve it away), so such a version could never be read, published or
// deleted.
const VERSION = /^(?!\.\.?$)[A-Za-z0-9._-]{1,32}$/;
const DATE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/;
/** An industry slug, the key of a `values` modifier. */
const SLUG = /^[a-z0-9][a-z0-9-]*$/;
const NUMERIC_INPUTS = ['activeUserCount', 'licensedUserCount', 'snapshotAgeDays'];
const INPUTS = [...NUMERIC_INPUTS, 'industry'];

/** The table a document describes, or every rule of §1 and §4 it breaks. Never throws. */
export function validateWeightingTable(doc: unknown): TableValidation {
  const reader = new TableReader();
  const root = reader.object(doc, '', 'a weighting table', ROOT_FIELDS);
  if (root === undefined) return { ok: false, errors: reader.errors };
  const header = readHeader(reader, root);
  const adoption = readAdoption(reader, optional(root, 'adoption'));
  const controls = readControls(reader, optional(root, 'controls'));
  const categoryWeights = readCategoryWeights(reader, optional(root, 'categoryWeights'));
  const defaultWeight = readDecimalOr(reader, root, 'defaultWeight', 'nonNegative', '0');
  const { tiers, names: tierNames } = readTiers(reader, reader.required(root, 'tiers', ''));
  const gates = readGates(reader, optional(root, 'gates'), tierNames);
  const modifiers = readModifiers(reader, optional(root, 'modifiers'));
  const clamp = readClamp(reader, root);
  const rounding = readRounding(reader, optional(root, 'rounding'));
  if (reader.errors.length > 0) return { ok: false, errors: reader.errors };
  return {
    ok: true,
    table: {
      ...must(header),
      adoption: must(adoption),
      controls: must(controls),
      categoryWeights: must(categoryWeights),
      defaultWeight: must(defaultWeight),
      tiers: must(tiers),
      gates: must(gates),
      modifiers: must(modifiers),
      ...must(clamp),
      rounding: must(rounding),
    },
  };
}

/** Values are all defined once no violation was recorded. */
function must<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('weighting table validation lost a value');
  return value;
}

type Header = Pick<
  WeightingTable,
  'name' | 'version' | 'effectiveFrom' | 'effectiveTo' | 'description'
>;

function readHeader(reader: TableReader, root: Json): Header | undefined {
  const name = reader.string(
    reader.required(root, 'name', ''),
    '/name',
    NAME,
    '[a-z0-9][a-z0-9-]{0,62}',
  );
  const version = reader.string(
    reader.required(root, 'version', ''),
    '/version',
    VERSION,
    '1 to 32 of [A-Za-z0-9._-], other than . and ..',
  );
  const from = readDate(reader, reader.required(root, 'effectiveFrom', ''), '/effectiveFrom');
  const toValue = optional(root, 'effectiveTo');
  const to = toValue === undefined ? null : readDate(reader, toValue, '/effectiveTo');
  if (from !== undefined && to !== undefined && to !== null && to <= from) {
    reader.fail(
      '/effectiveTo',
      `must be after effectiveFrom (${from}): [effectiveFrom, effectiveTo) is empty`,
    );
  }
  const descriptionValue = optional(root, 'description');
  if (descriptionValue !== undefined && typeof descriptionValue !== 'string') {
    reader.fail('/description', `must be a string, got ${describe(descriptionValue)}`);
  }
  const description = typeof descriptionValue === 'string' ? descriptionValue : null;
  if (name === undefined || version === undefined || from === undefined || to === undefined) return;
  return { name, version, effectiveFrom: from, effectiveTo: to, description };
}

function readDate(reader: TableReader, value: unknown, pointer: string): string | undefined {
  if (value === ABSENT) return undefined;
  const match = typeof value === 'string' ? DATE.exec(value) : null;
  if (match === null || !isCalendarDate(Number(match[1]), Number(match[2]), Number(match[3]))) {
    return reader.fail(pointer, `must be a calendar date YYYY-MM-DD, got ${describe(value)}`);
  }
  return value as string;
}

function readDecimalOr(
  reader: TableReader,
  parent: Json,
  key: string,
  rule: 'nonNegative' | 'positive' | 'unit',
  fallback: string,
): string | undefined {
  const value = optional(parent, key);
  if (value === undefined) return fallback;
  const parsed = reader.decimal(value, pointerTo('', key), rule);
  return parsed && canonicalText(parsed);
}

function readAdoption(reader: TableReader, value: unknown): WeightingTable['adoption'] | undefined {
  if (value === undefined) return { missing: 'zero', thirdPartyCredit: '1' };
  const adoption = reader.object(value, '/adoption', 'adoption', ['missing', 'thirdPartyCredit']);
  if (adoption === undefined) return undefined;
  let missing: AdoptionMissing | undefined = 'zero';
  const missingValue = optional(adoption, 'missing');
  if (missingValue !== undefined) {
    missing =
      missingValue === 'zero' || missingValue === 'exclude'
        ? missingValue
        : reader.fail(
            '/adoption/missing',
            `must be "zero" or "exclude", got ${describe(missingValue)}`,
          );
  }
  const creditValue = optional(adoption, 'thirdPartyCredit');
  const credit =
    creditValue === undefined
      ? '1'
      : reader.decimal(creditValue, '/adoption/thirdPartyCredit', 'unit');
  if (missing === undefined || credit === undefined) return undefined;
  return { missing, thirdPartyCredit: typeof credit === 'string' ? credit : canonicalText(credit) };
}

function readControls(reader: TableReader, value: unknown): TableControl[] | undefined {
  if (value === undefined) return [];
  const items = reader.array(value, '/controls', 'the list of weighted controls');
  if (items === undefined) return undefined;
  const seen = new Map<string, number>();
  const controls = items.map((item, i): TableControl | undefined => {
    const pointer = `/controls/${i}`;
    const control = reader.object(item, pointer, 'a weighted control', [
      'name',
      'weight',
      'maxScore',
    ]);
    if (control === undefined) return undefined;
    const name = reader.string(reader.required(control, 'name', pointer), `${pointer}/name`);
    if (name !== undefined) unique(reader, seen, name, i, `${pointer}/name`, '/controls');
    const weight = reader.decimal(
      reader.required(control, 'weight', pointer),
      `${pointer}/weight`,
      'nonNegative',
    );
    const maxValue = optional(control, 'maxScore');
    const maxScore =
      maxValue === undefined ? null : reader.decimal(maxValue, `${pointer}/maxScore`, 'positive');
    if (name === undefined || weight === undefined || maxScore === undefined) return undefined;
    return { name, weight: canonicalText(weight), maxScore: maxScore && canonicalText(maxScore) };
  });
  return allDefined(controls);
}

function unique(
  reader: TableReader,
  seen: Map<string, number>,
  key: string,
  index: number,
  pointer: string,
  list: string,
): void {
  const first = seen.get(key);
  if (first === undefined) seen.set(key, index);
  else reader.fail(pointer, `duplicates ${list}/${first} (${quoted(key)})`);
}

function allDefined<T>(values: (T | undefined)[]): T[] | undefined {
  const defined = values.filter((value): value is T => value !== undefined);
  return defined.length === values.length ? defined : undefined;
}

function readCategoryWeights(
  reader: TableReader,
  value: unknown,
): Record<string, string> | undefined {
  if (value === undefined) return {};
  const map = reader.object(
    value,
    '/categoryWeights',
    'a map of category to weight',
    Object.keys(value ?? {}),
  );
  if (map === undefined) return undefined;
  const entries = Object.keys(map).map((category): [string, string] | undefined => {
    const pointer = pointerTo('/categoryWeights', category);
    if (category.length === 0) return reader.fail(pointer, 'a category name must not be empty');
    const weight = reader.decimal(map[category], pointer, 'nonNegative');
    return weight && [category, canonicalText(weight)];
  });
  const defined = allDefined(entries);
  return defined && Object.fromEntries(defined);
}

interface ReadTiers {
  tiers: TableTier[] | undefined;
  /**
   * The tier names that could be read (a tier broken elsewhere still has its name), when the
   * list could: a capTier must be one of them, as no other text can name a tier.
   */
  names: string[] | undefined;
}

function readTiers(reader: TableReader, value: unknown): ReadTiers {
  const unread = { tiers: undefined, names: undefined };
  const items = reader.array(value, '/tiers', 'the list of tiers, best first');
  if (items === undefined) return unread;
  if (items.length === 0)
    return { tiers: reader.fail('/tiers', 'must list at least one tier'), names: [] };
  const seen = new Map<string, number>();
  const tiers = items.map((item, i) => readTier(reader, item, i, seen));
  // Each minIndex against the nearest one before it that could be read: a broken tier between
  // two readable ones must not hide that they are out of order.
  let previous: Dec | undefined;
  tiers.forEach((tier, i) => {
    const minIndex = tier?.minIndex;
    if (minIndex === undefined) return;
    if (previous !== undefined && compareDec(minIndex, previous) >= 0) {
      reader.fail(
        `/tiers/${i}/minIndex`,
        `must be less than the minIndex of the tier before it (${canonicalText(previous)}): tiers are listed best first`,
      );
    }
    previous = minIndex;
  });
  const last = tiers[tiers.length - 1];
  if (last?.minIndex && !isZero(last.minIndex)) {
    reader.fail(
      `/tiers/${tiers.length - 1}/minIndex`,
      `the last tier's minIndex must be exactly 0, got ${canonicalText(last.minIndex)}`,
    );
  }
  return {
    tiers: allDefined(tiers.map((tier) => tier?.tier)),
    names: tiers.flatMap((tier) => tier?.name ?? []),
  };
}

interface ReadTier {
  name: string | undefined;
  minIndex: Dec | undefined;
  tier: TableTier | undefined;
}

function readTier(
  reader: TableReader,
  item: unknown,
  i: number,
  seen: Map<string, number>,
): ReadTier | undefined {
  const pointer = `/tiers/${i}`;
  const object = reader.object(item, pointer, 'a tier', ['tier', 'minIndex', 'factor', 'decision']);
  if (object === undefined) return undefined;
  const name = reader.string(reader.required(object, 'tier', pointer), `${pointer}/tier`);
  if (name !== undefined) unique(reader, seen, name, i, `${pointer}/tier`, '/tiers');
  // Never negative (the last tier's is exactly 0, and they decrease to it): a negative one is
  // its own mistake, not the next tier's for failing to be below it.
  const minIndex = reader.decimal(
    reader.required(object, 'minIndex', pointer),
    `${pointer}/minIndex`,
    'nonNegative',
  );
  const factor = reader.decimal(
    reader.required(object, 'factor', pointer),
    `${pointer}/factor`,
    'positive',
  );
  const decisionValue = optional(object, 'decision');
  const decision =
    decisionValue === undefined ? 'accept' : reader.decision(decisionValue, `${pointer}/decision`);
  const complete = name !== undefined && minIndex && factor && decision;
  return {
    name,
    minIndex,
    tier: complete
      ? { tier: name, minIndex: canonicalText(minIndex), factor: canonicalText(factor), decision }
      : undefined,
  };
}

function readGates(
  reader: TableReader,
  value: unknown,
  tierNames: string[] | undefined,
): TableGate[] | undefined {
  if (value === undefined) return [];
  const items = reader.array(value, '/gates', 'the list of gates');
  if (items === undefined) return undefined;
  const gates = items.map((item, i): TableGate | undefined => {
    const pointer = `/gates/${i}`;
    const allowed = ['control', 'minAdoption', 'capTier', 'decision', 'reason'];
    const gate = reader.object(item, pointer, 'a gate', allowed);
    if (gate === undefined) return undefined;
    const control = reader.string(reader.required(gate, 'control', pointer), `${pointer}/control`);
    const minAdoption = reader.decimal(
      reader.required(gate, 'minAdoption', pointer),
      `${pointer}/minAdoption`,
      'unit',
    );
    const capValue = optional(gate, 'capTier');
    let capTier = capValue === undefined ? null : reader.string(capValue, `${pointer}/capTier`);
    if (capTier && tierNames && !tierNames.includes(capTier)) {
      capTier = reader.fail(
        `${pointer}/capTier`,
        tierNames.length > 0
          ? `must name a tier (${listed(tierNames)}), got ${quoted(capTier)}`
          : `must name a tier, and the table names none, got ${quoted(capTier)}`,
      );
    }
    const decisionValue = optional(gate, 'decision');
    const decision =
      decisionValue === undefined ? 'refer' : reader.decision(decisionValue, `${pointer}/decision`);
    const reasonValue = optional(gate, 'reason');
    const reason =
      reasonValue === undefined
        ? `GATE_${control}`
        : reader.string(reasonValue, `${pointer}/reason`);
    if (!control || !minAdoption || capTier === undefined || !decision || !reason) return undefined;
    return { control, minAdoption: canonicalText(minAdoption), capTier, decision, reason };
  });
  return allDefined(gates);
}

function readModifiers(reader: TableReader, value: unknown): TableModifier[] | undefined {
  if (value === undefined) return [];
  const items = reader.array(value, '/modifiers', 'the list of modifiers');
  if (items === undefined) return undefined;
  const seen = new Map<string, number>();
  return allDefined(items.map((item, i) => readModifier(reader, item, `/modifiers/${i}`, i, seen)));
}

function readModifier(
  reader: TableReader,
  item: unknown,
  pointer: string,
  i: number,
  seen: Map<string, number>,
): TableModifier | undefined {
  const allowed = ['name', 'input', 'bands', 'values', 'default'];
  const modifier = reader.object(item, pointer, 'a modifier', allowed);
  if (modifier === undefined) return undefined;
  const name = reader.string(reader.required(modifier, 'name', pointer), `${pointer}/name`);
  if (name !== undefined) unique(reader, seen, name, i, `${pointer}/name`, '/modifiers');
  const inputValue = reader.required(modifier, 'input', pointer);
  const input =
    typeof inputValue === 'string' && INPUTS.includes(inputValue)
      ? (inputValue as ModifierInput)
      : inputValue === ABSENT
        ? undefined
        : reader.fail(
            `${pointer}/input`,
            `must be one of ${INPUTS.join(', ')}, got ${describe(inputValue)}`,
          );
  const defaultValue = optional(modifier, 'default');
  const fallback =
    defaultValue === undefined
      ? undefined
      : reader.decimal(defaultValue, `${pointer}/default`, 'positive');
  const defaultText = defaultValue === undefined ? '1' : fallback && canonicalText(fallback);
  const body = readModifierBody(reader, modifier, pointer, input, name ?? '');
  if (name === undefined || input === undefined || defaultText === undefined || body === undefined)
    return undefined;
  if ('bands' in body)
    return { name, input: input as BandsModifierInput, default: defaultText, bands: body.bands };
  return { name, input: 'industry', default: defaultText, values: body.values };
}

type BandsModifierInput = Exclude<ModifierInput, 'industry'>;

function readModifierBody(
  reader: TableReader,
  modifier: Json,
  pointer: string,
  input: ModifierInput | undefined,
  name: string,
): { bands: ModifierBand[] } | { values: Record<string, string> } | undefined {
  const bands = optional(modifier, 'bands');
  const values = optional(modifier, 'values');
  if (bands === undefined && values === undefined)
    return reader.fail(pointer, 'must have bands or values');
  // With both, each is still checked, so that every violation is listed at once.
  const both = bands !== undefined && values !== undefined;
  if (both) reader.fail(pointer, 'must have either bands or values, not both');
  let body: { bands: ModifierBand[] } | { values: Record<string, string> } | undefined;
  if (bands !== undefined) {
    if (input === 'industry') {
      reader.fail(
        `${pointer}/bands`,
        'bands need a numeric input (activeUserCount, licensedUserCount, snapshotAgeDays); industry takes values',
      );
    }
    const read = readBands(reader, bands, `${pointer}/bands`, name);
    body = read && { bands: read };
  }
  if (values !== undefined) {
    if (input !== undefined && input !== 'industry') {
      reader.fail(
        `${pointer}/values`,
        `values need the string input industry; ${input} takes bands`,
      );
    }
    const read = readValues(reader, values, `${pointer}/values`);
    body = read && { values: read };
  }
  return both ? undefined : body;
}

function readBands(
  reader: TableReader,
  value: unknown,
  pointer: string,
  modifierName: string,
): ModifierBand[] | undefined {
  const items = reader.array(value, pointer, 'the list of bands');
  if (items === undefined) return undefined;
  if (items.length === 0)
    return reader.fail(pointer, 'must list at least one band (the last one without upTo)');
  let previous: Dec | undefined;
  const bands = items.map((item, i): ModifierBand | undefined => {
    const bandPointer = `${pointer}/${i}`;
    const band = reader.object(item, bandPointer, 'a band', [
      'upTo',
      'factor',
      'decision',
      'reason',
    ]);
    if (band === undefined) return undefined;
    const { upTo, read } = readUpTo(reader, band, bandPointer, i === items.length - 1, previous);
    // The next band is compared with the nearest upTo that could be read, even one out of order.
    if (read !== undefined) previous = read;
    const factor = reader.decimal(
      reader.required(band, 'factor', bandPointer),
      `${bandPointer}/factor`,
      'positive',
    );
    const decisionValue = optional(band, 'decision');
    const decision =
      decisionValue === undefined
        ? null
        : reader.decision(decisionValue, `${bandPointer}/decision`);
    const reasonValue = optional(band, 'reason');
    let reason =
      reasonValue === undefined ? null : reader.string(reasonValue, `${bandPointer}/reason`);
    if (reason && decisionValue === undefined) {
      reason = reader.fail(
        `${bandPointer}/reason`,
        'a band adds its reason only with a decision: add a decision or remove the reason',
      );
    }
    if (upTo === undefined || !factor || decision === undefined || reason === undefined)
      return undefined;
    return {
      upTo: upTo && canonicalText(upTo),
      factor: canonicalText(factor),
      decision,
      reason: decision === null ? null : (reason ?? `MODIFIER_${modifierName}`),
    };
  });
  return allDefined(bands);
}

/** `upTo`: the band's value (null for the catch-all, undefined when wrong), and the decimal read. */
function readUpTo(
  reader: TableReader,
  band: Json,
  pointer: string,
  last: boolean,
  previous: Dec | undefined,
): { upTo: Dec | null | undefined; read: Dec | undefined } {
  const value = optional(band, 'upTo');
  if (last) {
    return {
      upTo:
        value === undefined
          ? null
          : reader.fail(`${pointer}/upTo`, 'the last band is the catch-all and has no upTo'),
      read: undefined,
    };
  }
  if (value === undefined)
    return {
      upTo: reader.fail(`${pointer}/upTo`, 'is required (only the last band has no upTo)'),
      read: undefined,
    };
  const read = reader.decimal(value, `${pointer}/upTo`, 'any');
  if (read && previous && compareDec(read, previous) <= 0) {
    reader.fail(
      `${pointer}/upTo`,
      `must be greater than the upTo of the band before it (${canonicalText(previous)})`,
    );
    return { upTo: undefined, read };
  }
  return { upTo: read, read };
}

function readValues(
  reader: TableReader,
  value: unknown,
  pointer: string,
): Record<string, string> | undefined {
  const map = reader.object(
    value,
    pointer,
    'a map of industry slug to factor',
    Object.keys(value ?? {}),
  );
  if (map === undefined) return undefined;
  const entries = Object.keys(map).map((slug): [string, string] | undefined => {
    const entryPointer = pointerTo(pointer, slug);
    const slugOk =
      SLUG.test(slug) ||
      reader.fail(
        entryPointer,
        `must be a lowercase industry slug ([a-z0-9][a-z0-9-]*), got ${quoted(slug)}`,
      );
    const factor = reader.decimal(map[slug], entryPointer, 'positive');
    return slugOk && factor && [slug, canonicalText(factor)];
  });
  const defined = allDefined(entries);
  return defined && Object.fromEntries(defined);
}

function readClamp(
  reader: TableReader,
  root: Json,
): Pick<WeightingTable, 'factorFloor' | 'factorCap'> | undefined {
  const floorValue = optional(root, 'factorFloor');
  const capValue = optional(root, 'factorCap');
  const floor =
    floorValue === undefined ? null : reader.decimal(floorValue, '/factorFloor', 'positive');
  const cap = capValue === undefined ? null : reader.decimal(capValue, '/factorCap', 'positive');
  if (floor && cap && compareDec(floor, cap) > 0) {
    return reader.fail('/factorFloor', `must not exceed factorCap (${canonicalText(cap)})`);
  }
  if (floor === undefined || cap === undefined) return undefined;
  return { factorFloor: floor && canonicalText(floor), factorCap: cap && canonicalText(cap) };
}

function readRounding(reader: TableReader, value: unknown): WeightingTable['rounding'] | undefined {
  if (value === undefined) return { index: 2, factor: 4 };
  const rounding = reader.object(value, '/rounding', 'rounding', ['index', 'factor']);
  if (rounding === undefined) return undefined;
  const indexValue = optional(rounding, 'index');
  const factorValue = optional(rounding, 'factor');
  const index = indexValue === undefined ? 2 : reader.integer(indexValue, '/rounding/index', 0, 8);
  const factor =
    factorValue === undefined ? 4 : reader.integer(factorValue, '/rounding/factor', 0, 8);
  return index === undefined || factor === undefined ? undefined : { index, factor };
}
