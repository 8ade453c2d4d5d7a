import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Partners, API keys and the append-only audit log. */
export class Foundation1764345600000 implements MigrationInterface {
  name = 'Foundation1764345600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS pgcrypto`);
    await q.query(`
      CREATE TABLE partners (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        name text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT partners_pkey PRIMARY KEY (id),
        CONSTRAINT partners_name_key UNIQUE (name)
      )`);
    await q.query(`
      CREATE TABLE api_keys (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        name text NOT NULL,
        role text NOT NULL,
        partner_id uuid NULL,
        prefix text NOT NULL,
        key_hash bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        created_by uuid NULL,
        expires_at timestamptz NULL,
        revoked_at timestamptz NULL,
        CONSTRAINT api_keys_pkey PRIMARY KEY (id),
        CONSTRAINT api_keys_key_hash_key UNIQUE (key_hash),
        CONSTRAINT api_keys_partner_fk FOREIGN KEY (partner_id) REFERENCES partners (id),
        CONSTRAINT api_keys_role_check CHECK (role IN ('admin', 'actuary', 'underwriter', 'partner')),
        CONSTRAINT api_keys_partner_role_check CHECK ((role = 'partner') = (partner_id IS NOT NULL))
      )`);
    await q.query(`CREATE INDEX api_keys_partner_id_idx ON api_keys (partner_id)`);
    await q.query(`
      CREATE TABLE audit_log (
        id bigint GENERATED ALWAYS AS IDENTITY,
        occurred_at timestamptz NOT NULL DEFAULT now(),
        actor_key_id text NOT NULL,
        actor_role text NOT NULL,
        actor_partner_id uuid NULL,
        action text NOT NULL,
        entity_type text NOT NULL,
        entity_id text NOT NULL,
        client_tenant_id uuid NULL,
        before_sha256 text NULL,
        after_sha256 text NULL,
        details jsonb NOT NULL DEFAULT '{}',
        CONSTRAINT audit_log_pkey PRIMARY KEY (id)
      )`);
    await q.query(`CREATE INDEX audit_log_entity_idx ON audit_log (entity_type, entity_id)`);
    // Append-only for every role, the service's own included: REVOKE would not bind a superuser
    // (the embedded server's only role), a trigger does.
    await q.query(`
      CREATE FUNCTION forbid_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP
          USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`
      CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
      FOR EACH ROW EXECUTE FUNCTION forbid_change()`);
    await q.query(`
      CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
      FOR EACH STATEMENT EXECUTE FUNCTION forbid_change()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit_log`);
    await q.query(`DROP FUNCTION forbid_change()`);
    await q.query(`DROP TABLE api_keys`);
    await q.query(`DROP TABLE partners`);
  }
}
