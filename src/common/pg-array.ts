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
