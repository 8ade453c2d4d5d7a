/**
 * Dates as Graph and the 2017 report send them. Written by hand rather than with `Date.parse`,
 * which accepts timezone-less text (as local time) and rolls 2024-02-30 over to March.
 */

/** An instant: UTC `YYYY-MM-DDTHH:mm:ss.sssZ`, plus digits below the millisecond for ordering. */
export interface Instant {
  iso: string;
  epochMs: number;
  /** Fraction digits beyond milliseconds (`2019-03-19T22:37:14.628799Z` -> "799"), for ties. */
  subMillis: string;
}

// RFC 3339 date-time (the ISO 8601 profile Graph emits): seconds required, zone required.
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** An RFC 3339 date-time as an instant, or null; null too outside years 0001 to 9999 in UTC. */
export function parseInstant(text: string): Instant | null {
  const m = DATE_TIME.exec(text);
  if (m === null) return null;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  if (!isCalendarDay(year, month, day) || hour > 23 || minute > 59 || second > 59) return null;
  const offsetHours = m[10] === undefined ? 0 : Number(m[10]);
  const offsetMinutes = m[11] === undefined ? 0 : Number(m[11]);
  if (offsetHours > 23 || offsetMinutes > 59) return null;
  const fraction = (m[7] ?? '').padEnd(9, '0');
  const offset = (m[9] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
  const date = new Date(0);
  // setUTCFullYear, unlike Date.UTC, keeps years 0-99 as written (the 2018 sentinel is 0001).
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, Number(fraction.slice(0, 3)));
  const epochMs = date.getTime() - offset;
  if (epochMs < FIRST_INSTANT_MS || epochMs > LAST_INSTANT_MS) return null;
  return { iso: new Date(epochMs).toISOString(), epochMs, subMillis: fraction.slice(3) };
}

// Years 0001 to 9999 in UTC. JavaScript also has a year 0000 (and an offset can move 0001 or
// 9999 across the edge), but PostgreSQL has no year 0 and toISOString writes years past 9999 as
// `+010000`: such an instant would be accepted here and refused by the database (a 500).
const FIRST_INSTANT_MS = new Date('0001-01-01T00:00:00.000Z').getTime();
const LAST_INSTANT_MS = new Date('9999-12-31T23:59:59.999Z').getTime();

/** A `YYYY-MM-DD` calendar day (years 0001 to 9999) as midnight UTC, or null. */
export function parseDay(text: string): string | null {
  const m = DAY.exec(text);
  if (m === null) return null;
  const [year, month, day] = m.slice(1, 4).map(Number);
  return year >= 1 && isCalendarDay(year, month, day)
    ? `${m[1]}-${m[2]}-${m[3]}T00:00:00.000Z`
    : null;
}

/** -1, 0 or 1; `null` (no date) sorts before every date. */
export function compareInstants(a: Instant | null, b: Instant | null): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
  if (a.epochMs !== b.epochMs) return a.epochMs < b.epochMs ? -1 : 1;
  return a.subMillis === b.subMillis ? 0 : a.subMillis < b.subMillis ? -1 : 1;
}

function isCalendarDay(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  return day <= days;
}
