/** RFC 4180 CSV: fields with a comma, quote, CR or LF are quoted, quotes doubled; arrays joined by ';'. */
export function csvLine(values: readonly unknown[]): string {
  return `${values.map(csvField).join(',')}\r\n`;
}

function csvField(value: unknown): string {
  const text = csvText(value);
  // A leading =, +, - or @ would be run as a formula by spreadsheet programs (OWASP CSV
  // injection); only a plain number such as -0.25 is left as it is (`-1+HYPERLINK(...)` is not).
  const safe =
    /^[=+\-@\t\r]/.test(text) && !/^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$/.test(text)
      ? `'${text}`
      : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function csvText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map(csvText).join(';');
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return value.toString();
  return JSON.stringify(value) ?? '';
}
