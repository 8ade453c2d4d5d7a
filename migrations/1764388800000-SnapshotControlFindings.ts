import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the control catalog said of a snapshot's controls when it arrived: the names it did not
 * know and the ones it marked deprecated. They are rated as the weighting table says (rating-spec
 * §3), and listed as warnings of the ingest response, the snapshot and every rating of it.
 * Snapshots stored before this migration keep empty lists: the catalog of their arrival is not
 * recoverable, and today's would misstate what was known then.
 */
export class SnapshotControlFindings1764388800000 implements MigrationInterface {
  name = 'SnapshotControlFindings1764388800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE secure_score_snapshots
        ADD COLUMN unknown_controls text[] NOT NULL DEFAULT '{}',
        ADD COLUMN deprecated_controls text[] NOT NULL DEFAULT '{}'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE secure_score_snapshots
        DROP COLUMN unknown_controls,
        DROP COLUMN deprecated_controls`);
  }
}
