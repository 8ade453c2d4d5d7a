import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Azure tenant ids are stored in lower case (`normalAzureTenantId`): they are GUIDs, and two
 * client tenants whose ids differ only in case are one Microsoft 365 organisation. Ids stored
 * before are lowered, and a CHECK keeps every later one so. Client tenants that already differ
 * only in case cannot be merged here (which one's snapshots, owner and assessments win is a
 * business decision), so the migration stops and names them instead.
 */
export class LowerCaseAzureTenantIds1764392400000 implements MigrationInterface {
  name = 'LowerCaseAzureTenantIds1764392400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      DO $$
      DECLARE clashes text;
      BEGIN
        SELECT string_agg(format('%s (client tenants %s)', id, tenants), '; ') INTO clashes
        FROM (SELECT lower(azure_tenant_id) AS id, string_agg(id::text, ', ' ORDER BY id) AS tenants
              FROM client_tenants GROUP BY lower(azure_tenant_id) HAVING count(*) > 1) c;
        IF clashes IS NOT NULL THEN
          RAISE EXCEPTION 'Azure tenant ids that differ only in case: %. Keep one client tenant of each (move or delete the others'' rows), then migrate again.', clashes;
        END IF;
      END $$`);
    await q.query(`
      UPDATE client_tenants SET azure_tenant_id = lower(azure_tenant_id)
      WHERE azure_tenant_id <> lower(azure_tenant_id)`);
    await q.query(`
      ALTER TABLE client_tenants ADD CONSTRAINT client_tenants_azure_tenant_id_lower_check
        CHECK (azure_tenant_id = lower(azure_tenant_id))`);
  }

  async down(q: QueryRunner): Promise<void> {
    // The ids stay lowered: the case they arrived in is still in each snapshot's archive.
    await q.query(
      `ALTER TABLE client_tenants DROP CONSTRAINT client_tenants_azure_tenant_id_lower_check`,
    );
  }
}
