/**
 * PostgreSQL array literals. A batch goes to the database as one array per column, passed to
 * `unnest`, and an array-valued column as an array of array literals, each cast per row
 * (`unnest` of a two-dimensional array would flatten it).
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
 * `aad_admin_consent_workflow` goes as it is, which keeps a literal of literals short.
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
