import type { EntityManager } from 'typeorm';
import { readsCatalogMaxScore } from '../rating/adoption.js';
import type { ControlState, RatingSnapshot } from '../rating/rating.types.js';
import { withInstanceAliases } from '../secure-scores/catalog/control-warnings.js';

/** What the rating of one client tenant at `asOf` reads besides the table and the catalog. */
export interface ClientTenantRatingInputs {
  clientTenantId: string;
  snapshot: SnapshotRow | null;
  industry: string | null;
  controlStates: Record<string, ControlState>;
}

/** A stored snapshot as the rating reads it. */
export interface SnapshotRow {
  id: string;
  clientTenantId: string;
  createdDateTime: Date;
  activeUserCount: number | null;
  licensedUserCount: number | null;
  /**
   * The control arrays as one JSON text, `[names, categories, scores, percentages, maxScores]`
   * (decimals as strings), parsed by toRatingSnapshot: text crosses to a rating thread as one
   * copy, where parsed arrays would be cloned value by value.
   */
  controls: string;
}

/**
 * Loads the rating inputs of many client tenants with one query per kind, never one per client
 * tenant: the latest snapshot at or before `asOf` (or the one named), the industry in force at
 * `asOf` (the first one recorded when none was recorded by then: the industry describes the
 * organisation, so the earliest known value applies backwards), and the control states at `asOf`.
 */
export async function loadRatingInputs(
  manager: EntityManager,
  clientTenantIds: string[],
  asOf: Date,
  snapshotId: string | null = null,
): Promise<Map<string, ClientTenantRatingInputs>> {
  const [snapshots, industries, states] = await Promise.all([
    loadSnapshots(manager, clientTenantIds, asOf, snapshotId),
    loadIndustries(manager, clientTenantIds, asOf),
    loadControlStates(manager, clientTenantIds, asOf),
  ]);
  return new Map(
    clientTenantIds.map((id) => [
      id,
      {
        clientTenantId: id,
        snapshot: snapshots.get(id) ?? null,
        industry: industries.get(id) ?? null,
        controlStates: states.get(id) ?? {},
      },
    ]),
  );
}

async function loadSnapshots(
  manager: EntityManager,
  ids: string[],
  asOf: Date,
  snapshotId: string | null,
): Promise<Map<string, SnapshotRow>> {
  const rows: {
    id: string;
    client_tenant_id: string;
    created_date_time: Date;
    active_user_count: number | null;
    licensed_user_count: number | null;
    controls: string;
  }[] = await manager.query(
    // One index probe per client tenant (LATERAL ... LIMIT 1 on the natural key): an OR of the
    // two cases in one WHERE made the planner scan the whole table once per chunk.
    // Arrays as JSON text: an array literal took a JS parser half the CPU of a portfolio run.
    // Scores as text arrays: the rating reads decimal text.
    `SELECT s.id, s.client_tenant_id, s.created_date_time, s.active_user_count,
       s.licensed_user_count,
       json_build_array(s.control_names, s.control_categories, s.control_scores::text[],
         s.control_score_percentages::text[], s.control_max_scores::text[])::text AS controls
     FROM unnest($1::uuid[]) AS t(id)
     CROSS JOIN LATERAL (
       SELECT * FROM secure_score_snapshots x
       WHERE x.client_tenant_id = t.id
         AND (CASE WHEN $3::uuid IS NULL THEN x.created_date_time <= $2 ELSE x.id = $3::uuid END)
       ORDER BY x.created_date_time DESC LIMIT 1) s`,
    [ids, asOf, snapshotId],
  );
  return new Map(
    rows.map((row) => [
      row.client_tenant_id,
      {
        id: row.id,
        clientTenantId: row.client_tenant_id,
        createdDateTime: row.created_date_time,
        activeUserCount: row.active_user_count,
        licensedUserCount: row.licensed_user_count,
        controls: row.controls,
      },
    ]),
  );
}

