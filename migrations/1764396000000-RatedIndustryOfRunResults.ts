import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The industry each portfolio-run result was rated with (the one in force at the run's asOf,
 * rating-inputs.ts). Results showed the client tenant's current industry, which a later PATCH
 * changes, beside a factor rated with another. Results written before are backfilled by the
 * rating's own rule at their run's asOf (the latest industry recorded by then, else the first
 * ever recorded, else the current one), from the history as it stands now. Stop the workers of
 * the previous release first (README): one would go on writing results without the column.
 */
export class RatedIndustryOfRunResults1764396000000 implements MigrationInterface {
  name = 'RatedIndustryOfRunResults1764396000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE portfolio_run_results ADD COLUMN industry text NULL`);
    await q.query(`
      UPDATE portfolio_run_results r SET industry = COALESCE(
        (SELECT h.industry FROM client_tenant_industry_history h
         WHERE h.client_tenant_id = t.id AND h.effective_at <= p.as_of
         ORDER BY h.effective_at DESC LIMIT 1),
        (SELECT h.industry FROM client_tenant_industry_history h
         WHERE h.client_tenant_id = t.id ORDER BY h.effective_at LIMIT 1),
        t.industry)
      FROM client_tenants t, portfolio_runs p
      WHERE t.id = r.client_tenant_id AND p.id = r.run_id`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE portfolio_run_results DROP COLUMN industry`);
  }
}
