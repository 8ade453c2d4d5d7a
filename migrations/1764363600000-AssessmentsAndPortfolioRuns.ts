import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Assessments (stored, append-only ratings with every input needed to replay them) and
 * portfolio runs (a pinned set of client tenants, rated in chunks by pg-boss workers).
 */
export class AssessmentsAndPortfolioRuns1764363600000 implements MigrationInterface {
  name = 'AssessmentsAndPortfolioRuns1764363600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE assessments (
        client_tenant_id uuid NOT NULL,
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        snapshot_id uuid NOT NULL,
        table_name text NOT NULL,
        table_version text NOT NULL,
        table_sha256 text NOT NULL,
        as_of timestamptz NOT NULL,
        industry text NULL,
        control_states jsonb NOT NULL,
        catalog_max_scores jsonb NOT NULL,
        rating jsonb NOT NULL,
        tier text NULL,
        factor numeric NULL,
        decision text NOT NULL,
        portfolio_run_id uuid NULL,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT assessments_pkey PRIMARY KEY (client_tenant_id, id),
        CONSTRAINT assessments_snapshot_fk FOREIGN KEY (client_tenant_id, snapshot_id)
          REFERENCES secure_score_snapshots (client_tenant_id, id)
      )`);
    await q.query(
      `CREATE INDEX assessments_history_idx ON assessments (client_tenant_id, created_at, id)`,
    );
    await q.query(`CREATE INDEX assessments_id_idx ON assessments (id)`);
    await q.query(`
      CREATE TRIGGER assessments_append_only BEFORE UPDATE OR DELETE ON assessments
      FOR EACH ROW EXECUTE FUNCTION forbid_change()`);
    await q.query(`
      CREATE TRIGGER assessments_no_truncate BEFORE TRUNCATE ON assessments
      FOR EACH STATEMENT EXECUTE FUNCTION forbid_change()`);

    await q.query(`
      CREATE TABLE portfolio_runs (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        status text NOT NULL,
        table_name text NOT NULL,
        table_version text NOT NULL,
        table_sha256 text NOT NULL,
        table_published boolean NOT NULL,
        as_of timestamptz NOT NULL,
        filter jsonb NOT NULL,
        compare_to jsonb NULL,
        total integer NOT NULL,
        done integer NOT NULL DEFAULT 0,
        failed integer NOT NULL DEFAULT 0,
        summary jsonb NULL,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz NULL,
        finished_at timestamptz NULL,
        CONSTRAINT portfolio_runs_pkey PRIMARY KEY (id),
        CONSTRAINT portfolio_runs_status_check
          CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled'))
      )`);
    await q.query(`
      CREATE TABLE portfolio_run_members (
        run_id uuid NOT NULL,
        client_tenant_id uuid NOT NULL,
        chunk integer NOT NULL,
        CONSTRAINT portfolio_run_members_pkey PRIMARY KEY (run_id, client_tenant_id),
        CONSTRAINT portfolio_run_members_run_fk FOREIGN KEY (run_id) REFERENCES portfolio_runs (id)
      )`);
    await q.query(
      `CREATE INDEX portfolio_run_members_chunk_idx ON portfolio_run_members (run_id, chunk)`,
    );
    await q.query(`
      CREATE TABLE portfolio_run_results (
        run_id uuid NOT NULL,
        client_tenant_id uuid NOT NULL,
        snapshot_id uuid NULL,
        index numeric NULL,
        tier text NULL,
        factor numeric NULL,
        decision text NULL,
        reasons text[] NOT NULL DEFAULT '{}',
        missing_controls text[] NOT NULL DEFAULT '{}',
        lacking_controls text[] NOT NULL DEFAULT '{}',
        previous_tier text NULL,
        previous_factor numeric NULL,
        error text NULL,
        assessment_id uuid NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT portfolio_run_results_pkey PRIMARY KEY (run_id, client_tenant_id),
        CONSTRAINT portfolio_run_results_run_fk FOREIGN KEY (run_id) REFERENCES portfolio_runs (id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE portfolio_run_results`);
    await q.query(`DROP TABLE portfolio_run_members`);
    await q.query(`DROP TABLE portfolio_runs`);
    await q.query(`DROP TABLE assessments`);
  }
}
