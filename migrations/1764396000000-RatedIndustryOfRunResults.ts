import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The industry each portfolio-run result was rated with (the one in force at the run's asOf,
 * rating-inputs.ts). Results showed the client tenant's current industry, which a later PATCH
 * changes, beside a factor rated with another. Results written before keep what they showed:
 * the industry their client tenant has now.
 */
export class RatedIndustryOfRunResults1764396000000 implements MigrationInterface {
  name = 'RatedIndustryOfRunResults1764396000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE portfolio_run_results ADD COLUMN industry text NULL`);
    await q.query(`
      UPDATE portfolio_run_results r SET industry = t.industry
      FROM client_tenants t WHERE t.id = r.client_tenant_id AND t.industry IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE portfolio_run_results DROP COLUMN industry`);
  }
}
