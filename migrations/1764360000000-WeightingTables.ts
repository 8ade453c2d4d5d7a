import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Weighting table versions: drafts editable, published versions immutable, and no two published
 * versions of one table name in force on the same day. Both rules live in the database too, so
 * no code path (a bug, a console session) can reprice history.
 */
export class WeightingTables1764360000000 implements MigrationInterface {
  name = 'WeightingTables1764360000000';

  async up(q: QueryRunner): Promise<void> {
    // btree_gist lets one GiST exclusion constraint mix `name WITH =` and a date range overlap.
    await q.query(`CREATE EXTENSION IF NOT EXISTS btree_gist`);
    await q.query(`
      CREATE TABLE weighting_table_versions (
        name text NOT NULL,
        version text NOT NULL,
        status text NOT NULL,
        document jsonb NOT NULL,
        sha256 text NOT NULL,
        effective_from date NOT NULL,
        effective_to date NULL,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        published_by text NULL,
        published_at timestamptz NULL,
        CONSTRAINT weighting_table_versions_pkey PRIMARY KEY (name, version),
        CONSTRAINT weighting_table_versions_status_check CHECK (status IN ('draft', 'published')),
        CONSTRAINT weighting_table_versions_interval_check
          CHECK (effective_to IS NULL OR effective_to > effective_from),
        CONSTRAINT weighting_table_versions_published_check
          CHECK ((status = 'published') = (published_at IS NOT NULL AND published_by IS NOT NULL)),
        CONSTRAINT weighting_table_versions_no_overlap EXCLUDE USING gist
          (name WITH =, daterange(effective_from, effective_to, '[)') WITH &&)
          WHERE (status = 'published')
      )`);
    // A BEFORE trigger binds every role, the embedded server's superuser included (REVOKE would not).
    await q.query(`
      CREATE FUNCTION weighting_table_versions_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          IF NEW.status <> 'draft' THEN
            RAISE EXCEPTION 'weighting table % version % must be created as a draft', NEW.name, NEW.version
              USING ERRCODE = 'insufficient_privilege';
          END IF;
          RETURN NEW;
        END IF;
        IF OLD.status = 'published' THEN
          RAISE EXCEPTION 'weighting table % version % is published and immutable: % is not allowed',
            OLD.name, OLD.version, TG_OP USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF TG_OP = 'DELETE' THEN
          RETURN OLD;
        END IF;
        -- Publication may change the status and record who and when; nothing of the content.
        IF NEW.status = 'published' AND (NEW.name, NEW.version, NEW.document, NEW.sha256,
            NEW.effective_from, NEW.effective_to, NEW.created_by, NEW.created_at)
          IS DISTINCT FROM (OLD.name, OLD.version, OLD.document, OLD.sha256,
            OLD.effective_from, OLD.effective_to, OLD.created_by, OLD.created_at) THEN
          RAISE EXCEPTION 'weighting table % version %: publication cannot change the content',
            OLD.name, OLD.version USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE TRIGGER weighting_table_versions_immutable
      BEFORE INSERT OR UPDATE OR DELETE ON weighting_table_versions
      FOR EACH ROW EXECUTE FUNCTION weighting_table_versions_guard()`);
    await q.query(`
      CREATE TRIGGER weighting_table_versions_no_truncate BEFORE TRUNCATE ON weighting_table_versions
      FOR EACH STATEMENT EXECUTE FUNCTION forbid_change()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE weighting_table_versions`);
    await q.query(`DROP FUNCTION weighting_table_versions_guard()`);
  }
}