async function loadIndustries(
  manager: EntityManager,
  ids: string[],
  asOf: Date,
): Promise<Map<string, string | null>> {
  const rows: { client_tenant_id: string; industry: string | null }[] = await manager.query(
    `SELECT t.id AS client_tenant_id,
       COALESCE(
         (SELECT h.industry FROM client_tenant_industry_history h
          WHERE h.client_tenant_id = t.id AND h.effective_at <= $2 ORDER BY h.effective_at DESC LIMIT 1),
         (SELECT h.industry FROM client_tenant_industry_history h
          WHERE h.client_tenant_id = t.id ORDER BY h.effective_at LIMIT 1),
         t.industry) AS industry
     FROM client_tenants t WHERE t.id = ANY($1::uuid[])`,
    [ids, asOf],
  );
  return new Map(rows.map((row) => [row.client_tenant_id, row.industry]));
}

async function loadControlStates(
  manager: EntityManager,
  ids: string[],
  asOf: Date,
): Promise<Map<string, Record<string, ControlState>>> {
  const rows: { client_tenant_id: string; control_name: string; state: ControlState }[] =
    await manager.query(
      `SELECT DISTINCT ON (client_tenant_id, control_name) client_tenant_id, control_name, state
     FROM client_tenant_control_states
     WHERE client_tenant_id = ANY($1::uuid[]) AND effective_at <= $2
     ORDER BY client_tenant_id, control_name, effective_at DESC`,
      [ids, asOf],
    );
  const byTenant = new Map<string, [string, ControlState][]>();
  for (const row of rows) {
    const forTenant = byTenant.get(row.client_tenant_id) ?? [];
    forTenant.push([row.control_name, row.state]);
    byTenant.set(row.client_tenant_id, forTenant);
  }
  const states = new Map<string, Record<string, ControlState>>();
  for (const [tenant, named] of byTenant) {
    // No prototype: a control may be named "__proto__". A state an app instance's profile
    // (`11770.MDA_…`) set also applies to the control named without the instance.
    const forTenant: Record<string, ControlState> = Object.create(null);
    for (const [name, state] of withInstanceAliases(named)) forTenant[name] = state;
    states.set(tenant, forTenant);
  }
  return states;
}

type ControlArrays = [
  string[],
  (string | null)[],
  (string | null)[],
  (string | null)[],
  (string | null)[],
];

/** The stored snapshot as the pure rating reads it (decimals stay strings). */
export function toRatingSnapshot(row: SnapshotRow): RatingSnapshot {
  const [names, categories, scores, percentages, maxScores] = JSON.parse(
    row.controls,
  ) as ControlArrays;
  return {
    id: row.id,
    createdDateTime: row.createdDateTime.toISOString(),
    activeUserCount: row.activeUserCount,
    licensedUserCount: row.licensedUserCount,
    controlScores: names.map((controlName, i) => ({
      controlName,
      controlCategory: categories[i],
      score: scores[i],
      scoreInPercentage: percentages[i],
      maxScore: maxScores[i],
    })),
  };
}

/**
 * The catalog maxScores a rating of this snapshot can read under any table (controls without a
 * decimal percentage or maxScore of their own: readsCatalogMaxScore), kept with an assessment so
 * that a replay years later sees the catalog as it was. Graph snapshots carry percentages, so
 * this is usually empty; keeping every listed control's entry made it a fifth of a stored row.
 */
export function catalogSubset(
  catalog: ReadonlyMap<string, string>,
  snapshot: RatingSnapshot,
): Record<string, string> {
  // No prototype: a control may be named "__proto__".
  const subset: Record<string, string> = Object.create(null);
  for (const score of snapshot.controlScores) {
    if (!readsCatalogMaxScore(score)) continue;
    const maxScore = catalog.get(score.controlName);
    if (maxScore !== undefined) subset[score.controlName] = maxScore;
  }
  return subset;
}
