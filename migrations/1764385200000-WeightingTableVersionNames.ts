import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A version is "unique within name; never reused" (rating-spec §1), but deleting a draft freed
 * its name and version for a different document. Every name and version ever created is now
 * kept in an append-only ledger that creation inserts into first. Drafts deleted before this
 * migration are not in it (they left no row to recover them from).
 */
export class WeightingTableVersionNames1764385200000 implements MigrationInterface {
  name = 'WeightingTableVersionNames1764385200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE weighting_table_version_names (
        name text NOT NULL,
        version text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT weighting_table_version_names_pkey PRIMARY KEY (name, version)
      )`);
    await q.query(`
      INSERT INTO weighting_table_version_names (name, version, created_at)
      SELECT name, version, created_at FROM weighting_table_versions`);
    await q.query(`
      CREATE TRIGGER weighting_table_version_names_append_only
      BEFORE UPDATE OR DELETE ON weighting_table_version_names
      FOR EACH ROW EXECUTE FUNCTION forbid_change()`);
    await q.query(`
      CREATE TRIGGER weighting_table_version_names_no_truncate
      BEFORE TRUNCATE ON weighting_table_version_names
      FOR EACH STATEMENT EXECUTE FUNCTION forbid_change()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE weighting_table_version_names`);
  }
}
