import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An Idempotency-Key replay must be the first response byte for byte (reliability checklist
 * IDEM-02). `jsonb` re-orders an object's members, so a replayed body differed from the first
 * one; `json` keeps the text as written. Rows stored before keep jsonb's order.
 */
export class IdempotentResponsesAsJson1764381600000 implements MigrationInterface {
  name = 'IdempotentResponsesAsJson1764381600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE idempotency_keys ALTER COLUMN response TYPE json USING response::json`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE idempotency_keys ALTER COLUMN response TYPE jsonb USING response::jsonb`,
    );
  }
}
