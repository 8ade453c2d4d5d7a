import { parseInstant } from '../rating/instant.js';

/** An instant with its time zone, of years 0001 to 9999 once in UTC. */
export function isInstant(text: string): boolean {
  if (parseInstant(text) === null) return false;
  // Table intervals are calendar dates of years 1 to 9999; so is asOf, once in UTC.
  const year = new Date(text).getUTCFullYear();
  return year >= 1 && year <= 9999;
}
