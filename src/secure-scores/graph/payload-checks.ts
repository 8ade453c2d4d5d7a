import type { ValidationIssue } from './secure-score-payload.parser.js';

/**
 * Small checks shared by the Secure Score and control profile parsers. Each records a violation
 * with its pointer and returns the value it accepts (or null), so one pass lists every problem.
 */
export class Checker {
  readonly errors: ValidationIssue[] = [];

  fail(pointer: string, message: string): null {
    this.errors.push({ pointer, message });
    return null;
  }

  isObject(value: unknown): value is Record<string, unknown> {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  }

  /** A required, non-empty string of at most `max` characters. */
  text(value: unknown, pointer: string, max: number, required = true): string | null {
    if (value === undefined || value === null)
      return required ? this.fail(pointer, 'is required') : null;
    if (typeof value !== 'string') return this.fail(pointer, 'must be a string');
    if (required && value.trim() === '') return this.fail(pointer, 'must not be empty');
    if (value.length > max) return this.fail(pointer, `must be at most ${max} characters`);
    return value;
  }

  /** A finite, non-negative JSON number as decimal text (`String(n)`, exact: see the JSON parser). */
  decimal(
    value: unknown,
    pointer: string,
    options: { required: boolean; max?: number },
  ): string | null {
    if (value === undefined || value === null)
      return options.required ? this.fail(pointer, 'is required') : null;
    if (typeof value !== 'number') return this.fail(pointer, 'must be a number');
    if (!Number.isFinite(value)) return this.fail(pointer, 'must be finite');
    if (value < 0) return this.fail(pointer, 'must not be negative');
    if (options.max !== undefined && value > options.max)
      return this.fail(pointer, `must be at most ${options.max}`);
    return String(value === 0 ? 0 : value);
  }

  count(value: unknown, pointer: string): number | null {
    if (value === undefined || value === null) return null;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
      return this.fail(pointer, 'must be a whole number, 0 or more');
    }
    return value;
  }

  strings(value: unknown, pointer: string, maxItems: number): string[] {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) return this.fail(pointer, 'must be an array of strings') ?? [];
    if (value.length > maxItems)
      return this.fail(pointer, `must have at most ${maxItems} items`) ?? [];
    value.forEach((item, i) => {
      if (typeof item !== 'string' || item.length > 256)
        this.fail(`${pointer}/${i}`, 'must be a string of at most 256 characters');
    });
    return value.filter((item): item is string => typeof item === 'string');
  }

  /** An ISO-8601 instant with a time zone (`Z` or an offset), normalised to UTC milliseconds. */
  instant(value: unknown, pointer: string, required = true): string | null {
    if (value === undefined || value === null)
      return required ? this.fail(pointer, 'is required') : null;
    if (
      typeof value !== 'string' ||
      !INSTANT.test(value) ||
      !validCalendarDate(value.slice(0, 10))
    ) {
      return this.fail(
        pointer,
        'must be an ISO-8601 date-time with a time zone, e.g. 2026-05-22T00:00:00Z',
      );
    }
    const time = Date.parse(value);
    return Number.isNaN(time)
      ? this.fail(pointer, 'is not a valid date-time')
      : new Date(time).toISOString();
  }

  /** A `YYYY-MM-DD` day (the 2017 report), as midnight UTC. */
  day(value: unknown, pointer: string): string | null {
    if (
      typeof value !== 'string' ||
      !/^\d{4}-\d{2}-\d{2}$/.test(value) ||
      !validCalendarDate(value)
    ) {
      return this.fail(pointer, 'must be a date YYYY-MM-DD');
    }
    return `${value}T00:00:00.000Z`;
  }
}

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;

function validCalendarDate(day: string): boolean {
  const [year, month, date] = day.split('-').map(Number);
  if (year < 1900 || year > 9999 || month < 1 || month > 12 || date < 1) return false;
  return date <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}
