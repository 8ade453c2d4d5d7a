import type { EntityManager } from 'typeorm';

const TOP_LACKING = 15;

/**
 * The book at a glance, from the run's stored results (SQL aggregates, no row-by-row work):
 * tiers and decisions by count, factor mean/median/p90, the controls most often lacking across
 * the book (accumulation, from the per-chunk counts), and with a comparison, the tier migration
 * matrix and mean factor change.
 */
export async function summariseRun(
  manager: EntityManager,
  runId: string,
  compared: boolean,
): Promise<Record<string, unknown>> {
  // One after another: these run on the caller's transaction, one connection.
  const counts = await manager.query(
    `SELECT 'tier' AS kind, COALESCE(tier, 'unrated') AS key, count(*)::int AS n
         FROM portfolio_run_results WHERE run_id = $1 AND error IS NULL GROUP BY tier
       UNION ALL
       SELECT 'decision', decision, count(*)::int FROM portfolio_run_results
         WHERE run_id = $1 AND error IS NULL GROUP BY decision`,
    [runId],
  );
  const factors = await manager.query(
    `SELECT round(avg(factor), 4)::text AS mean,
         round(percentile_cont(0.5) WITHIN GROUP (ORDER BY factor)::numeric, 4)::text AS median,
         round(percentile_cont(0.9) WITHIN GROUP (ORDER BY factor)::numeric, 4)::text AS p90,
         count(factor)::int AS rated,
         round(avg(factor - previous_factor), 4)::text AS mean_change,
         count(*) FILTER (WHERE previous_factor IS NOT NULL AND factor IS NOT NULL)::int AS compared
       FROM portfolio_run_results WHERE run_id = $1 AND error IS NULL`,
    [runId],
  );
  const lacking = await manager.query(
    `WITH rated AS (SELECT count(*) AS n FROM portfolio_run_results WHERE run_id = $1 AND error IS NULL)
       SELECT control, sum(clients)::int AS clients,
         round(100.0 * sum(clients) / NULLIF((SELECT n FROM rated), 0), 1)::text AS percent
       FROM portfolio_run_lacking_controls WHERE run_id = $1
       GROUP BY control ORDER BY sum(clients) DESC, control LIMIT ${TOP_LACKING}`,
    [runId],
  );
  const migration = compared
    ? await manager.query(
        `SELECT COALESCE(previous_tier, 'unrated') AS "from", COALESCE(tier, 'unrated') AS "to", count(*)::int AS n
           FROM portfolio_run_results WHERE run_id = $1 AND error IS NULL
           GROUP BY 1, 2 ORDER BY 1, 2`,
        [runId],
      )
    : [];
  const byKind = (kind: string) =>
    Object.fromEntries(
      (counts as { kind: string; key: string; n: number }[])
        .filter((r) => r.kind === kind)
        .map((r) => [r.key, r.n]),
    );
  const f = factors[0] as Record<string, string | number | null>;
  const summary: Record<string, unknown> = {
    tiers: byKind('tier'),
    decisions: byKind('decision'),
    factor: { mean: f.mean, median: f.median, p90: f.p90, rated: f.rated },
    accumulation: (lacking as { control: string; clients: number; percent: string }[]).map(
      (row) => ({
        ...row,
        statement: `${row.percent}% of insureds lack ${row.control}`,
      }),
    ),
  };
  if (compared) {
    const matrix: Record<string, Record<string, number>> = {};
    for (const row of migration as { from: string; to: string; n: number }[]) {
      (matrix[row.from] ??= {})[row.to] = row.n;
    }
    summary.comparison = {
      tierMigration: matrix,
      meanFactorChange: f.mean_change,
      compared: f.compared,
    };
  }
  return summary;
}
