import type { ValidationIssue } from './schema-validation.js';

/** Which of Graph's two Secure Score lists a document is. */
export type GraphListKind = 'secure-scores' | 'control-profiles';

/**
 * Which list a body that failed its own route's validation holds, if either can be told: a Graph
 * export folder (and a hurried caller) mixes `/security/secureScores` pages with
 * `/security/secureScoreControlProfiles` pages, which fail each other's validation with hundreds
 * of "is required" violations that never name the mistake. Graph's `@odata.context` names the
 * list; without one (a bare array, a trimmed capture), the items do: a snapshot has
 * `controlScores`, a profile has none and has a `title` (2018: `tenantSetState`) or states.
 */
export function graphListKind(body: unknown): GraphListKind | null {
  const context = isRecord(body) ? body['@odata.context'] : undefined;
  if (typeof context === 'string') {
    const list = /#security\/(secureScoreControlProfiles|secureScores)\b/i.exec(context)?.[1];
    if (list) return list.toLowerCase() === 'securescores' ? 'secure-scores' : 'control-profiles';
  }
  const items = Array.isArray(body) ? body : isRecord(body) ? body.value : undefined;
  if (!Array.isArray(items)) {
    return isRecord(body) && Object.hasOwn(body, 'controlScores') ? 'secure-scores' : null;
  }
  if (items.length === 0 || !items.every(isRecord)) return null;
  if (items.every((item) => Object.hasOwn(item, 'controlScores'))) return 'secure-scores';
  const profileLike = (item: Record<string, unknown>) =>
    !Object.hasOwn(item, 'controlScores') &&
    PROFILE_MEMBERS.some((name) => Object.hasOwn(item, name));
  return items.every(profileLike) ? 'control-profiles' : null;
}

const PROFILE_MEMBERS = ['title', 'controlStateUpdates', 'tenantSetState'];

/** The one violation for a body sent to the other list's route, in place of its own. */
export function wrongListIssue(kind: GraphListKind): ValidationIssue {
  return kind === 'control-profiles'
    ? {
        pointer: '',
        message:
          'is a list of control profiles (secureScoreControlProfile), not Secure Scores: send it to POST /v1/control-profiles',
      }
    : {
        pointer: '',
        message:
          'is Secure Score data (secureScore), not control profiles: send it to POST /v1/secure-scores',
      };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
