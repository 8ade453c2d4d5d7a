import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The book's accumulation ("41% of insureds lack BlockLegacyAuthentication") is counted per chunk
 * as the chunk is written, not kept per result and unnested at the end: a result row carried the
 * names of every weak control (2.6 KB for 110 of them), and the closing query unnested them all
 * (2.4 s for 30,000 client tenants, inside the transaction that closes the run). Counts of runs
 * already written are rebuilt from their results. `down` restores the column empty: the
 * per-result lists are not kept anywhere else.
 */
export class LackingControlCounts1764378000000 implements MigrationInterface {
  name = 'LackingControlCounts1764378000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE portfolio_run_lacking_controls (
        run_id uuid NOT NULL,
        chunk integer NOT NULL,
        control text NOT NULL,
        clients integer NOT NULL,
        CONSTRAINT portfolio_run_lacking_controls_pkey PRIMARY KEY (run_id, chunk, control),
        CONSTRAINT portfolio_run_lacking_controls_run_fk FOREIGN KEY (run_id)
          REFERENCES portfolio_runs (id)
      )`);
    // A worker of the previous release still writing results must not slip one in between the
    // rebuild and the drop; and a large history may take longer than the service's timeout.
    await q.query(`LOCK TABLE portfolio_run_results IN SHARE MODE`);
    await q.query(`SET LOCAL statement_timeout = 0`);
    await q.query(`
      INSERT INTO portfolio_run_lacking_controls (run_id, chunk, control, clients)
      SELECT r.run_id, m.chunk, c.control, count(*)
      FROM portfolio_run_results r
      JOIN portfolio_run_members m
        ON m.run_id = r.run_id AND m.client_tenant_id = r.client_tenant_id
      CROSS JOIN unnest(r.lacking_controls) AS c(control)
      WHERE r.error IS NULL
      GROUP BY r.run_id, m.chunk, c.control`);
    await q.query(`SET LOCAL statement_timeout TO DEFAULT`);
    await q.query(`ALTER TABLE portfolio_run_results DROP COLUMN lacking_controls`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE portfolio_run_results ADD COLUMN lacking_controls text[] NOT NULL DEFAULT '{}'`,
    );
    // With the compression its sibling columns have (Lz4Compression set it where lz4 exists).
    const [{ method }]: { method: string }[] = await q.query(
      `SELECT attcompression::text AS method FROM pg_attribute
       WHERE attrelid = 'portfolio_run_results'::regclass AND attname = 'reasons'`,
    );
    if (method === 'l')
      await q.query(
        `ALTER TABLE portfolio_run_results ALTER COLUMN lacking_controls SET COMPRESSION lz4`,
      );
    await q.query(`DROP TABLE portfolio_run_lacking_controls`);
  }
}
