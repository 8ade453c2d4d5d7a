import { DomainError } from './errors/domain-error.js';

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface PageQuery {
  limit: number;
  cursor?: string;
}

export const MAX_PAGE_SIZE = 500;
export const DEFAULT_PAGE_SIZE = 100;

/** An opaque cursor: the sort key values of the last item of the previous page. */
export function encodeCursor(...values: string[]): string {
  return Buffer.from(JSON.stringify(values), 'utf8').toString('base64url');
}

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * What each value of a cursor may be. A cursor is opaque but not trusted: one built by hand goes
 * into a query as a parameter, so each value must be of the kind the service put there (an
 * out-of-range date or a NUL would otherwise reach PostgreSQL and answer 500).
 */
const CURSOR_VALUES = {
  uuid: (value: string) => UUID_PATTERN.test(value),
  // As toISOString() writes it: a four-digit year, milliseconds, UTC. Not year 0000, which
  // JavaScript has and PostgreSQL does not.
  instant: (value: string) =>
    /^(?!0000)\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(value) &&
    !Number.isNaN(Date.parse(value)) &&
    new Date(value).toISOString() === value,
  date: (value: string) =>
    /^(?!0000)\d{4}-\d{2}-\d{2}$/.test(value) &&
    !Number.isNaN(Date.parse(value)) &&
    new Date(value).toISOString().startsWith(value),
  text: (value: string) => value.length <= 255 && !value.includes('\u0000'),
} satisfies Record<string, (value: string) => boolean>;

export type CursorValue = keyof typeof CURSOR_VALUES;

/** The values of a cursor this service issued, of the kinds given; null for the first page. */
export function decodeCursor(cursor: string | undefined, kinds: CursorValue[]): string[] | null {
  if (cursor === undefined) return null;
  try {
    const values: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(values) &&
      values.length === kinds.length &&
      values.every((v, i) => typeof v === 'string' && CURSOR_VALUES[kinds[i]](v))
    ) {
      return values as string[];
    }
  } catch {
    // falls through to the validation error below
  }
  throw DomainError.validation([
    { pointer: '/cursor', message: 'The cursor is not one this service issued' },
  ]);
}

/** The id after which an id-ordered page starts, or null for the first page. */
export function decodeIdCursor(cursor: string | undefined): string | null {
  return decodeCursor(cursor, ['uuid'])?.[0] ?? null;
}

/** Cuts a `limit + 1` query result into a page, with the cursor taken from the last item kept. */
export function toPage<T, V>(
  rows: T[],
  limit: number,
  cursorOf: (row: T) => string[],
  map: (row: T) => V,
): Page<V> {
  const more = rows.length > limit;
  const items = more ? rows.slice(0, limit) : rows;
  return {
    items: items.map(map),
    nextCursor: more ? encodeCursor(...cursorOf(items[items.length - 1])) : null,
  };
}
