import fs from 'node:fs';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Seeds the catalog with the public catalog of current controls shipped with the service
 * (src/secure-scores/catalog/catalog.json, a copy of the fixtures' catalog.json: 435 profiles).
 */
export class SeedControlCatalog1764356400000 implements MigrationInterface {
  name = 'SeedControlCatalog1764356400000';

  async up(q: QueryRunner): Promise<void> {
    // The same relative path from migrations/ and from dist/migrations/ (the build copies the file).
    const file = new URL('../src/secure-scores/catalog/catalog.json', import.meta.url);
    const catalog = fs.readFileSync(file, 'utf8');
    // jsonb keeps each number as the decimal written ("7.0"), so max_score is exact.
    await q.query(
      `INSERT INTO control_profiles (control_name, title, control_category, service, tier, max_score,
         rank, action_type, user_impact, implementation_cost, threats, deprecated, source)
       SELECT e->>'id', e->>'title', e->>'controlCategory', e->>'service', e->>'tier',
         (e->>'maxScore')::numeric, (e->>'rank')::integer, e->>'actionType', e->>'userImpact',
         e->>'implementationCost',
         ARRAY(SELECT jsonb_array_elements_text(COALESCE(e->'threats', '[]'::jsonb))),
         (e->>'deprecated')::boolean, 'seed'
       FROM jsonb_array_elements($1::jsonb) AS e`,
      [catalog],
    );
    await q.query(
      `INSERT INTO control_profile_history (control_name, source, profile)
       SELECT e->>'id', 'seed', e FROM jsonb_array_elements($1::jsonb) AS e`,
      [catalog],
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM control_profile_history WHERE source = 'seed'`);
    await q.query(`DELETE FROM control_profiles WHERE source = 'seed'`);
  }
}
