import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An assessment's rating and inputs are written once, read whole and never searched inside:
 * `json` keeps them as the text the service wrote (members in the order of rating-spec §5),
 * where `jsonb` re-parses and re-orders them. Converting a 26 KB rating to jsonb cost PostgreSQL
 * 1.4 ms per assessment, the largest single cost of filing a portfolio run's assessments.
 */
export class AssessmentDocumentsAsJson1764370800000 implements MigrationInterface {
  name = 'AssessmentDocumentsAsJson1764370800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE assessments
        ALTER COLUMN rating TYPE json USING rating::json,
        ALTER COLUMN control_states TYPE json USING control_states::json,
        ALTER COLUMN catalog_max_scores TYPE json USING catalog_max_scores::json`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE assessments
        ALTER COLUMN rating TYPE jsonb USING rating::jsonb,
        ALTER COLUMN control_states TYPE jsonb USING control_states::jsonb,
        ALTER COLUMN catalog_max_scores TYPE jsonb USING catalog_max_scores::jsonb`);
  }
}
