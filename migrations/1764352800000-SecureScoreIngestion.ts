import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Client tenants, Secure Score snapshots, the control catalog and per-client-tenant control
 * states, and Idempotency-Key records.
 *
 * A snapshot is one row with its control scores as parallel arrays (name, category, score,
 * percentage, own max) rather than a row per control: the rating always reads a snapshot's whole
 * vector, and a row per control costs an indexed insert per control (~49k rows/s measured here,
 * i.e. ~500 snapshots/s for a 100-control book). The view `snapshot_control_scores` gives the
 * row-per-control shape to SQL users.
 */
export class SecureScoreIngestion1764352800000 implements MigrationInterface {
  name = 'SecureScoreIngestion1764352800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE client_tenants (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        azure_tenant_id text NOT NULL,
        partner_id uuid NULL,
        name text NULL,
        industry text NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT client_tenants_pkey PRIMARY KEY (id),
        CONSTRAINT client_tenants_azure_tenant_id_key UNIQUE (azure_tenant_id),
        CONSTRAINT client_tenants_partner_fk FOREIGN KEY (partner_id) REFERENCES partners (id),
        CONSTRAINT client_tenants_industry_check CHECK (industry ~ '^[a-z0-9][a-z0-9-]{0,62}$')
      )`);
    await q.query(`CREATE INDEX client_tenants_partner_idx ON client_tenants (partner_id, id)`);
    await q.query(`CREATE INDEX client_tenants_industry_idx ON client_tenants (industry, id)`);
    // What an underwriter set, and when: assessments rate with the industry in force at asOf.
    await q.query(`
      CREATE TABLE client_tenant_industry_history (
        client_tenant_id uuid NOT NULL,
        effective_at timestamptz NOT NULL,
        industry text NULL,
        CONSTRAINT client_tenant_industry_history_pkey PRIMARY KEY (client_tenant_id, effective_at),
        CONSTRAINT client_tenant_industry_history_tenant_fk FOREIGN KEY (client_tenant_id)
          REFERENCES client_tenants (id)
      )`);
    await q.query(`
      CREATE TABLE secure_score_snapshots (
        client_tenant_id uuid NOT NULL,
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        created_date_time timestamptz NOT NULL,
        graph_id text NULL,
        source_shape text NOT NULL,
        current_score numeric NULL,
        max_score numeric NULL,
        active_user_count integer NULL,
        licensed_user_count integer NULL,
        enabled_services text[] NOT NULL,
        average_comparative_scores jsonb NOT NULL,
        control_names text[] NOT NULL,
        control_categories text[] NOT NULL,
        control_scores numeric[] NOT NULL,
        control_score_percentages numeric[] NOT NULL,
        control_max_scores numeric[] NOT NULL,
        content_sha256 text NOT NULL,
        raw_gzip bytea NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        received_by uuid NULL,
        CONSTRAINT secure_score_snapshots_pkey PRIMARY KEY (client_tenant_id, id),
        CONSTRAINT secure_score_snapshots_natural_key UNIQUE (client_tenant_id, created_date_time),
        CONSTRAINT secure_score_snapshots_tenant_fk FOREIGN KEY (client_tenant_id)
          REFERENCES client_tenants (id)
      )`);
    await q.query(`
      CREATE VIEW snapshot_control_scores AS
      SELECT s.client_tenant_id, s.id AS snapshot_id, s.created_date_time, c.ordinal,
             c.control_name, c.control_category, c.score, c.score_in_percentage, c.max_score
      FROM secure_score_snapshots s,
           unnest(s.control_names, s.control_categories, s.control_scores,
                  s.control_score_percentages, s.control_max_scores)
             WITH ORDINALITY AS c(control_name, control_category, score, score_in_percentage,
                                  max_score, ordinal)`);
    await q.query(`
      CREATE TABLE control_profiles (
        control_name text NOT NULL,
        title text NULL,
        control_category text NULL,
        service text NULL,
        tier text NULL,
        max_score numeric NULL,
        rank integer NULL,
        action_type text NULL,
        user_impact text NULL,
        implementation_cost text NULL,
        threats text[] NOT NULL DEFAULT '{}',
        deprecated boolean NULL,
        source text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT control_profiles_pkey PRIMARY KEY (control_name)
      )`);
    await q.query(`
      CREATE TABLE control_profile_history (
        id bigint GENERATED ALWAYS AS IDENTITY,
        control_name text NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        source text NOT NULL,
        profile jsonb NOT NULL,
        CONSTRAINT control_profile_history_pkey PRIMARY KEY (id)
      )`);
    await q.query(
      `CREATE INDEX control_profile_history_control_idx ON control_profile_history (control_name, recorded_at)`,
    );
    await q.query(`
      CREATE TABLE client_tenant_control_states (
        client_tenant_id uuid NOT NULL,
        control_name text NOT NULL,
        effective_at timestamptz NOT NULL,
        state text NOT NULL,
        updated_by text NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT client_tenant_control_states_pkey
          PRIMARY KEY (client_tenant_id, control_name, effective_at),
        CONSTRAINT client_tenant_control_states_tenant_fk FOREIGN KEY (client_tenant_id)
          REFERENCES client_tenants (id),
        CONSTRAINT client_tenant_control_states_state_check
          CHECK (state IN ('Default', 'Ignored', 'ThirdParty', 'Reviewed'))
      )`);
    await q.query(`
      CREATE TABLE idempotency_keys (
        scope text NOT NULL,
        key text NOT NULL,
        request_sha256 text NOT NULL,
        status integer NOT NULL,
        response jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT idempotency_keys_pkey PRIMARY KEY (scope, key)
      )`);
    await q.query(`CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE idempotency_keys`);
    await q.query(`DROP TABLE client_tenant_control_states`);
    await q.query(`DROP TABLE control_profile_history`);
    await q.query(`DROP TABLE control_profiles`);
    await q.query(`DROP VIEW snapshot_control_scores`);
    await q.query(`DROP TABLE secure_score_snapshots`);
    await q.query(`DROP TABLE client_tenant_industry_history`);
    await q.query(`DROP TABLE client_tenants`);
  }
}
