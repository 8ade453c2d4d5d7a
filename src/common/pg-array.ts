/**
 * PostgreSQL array literals, for passing one array per row through `unnest($n::text[])` and a
 * per-row cast (`unnest` of a two-dimensional array would flatten it).
 */
export function textArrayLiteral(values: readonly (string | null)[]): string {
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) out += ',';
    const value = values[i];
    out += value === null ? 'NULL' : `"${value.replace(/["\\]/g, '\\$&')}"`;
  }
  return out + '}';
}

/** Decimal texts are digits, sign, point and exponent only, so they need no quoting. */
export function numericArrayLiteral(values: readonly (string | null)[]): string {
  return `{${values.map((value) => (value === null ? 'NULL' : value)).join(',')}}`;
}
