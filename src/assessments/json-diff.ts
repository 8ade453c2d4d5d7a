import { canonicalJson } from '../common/canonical-json.js';

/** Where two JSON values differ; a side without a value there (`undefined`) lacks the member. */
export interface JsonDifference {
  pointer: string;
  stored: unknown;
  recomputed: unknown;
}

/** Every leaf where two JSON values differ, by JSON pointer (canonical comparison, no floats). */
export function diffJson(stored: unknown, recomputed: unknown, pointer = ''): JsonDifference[] {
  // A member or element on one side only (a reason added by a later release) has no JSON form
  // on the other: that is the difference.
  if (stored === undefined || recomputed === undefined) {
    return stored === recomputed ? [] : [{ pointer, stored, recomputed }];
  }
  if (canonicalJson(stored) === canonicalJson(recomputed)) return [];
  const bothObjects =
    typeof stored === 'object' &&
    stored !== null &&
    typeof recomputed === 'object' &&
    recomputed !== null &&
    Array.isArray(stored) === Array.isArray(recomputed);
  if (!bothObjects) return [{ pointer, stored, recomputed }];
  const keys = new Set([...Object.keys(stored), ...Object.keys(recomputed)]);
  return [...keys].flatMap((key) =>
    diffJson(
      (stored as Record<string, unknown>)[key],
      (recomputed as Record<string, unknown>)[key],
      `${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`,
    ),
  );
}
