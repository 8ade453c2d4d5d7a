/**
 * Limits on Secure Score and control profile payloads.
 *
 * Why these numbers: real payloads are far below them, so they never reject real data, while
 * they bound the work and the stored size of a hostile or broken body well before the HTTP body
 * limit does (and every limit is a clear 422 violation with a pointer, not a 500).
 *
 * | limit                                   | value      | real data (securescore-contract.md)           |
 * |-----------------------------------------|------------|-----------------------------------------------|
 * | snapshots per request                   | 1,000      | Graph keeps 90 days per client tenant         |
 * | controlScores per snapshot              | 5,000      | 50-300 seen; the whole catalog is ~460        |
 * | control profiles per request            | 5,000      | pages of 200-250; 462 profiles on one tenant  |
 * | azureTenantId / tenantId length         | 100        | 36 (GUID), 37-38 in sanitised examples        |
 * | controlName, id, category, basis, ...   | 256        | longest ids ~60 characters                    |
 * | profile title / 2018 controlName        | 1,000      | ~150                                          |
 * | description (HTML)                      | 100,000    | a few KB                                      |
 * | enabledServices                         | 1,000 x 256| ~25 short flags                               |
 * | averageComparativeScores                | 100        | 2-3                                           |
 * | threats per profile                     | 100 x 256  | 0-5                                           |
 * | controlStateUpdates per profile         | 1,000      | 1                                             |
 * | control score, profile maxScore         | 0..10,000  | 0..10 (2024-2026), up to 50 (2018)            |
 * | currentScore, maxScore                  | 0..1e6     | up to ~1,400                                  |
 * | user counts, rank                       | Int32      | Graph declares Edm.Int32                      |
 * | violations listed per response          | 1,000      | MAX_LISTED_VIOLATIONS, then how many more     |
 */
export const LIMITS = {
  snapshots: 1_000,
  controls: 5_000,
  profiles: 5_000,
  tenantIdLength: 100,
  nameLength: 256,
  titleLength: 1_000,
  descriptionLength: 100_000,
  enabledServices: 1_000,
  comparativeScores: 100,
  threats: 100,
  stateUpdates: 1_000,
  controlScore: 10_000,
  totalScore: 1_000_000,
  int32: 2_147_483_647,
} as const;

/**
 * Not a strict GUID on purpose: Microsoft's own example (37 characters) and sanitised real
 * captures (heimdall2) are not valid GUIDs, and both must be accepted.
 */
export const AZURE_TENANT_ID_PATTERN = '^[A-Za-z0-9._-]*$';
