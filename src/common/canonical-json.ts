import { createHash } from 'node:crypto';

/**
 * RFC 8785 JSON Canonicalization Scheme (JCS), used for content hashes (snapshot dedup, audit
 * rows, table fingerprints), so the hash depends on the JSON data and not on how it was written:
 * - object members sorted by their names as UTF-16 code units (JavaScript's own string order),
 * - no whitespace,
 * - numbers in ECMAScript `Number.prototype.toString` form (`1.0` -> `1`, `-0` -> `0`,
 *   `1e21` -> `1e+21`, `1e-7` -> `1e-7`); NaN and ±Infinity have no JSON form and throw,
 * - strings escaped exactly as `JSON.stringify` escapes them (JCS adopts that algorithm); a lone
 *   surrogate is not I-JSON, and RFC 8785 §3.2.2.2 requires an error rather than an escape.
 *
 * Beyond JSON data: `toJSON()` is honoured like `JSON.stringify` does (a Date hashes as its ISO
 * text), object members whose value is `undefined` are omitted, and everything else without a
 * JSON form (undefined elsewhere, functions, symbols, bigints, cycles) throws a TypeError rather
 * than hashing something that silently differs from the data.
 */
export function canonicalJson(value: unknown): string {
  return fastCanonicalJson(value) ?? exactCanonicalJson(value);
}

/** The member-by-member serializer: the definition, and the path for anything unusual. */
export function exactCanonicalJson(value: unknown): string {
  return serialize(value, '', new Set());
}

/**
 * The hot path (every ingested snapshot is hashed): a copy of plain JSON data with its members
 * inserted in sorted order, serialised by the native `JSON.stringify`, whose number and string
 * forms are the ones RFC 8785 adopts. It gives up (null) on everything whose native form would
 * differ from the definition: integer-like member names (JavaScript enumerates those first, in
 * numeric order), non-plain objects, non-finite numbers, undefined or functions in arrays,
 * deep nesting (a possible cycle), and lone surrogates (`JSON.stringify` escapes them as
 * `\udXXX`, which is what the output is searched for). A property test proves both agree.
 */
function fastCanonicalJson(value: unknown): string | null {
  try {
    const text = JSON.stringify(sortedCopy(value, 0));
    return text.includes('\\ud') ? null : text;
  } catch (error) {
    if (error === GIVE_UP) return null;
    throw error;
  }
}

// Thrown (one shared instance, no stack captured per throw) to leave the fast path at any depth.
const GIVE_UP = new Error('not plain JSON data');
const FAST_PATH_MAX_DEPTH = 256;

function sortedCopy(value: unknown, depth: number): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      if (Number.isFinite(value)) return value;
      throw GIVE_UP;
    case 'object':
      if (value === null) return null;
      if (depth > FAST_PATH_MAX_DEPTH) throw GIVE_UP;
      if (Array.isArray(value)) {
        const copy = new Array<unknown>(value.length);
        for (let i = 0; i < value.length; i++) copy[i] = sortedCopy(value[i], depth + 1);
        return copy;
      } else {
        const prototype = Object.getPrototypeOf(value) as unknown;
        if (prototype !== Object.prototype && prototype !== null) throw GIVE_UP;
        const record = value as Record<string, unknown>;
        const names = sortedNames(Object.keys(record));
        const copy: Record<string, unknown> = {};
        for (let i = 0; i < names.length; i++) {
          const member = record[names[i]];
          if (member !== undefined) copy[names[i]] = sortedCopy(member, depth + 1);
        }
        return copy;
      }
    case 'bigint':
    case 'function':
    case 'symbol':
    case 'undefined':
      throw GIVE_UP;
  }
}

// The member names last sorted, and their order. A snapshot is mostly a run of control scores
// with the same members in the same order: comparing names (interned strings) is much cheaper
// than sorting them again (a fifth to a half of the fast path's time, measured on snapshots).
let lastNames: readonly string[] = [];
let lastSorted: readonly string[] = [];

/** `names` in RFC 8785 order; throws GIVE_UP on a name whose native placement would differ. */
function sortedNames(names: string[]): readonly string[] {
  if (sameNames(names, lastNames)) return lastSorted;
  const sorted = [...names].sort();
  for (const name of sorted) {
    const first = name.charCodeAt(0);
    if ((first >= 0x30 && first <= 0x39) || name === '__proto__') throw GIVE_UP;
  }
  lastNames = names;
  lastSorted = sorted;
  return sorted;
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** SHA-256 (hex) of the RFC 8785 canonical form of a JSON value. */
export function canonicalSha256(value: unknown): string {
  return sha256Hex(canonicalJson(value));
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function serialize(input: unknown, key: string, ancestors: Set<object>): string {
  const value = unwrap(input, key);
  switch (typeof value) {
    case 'string':
      return serializeString(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`${value} has no JSON form (RFC 8785)`);
      return String(value); // ECMAScript number serialisation; String(-0) is "0"
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      if (value === null) return 'null';
      return serializeContainer(value, ancestors);
    case 'bigint':
    case 'function':
    case 'symbol':
    case 'undefined':
      throw new TypeError(`A ${typeof value} has no JSON form`);
  }
}

/** What JSON.stringify would look at: the `toJSON()` result, or the primitive of a boxed value. */
function unwrap(value: unknown, key: string): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') return toJSON.call(value, key) as unknown;
  if (value instanceof Number || value instanceof String || value instanceof Boolean) {
    return value.valueOf();
  }
  return value;
}

function serializeString(text: string): string {
  if (LONE_SURROGATE.test(text)) {
    throw new TypeError('A string with a lone surrogate is not I-JSON (RFC 8785 §3.2.2.2)');
  }
  return JSON.stringify(text);
}

function serializeContainer(value: object, ancestors: Set<object>): string {
  if (ancestors.has(value)) throw new TypeError('A cyclic structure has no JSON form');
  ancestors.add(value);
  try {
    if (Array.isArray(value)) {
      return `[${value.map((item, i) => serialize(item, String(i), ancestors)).join(',')}]`;
    }
    const record = value as Record<string, unknown>;
    // Default sort compares UTF-16 code units, which is exactly the RFC 8785 member order.
    const names = Object.keys(record).sort();
    const members: string[] = [];
    for (const name of names) {
      if (record[name] === undefined) continue;
      members.push(`${serializeString(name)}:${serialize(record[name], name, ancestors)}`);
    }
    return `{${members.join(',')}}`;
  } finally {
    ancestors.delete(value);
  }
}
