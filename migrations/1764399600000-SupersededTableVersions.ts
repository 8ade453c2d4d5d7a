import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A published version can be superseded by a later publication of the same table (rating-spec
 * §1: "superseded by a new version or closed by setting `effectiveTo` on a new publication").
 * Without this, a version published open-ended (`effectiveTo: null`, as the example table is)
 * blocked every later version of its name for good: each overlapped it, and it could not change.
 *
 * The superseded version's document, hash and own interval stay as published; the row records
 * from which day, and by which version, it is superseded. Its interval in force ends there, and
 * the exclusion constraint now keeps those intervals in force from overlapping. The guard lets
 * a published row take exactly this change: a supersession that ends it earlier than before,
 * inside its interval, and never on a day already begun (UTC), so which version was in force on
 * any day up to today never changes.
 */
export class SupersededTableVersions1764399600000 implements MigrationInterface {
  name = 'SupersededTableVersions1764399600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE weighting_table_versions
        ADD COLUMN superseded_from date NULL,
        ADD COLUMN superseded_by text NULL,
        ADD CONSTRAINT weighting_table_versions_superseded_check CHECK (
          (superseded_from IS NULL) = (superseded_by IS NULL)
          AND (superseded_from IS NULL OR (status = 'published'
            AND superseded_from > effective_from
            AND (effective_to IS NULL OR superseded_from < effective_to))))`);
    await q.query(
      `ALTER TABLE weighting_table_versions DROP CONSTRAINT weighting_table_versions_no_overlap`,
    );
    await q.query(`
      ALTER TABLE weighting_table_versions ADD CONSTRAINT weighting_table_versions_no_overlap
        EXCLUDE USING gist
          (name WITH =, daterange(effective_from, COALESCE(superseded_from, effective_to), '[)') WITH &&)
        WHERE (status = 'published')`);
    await q.query(`
      CREATE OR REPLACE FUNCTION weighting_table_versions_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          IF NEW.status <> 'draft' OR NEW.superseded_from IS NOT NULL THEN
            RAISE EXCEPTION 'weighting table % version % must be created as a draft', NEW.name, NEW.version
              USING ERRCODE = 'insufficient_privilege';
          END IF;
          RETURN NEW;
        END IF;
        IF OLD.status = 'published' THEN
          -- The one change a published version takes: superseded, earlier than before, from a
          -- day not yet begun. Its content, interval and publication stay as they were.
          IF TG_OP = 'UPDATE'
            AND (NEW.name, NEW.version, NEW.status, NEW.document, NEW.sha256, NEW.effective_from,
                 NEW.effective_to, NEW.created_by, NEW.created_at, NEW.published_by, NEW.published_at)
              IS NOT DISTINCT FROM (OLD.name, OLD.version, OLD.status, OLD.document, OLD.sha256,
                 OLD.effective_from, OLD.effective_to, OLD.created_by, OLD.created_at,
                 OLD.published_by, OLD.published_at)
            AND NEW.superseded_from IS NOT NULL
            AND NEW.superseded_from < COALESCE(OLD.superseded_from, 'infinity'::date)
            AND NEW.superseded_from > (now() AT TIME ZONE 'UTC')::date THEN
            RETURN NEW;
          END IF;
          RAISE EXCEPTION 'weighting table % version % is published and immutable: % is not allowed',
            OLD.name, OLD.version, TG_OP USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF TG_OP = 'DELETE' THEN
          RETURN OLD;
        END IF;
        -- Publication may change the status and record who and when; nothing of the content.
        IF NEW.status = 'published' AND (NEW.name, NEW.version, NEW.document, NEW.sha256,
            NEW.effective_from, NEW.effective_to, NEW.created_by, NEW.created_at, NEW.superseded_from)
          IS DISTINCT FROM (OLD.name, OLD.version, OLD.document, OLD.sha256,
            OLD.effective_from, OLD.effective_to, OLD.created_by, OLD.created_at, OLD.superseded_from) THEN
          RAISE EXCEPTION 'weighting table % version %: publication cannot change the content',
            OLD.name, OLD.version USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NEW;
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    // Superseded versions would overlap their successors again: refuse rather than break history.
    const [{ n }] = await q.query(
      `SELECT count(*)::int AS n FROM weighting_table_versions WHERE superseded_from IS NOT NULL`,
    );
    if (n > 0) throw new Error(`${n} superseded table version(s): cannot revert`);
    await q.query(
      `ALTER TABLE weighting_table_versions DROP CONSTRAINT weighting_table_versions_no_overlap`,
    );
    await q.query(`
      ALTER TABLE weighting_table_versions ADD CONSTRAINT weighting_table_versions_no_overlap
        EXCLUDE USING gist (name WITH =, daterange(effective_from, effective_to, '[)') WITH &&)
        WHERE (status = 'published')`);
    // The guard as WeightingTables1764360000000 made it, before the columns it reads go.
    await q.query(`
      CREATE OR REPLACE FUNCTION weighting_table_versions_guard() RETURNS trigger LANGUAGE plpgsql AS $$
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
      ALTER TABLE weighting_table_versions DROP CONSTRAINT weighting_table_versions_superseded_check,
        DROP COLUMN superseded_from, DROP COLUMN superseded_by`);
  }
}
