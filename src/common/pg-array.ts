/**
 * PostgreSQL arrays, as text literals and in the binary format. A batch goes to the database as
 * one binary `text[]` per column, passed to `unnest`; an array-valued column's elements are
 * array literals, each cast per row (`unnest` of a two-dimensional array would flatten it).
 */
export function textArrayLiteral(values: readonly (string | null)[]): string {
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) out += ',';
    out += arrayElement(values[i]);
  }
  return out + '}';
}

/**
 * One element of an array literal, quoted only where `array_out` would quote it (empty, NULL,
 * braces, quotes, commas, backslashes, white space): a control name such as
 * `aad_admin_consent_workflow` goes as it is, with nothing to escape or unescape.
 */
export function arrayElement(value: string | null): string {
  if (value === null) return 'NULL';
  if (value !== '' && !NEEDS_QUOTES.test(value) && value.toUpperCase() !== 'NULL') return value;
  return `"${value.replace(/["\\]/g, '\\$&')}"`;
}

// \s covers more than array_in's white space; quoting more than needed is harmless.
const NEEDS_QUOTES = /[{}",\\\s]/;

/**
 * A numeric array literal from decimal text (as `decimalText` writes it: digits, `.`, `-`, an
 * exponent), which needs no quoting; null is NULL.
 */
export function decimalArrayLiteral(values: readonly (string | null)[]): string {
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) out += ',';
    const value = values[i];
    if (value !== null && !DECIMAL.test(value)) {
      throw new TypeError(`Not decimal text: ${JSON.stringify(value)}`);
    }
    out += value ?? 'NULL';
  }
  return out + '}';
}

const DECIMAL = /^-?\d+(?:\.\d+)?(?:e[+-]?\d+)?$/i;

/**
 * Text values as elements of PostgreSQL's binary array format, in one buffer of its own: each a
 * 4-byte big-endian length (-1 for NULL) and its UTF-8 bytes. No quoting or escaping: the
 * database reads the bytes as they are.
 */
export function binaryElements(values: readonly (string | null)[]): Uint8Array {
  let size = 0;
  for (const value of values) size += 4 + (value === null ? 0 : Buffer.byteLength(value));
  // A Uint8Array, not Buffer.allocUnsafe: small Buffers share a pool, which cannot be transferred.
  const out = new Uint8Array(size);
  const view = Buffer.from(out.buffer);
  let offset = 0;
  for (const value of values) {
    if (value === null) {
      offset = view.writeInt32BE(-1, offset);
    } else {
      const length = view.write(value, offset + 4, 'utf8');
      offset = view.writeInt32BE(length, offset) + length;
    }
  }
  return out;
}

/** Where each element of `binaryElements` output starts, and where the last one ends. */
export function elementOffsets(elements: Uint8Array): number[] {
  const view = Buffer.from(elements.buffer, elements.byteOffset, elements.byteLength);
  const offsets = [0];
  for (let offset = 0; offset < view.length;) {
    const length = view.readInt32BE(offset);
    offset += 4 + Math.max(length, 0);
    offsets.push(offset);
  }
  return offsets;
}

const TEXT_OID = 25;
const BINARY_ARRAY_HEADER = 20;

/**
 * A one-dimensional `text[]` in PostgreSQL's binary format from element slices (each a length
 * and its bytes, as `binaryElements` writes them). node-pg sends a Buffer parameter as binary.
 */
export function binaryTextArray(count: number, slices: readonly Uint8Array[]): Buffer {
  let size = BINARY_ARRAY_HEADER;
  for (const slice of slices) size += slice.length;
  const out = Buffer.allocUnsafe(size);
  out.writeInt32BE(1, 0); // dimensions
  out.writeInt32BE(0, 4); // flags (has-nulls is not required to be set)
  out.writeInt32BE(TEXT_OID, 8);
  out.writeInt32BE(count, 12);
  out.writeInt32BE(1, 16); // lower bound
  let offset = BINARY_ARRAY_HEADER;
  for (const slice of slices) {
    out.set(slice, offset);
    offset += slice.length;
  }
  return out;
}
