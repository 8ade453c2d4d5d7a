import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Azure tenant ids are stored in lower case (`normalAzureTenantId`): they are GUIDs, and two
 * client tenants whose ids differ only in case are one Microsoft 365 organisation. Ids stored
 * before are lowered. Where several client tenants already differ only in case, they cannot be
 * merged here: their snapshots and assessments are append-only and keyed by client tenant, and
 * which one's owner and history win is a business decision. So one id of each such group is
 * lowered (the lower-case one if there is one, else the first created, as ownership is first
 * come) and receives the feeds from now on; the others keep their ids and history as they are,
 * and are listed in a warning. No CHECK constraint: it would refuse every later change of those.
 */
export class LowerCaseAzureTenantIds1764392400000 implements MigrationInterface {
  name = 'LowerCaseAzureTenantIds1764392400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      WITH ranked AS (
        SELECT id, row_number() OVER (
                 PARTITION BY lower(azure_tenant_id)
                 ORDER BY azure_tenant_id = lower(azure_tenant_id) DESC, created_at, id) AS rank
        FROM client_tenants)
      UPDATE client_tenants t SET azure_tenant_id = lower(t.azure_tenant_id)
      FROM ranked r
      WHERE r.id = t.id AND r.rank = 1 AND t.azure_tenant_id <> lower(t.azure_tenant_id)`);
    await q.query(`
      DO $$
      DECLARE left_as_they_are text;
      BEGIN
        SELECT string_agg(format('%s (client tenant %s)', azure_tenant_id, id), '; ')
          INTO left_as_they_are
        FROM client_tenants WHERE azure_tenant_id <> lower(azure_tenant_id);
        IF left_as_they_are IS NOT NULL THEN
          RAISE WARNING 'Client tenants whose Azure tenant id differs only in case from another''s, left as they are (the lower-case one receives feeds): %', left_as_they_are;
        END IF;
      END $$`);
  }

  async down(): Promise<void> {
    // Nothing to undo: the ids stay lowered, and the case they arrived in is still in each
    // snapshot's archive.
  }
}
