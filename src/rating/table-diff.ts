// What changed between two validated tables, for an actuary reviewing a new version. Tables are
// compared by value: validation made every decimal canonical ("0.80" = 0.8) and filled every default,
// so writing a default out explicitly is no change.
import type {
  TableControl,
  TableGate,
  TableModifier,
  TableTier,
  WeightingTable,
} from './rating.types.js';

export type TableChangeKind =
  'control' | 'categoryWeight' | 'defaultWeight' | 'tier' | 'gate' | 'modifier' | 'setting';

export type TableChangeValue =
  TableControl | TableTier | TableGate | TableModifier | string | number | string[] | null;

/**
 * One change. `before` is null for an added entry and `after` for a removed one (a `setting` whose
 * value is null, such as an open `effectiveTo`, also reads null). Keys: the control name, category,
 * tier name, modifier name, `defaultWeight`; a gate's control (`<control>#2` for its second gate on
 * that control ...); a setting's path (`adoption.missing`, `rounding.index`, `gates.order` ...).
 */
export interface TableChange {
  kind: TableChangeKind;
  key: string;
  before: TableChangeValue;
  after: TableChangeValue;
}

/** Every change from `a` to `b`, by kind (in the order of TableChangeKind), then table order. */
export function diffTables(a: WeightingTable, b: WeightingTable): TableChange[] {
  return [
    ...keyed(
      'control',
      entries(a.controls, (c) => c.name),
      entries(b.controls, (c) => c.name),
    ),
    ...keyed(
      'categoryWeight',
      Object.entries(a.categoryWeights),
      Object.entries(b.categoryWeights),
    ),
    ...keyed(
      'defaultWeight',
      [['defaultWeight', a.defaultWeight]],
      [['defaultWeight', b.defaultWeight]],
    ),
    ...keyed(
      'tier',
      entries(a.tiers, (t) => t.tier),
      entries(b.tiers, (t) => t.tier),
    ),
    ...keyed('gate', gateEntries(a.gates), gateEntries(b.gates)),
    ...keyed(
      'modifier',
      entries(a.modifiers, (m) => m.name),
      entries(b.modifiers, (m) => m.name),
    ),
    ...keyed('setting', settings(a), settings(b)),
  ];
}

type Entry = [string, TableChangeValue];

function entries<T extends TableChangeValue>(
  items: readonly T[],
  key: (item: T) => string,
): Entry[] {
  return items.map((item) => [key(item), item]);
}

/** Gates have no name: the n-th gate on a control is `<control>#n` (n >= 2). */
function gateEntries(gates: readonly TableGate[]): Entry[] {
  const seen = new Map<string, number>();
  return gates.map((gate) => {
    const n = (seen.get(gate.control) ?? 0) + 1;
    seen.set(gate.control, n);
    return [n === 1 ? gate.control : `${gate.control}#${n}`, gate];
  });
}

function settings(table: WeightingTable): Entry[] {
  return [
    ['name', table.name],
    ['version', table.version],
    ['effectiveFrom', table.effectiveFrom],
    ['effectiveTo', table.effectiveTo],
    ['description', table.description],
    ['adoption.missing', table.adoption.missing],
    ['adoption.thirdPartyCredit', table.adoption.thirdPartyCredit],
    ['factorFloor', table.factorFloor],
    ['factorCap', table.factorCap],
    ['rounding.index', table.rounding.index],
    ['rounding.factor', table.rounding.factor],
    // The order of gates and modifiers orders the reasons of a rating.
    ['gates.order', gateEntries(table.gates).map(([key]) => key)],
    ['modifiers.order', table.modifiers.map((modifier) => modifier.name)],
  ];
}

function keyed(kind: TableChangeKind, before: Entry[], after: Entry[]): TableChange[] {
  const old = new Map(before);
  const next = new Map(after);
  const changes: TableChange[] = [];
  for (const [key, value] of before) {
    const now = next.has(key) ? (next.get(key) as TableChangeValue) : null;
    if (!next.has(key) || !sameValue(value, now, kind, key))
      changes.push({ kind, key, before: value, after: now });
  }
  for (const [key, value] of after) {
    if (!old.has(key)) changes.push({ kind, key, before: null, after: value });
  }
  return changes;
}

function sameValue(
  a: TableChangeValue,
  b: TableChangeValue,
  kind: TableChangeKind,
  key: string,
): boolean {
  if (kind === 'setting' && key.endsWith('.order')) {
    // Only the relative order of entries in both tables; additions and removals are their own changes.
    const [x, y] = [a as string[], b as string[]];
    const common = (list: string[], other: string[]) => list.filter((item) => other.includes(item));
    return stable(common(x, y)) === stable(common(y, x));
  }
  return stable(a) === stable(b);
}

/** JSON with object members sorted: map order (categoryWeights, values) is not a change. */
function stable(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stable).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const members = Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${stable((value as Record<string, unknown>)[key])}`);
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(value);
}
