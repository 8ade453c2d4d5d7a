// ISO-8601 instants, exact to any fractional digit (Graph writes up to 7), without Date.parse's
// implementation-defined leniency.

export interface Instant {
  /** Whole seconds since 1970-01-01T00:00:00Z (UTC, no leap seconds). */
  readonly seconds: number;
  /** Fractional second digits, without trailing zeros ("" for none). */
  readonly fraction: string;
}

const INSTANT =
  /^([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt]([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]+))?(?:([Zz])|([+-])([0-9]{2}):([0-9]{2}))$/;
const DAY_SECONDS = 86_400;

/** `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`, or null when `text` is not such a valid instant. */
export function parseInstant(text: string): Instant | null {
  const match = INSTANT.exec(text);
  if (match === null) return null;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number);
  if (!isCalendarDate(year, month, day) || hour > 23 || minute > 59 || second > 59) return null;
  let offset = 0;
  if (match[8] === undefined) {
    const [offsetHours, offsetMinutes] = [Number(match[10]), Number(match[11])];
    if (offsetHours > 23 || offsetMinutes > 59) return null;
    offset = (match[9] === '-' ? -1 : 1) * (offsetHours * 3600 + offsetMinutes * 60);
  }
  const seconds =
    utcMidnightSeconds(year, month, day) + hour * 3600 + minute * 60 + second - offset;
  return { seconds, fraction: (match[7] ?? '').replace(/0+$/, '') };
}

/** Seconds at 00:00Z of a calendar date (setUTCFullYear, unlike Date.UTC, keeps years 0..99). */
function utcMidnightSeconds(year: number, month: number, day: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(0, 0, 0, 0);
  return date.getTime() / 1000;
}

/**
 * A day of the proleptic Gregorian calendar from 0001-01-01: ISO 8601 also numbers a year 0000
 * (1 BC), but PostgreSQL, where table dates are stored, has no year 0.
 */
export function isCalendarDate(year: number, month: number, day: number): boolean {
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  return day <= lengths[month - 1];
}

/**
 * Whole days from `from` to `to`, rounded down (floor), exactly: a snapshot taken after `asOf`
 * gives a negative age (-1 for one taken a few hours later).
 */
export function wholeDaysBetween(from: Instant, to: Instant): number {
  // to - from = (to.seconds - from.seconds) + (to.fraction - from.fraction), the latter in (-1, 1).
  const seconds =
    to.seconds - from.seconds - (compareFractions(to.fraction, from.fraction) < 0 ? 1 : 0);
  return Math.floor(seconds / DAY_SECONDS);
}

function compareFractions(a: string, b: string): number {
  const length = Math.max(a.length, b.length);
  const x = a.padEnd(length, '0');
  const y = b.padEnd(length, '0');
  return x < y ? -1 : x > y ? 1 : 0;
}
