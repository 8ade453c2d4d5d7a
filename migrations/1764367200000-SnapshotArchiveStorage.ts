import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The snapshot archive is gzip already: PostgreSQL's TOAST compression (pglz) would spend CPU on
 * every insert to gain nothing. EXTERNAL keeps it out of line, uncompressed.
 */
export class SnapshotArchiveStorage1764367200000 implements MigrationInterface {
  name = 'SnapshotArchiveStorage1764367200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE secure_score_snapshots ALTER COLUMN raw_gzip SET STORAGE EXTERNAL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE secure_score_snapshots ALTER COLUMN raw_gzip SET STORAGE EXTENDED`);
  }
}
