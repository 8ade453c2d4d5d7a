import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { PartnerEntity } from '../access/partner.entity.js';
import type { Principal } from '../access/roles.js';
import { AuditService } from '../audit/audit.service.js';
import { canonicalSha256 } from '../common/canonical-json.js';
import { DomainError } from '../common/errors/domain-error.js';
import { decodeIdCursor, Page, toPage, UUID_PATTERN } from '../common/paging.js';
import { normalAzureTenantId } from './azure-tenant-id.js';
import { assertVisible, partnerScope } from './client-tenant-access.js';
import { ClientTenantEntity } from './client-tenant.entity.js';
import type { ListClientTenantsQueryDto, UpdateClientTenantDto } from './dto/client-tenant.dto.js';

export interface ClientTenantView {
  id: string;
  azureTenantId: string;
  partnerId: string | null;
  name: string | null;
  industry: string | null;
  createdAt: string;
  updatedAt: string;
}

@Injectable()
export class ClientTenantsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  async list(
    principal: Principal,
    query: ListClientTenantsQueryDto,
  ): Promise<Page<ClientTenantView>> {
    const after = decodeIdCursor(query.cursor);
    const scope = partnerScope(principal);
    const qb = this.dataSource.getRepository(ClientTenantEntity).createQueryBuilder('t');
    if (scope !== null) qb.andWhere('t.partner_id = :scope', { scope });
    if (query.partnerId) qb.andWhere('t.partner_id = :partnerId', { partnerId: query.partnerId });
    if (query.azureTenantId)
      qb.andWhere('t.azure_tenant_id = :azure', {
        azure: normalAzureTenantId(query.azureTenantId),
      });
    if (query.industry) qb.andWhere('t.industry = :industry', { industry: query.industry });
    if (after) qb.andWhere('t.id > :after', { after });
    const rows = await qb
      .orderBy('t.id')
      .limit(query.limit + 1)
      .getMany();
    return toPage(rows, query.limit, (t) => [t.id], toView);
  }

  async get(principal: Principal, id: string): Promise<ClientTenantView> {
    return toView(await this.findVisible(principal, id));
  }

  /**
   * The client tenant, if this principal may see it; else a 404 (see `assertVisible`). With
   * `lockedIn`, read under a row lock held until that transaction ends: what it changes is then
   * changed from what it read (see `update`).
   */
  async findVisible(
    principal: Principal,
    id: string,
    lockedIn?: EntityManager,
  ): Promise<ClientTenantEntity> {
    const tenant = !UUID_PATTERN.test(id)
      ? null
      : lockedIn
        ? await lockedIn.findOne(ClientTenantEntity, {
            where: { id },
            lock: { mode: 'pessimistic_write' },
          })
        : await this.dataSource.manager.findOne(ClientTenantEntity, { where: { id } });
    assertVisible(principal, tenant);
    return tenant!;
  }

  async update(
    principal: Principal,
    requestedId: string,
    change: UpdateClientTenantDto,
  ): Promise<ClientTenantView> {
    return this.dataSource.transaction(async (manager) => {
      // Locked: `save` writes every column that differs from what was read, so two PATCHes
      // that read the same row each put back what the other changed (a partner's industry
      // edit undid an admin's move, unaudited), and their industry history rows raced.
      const tenant = await this.findVisible(principal, requestedId, manager);
      // The stored (lower-case) id from here on: the URL may write the UUID in capitals.
      const { id } = tenant;
      const before = canonicalSha256(toView(tenant));
      // UUIDs have no case: a partner's own id in capitals is no move.
      const partnerId = change.partnerId && change.partnerId.toLowerCase();
      const moved = partnerId !== undefined && partnerId !== tenant.partnerId;
      const details: Record<string, unknown> = { name: change.name, industry: change.industry };
      if (moved) {
        await assertMayMove(manager, principal, partnerId);
        // Who had it, for whoever asks later where a client tenant's feeds came from.
        details.partnerId = { from: tenant.partnerId, to: partnerId };
        tenant.partnerId = partnerId;
      }
      if (change.name !== undefined) tenant.name = change.name;
      if (change.industry !== undefined && change.industry !== tenant.industry) {
        tenant.industry = change.industry;
        // In force from now, by the database's clock, and always after the row before it: a
        // later change must never sort first (ratings read the newest row by `effective_at`),
        // nor collide with one made in the same millisecond (the primary key) on another
        // replica whose clock is behind.
        await manager.query(
          `INSERT INTO client_tenant_industry_history (client_tenant_id, effective_at, industry)
           SELECT $1, GREATEST(clock_timestamp(), max(effective_at) + interval '1 millisecond'), $2
             FROM client_tenant_industry_history WHERE client_tenant_id = $1`,
          [id, change.industry],
        );
      }
      const saved = await manager.save(tenant);
      await this.audit.record(manager, principal, {
        action: moved ? 'client-tenant.moved' : 'client-tenant.updated',
        entityType: 'client-tenant',
        entityId: id,
        clientTenantId: id,
        beforeSha256: before,
        afterSha256: canonicalSha256(toView(saved)),
        details,
      });
      return toView(saved);
    });
  }
}

/**
 * A client tenant belongs to the partner that first pushed it, and only an admin moves it: when
 * the insured changes broker, or the first push came from the wrong partner (which then locks
 * the right one out: every partner push for it is refused).
 */
async function assertMayMove(
  manager: EntityManager,
  principal: Principal,
  partnerId: string | null,
): Promise<void> {
  if (principal.role !== 'admin') {
    throw new DomainError(
      'forbidden',
      'Only an admin may move a client tenant to another partner; send partnerId only with its current value',
    );
  }
  if (partnerId !== null && !(await manager.existsBy(PartnerEntity, { id: partnerId }))) {
    throw DomainError.validation([{ pointer: '/partnerId', message: 'No partner has this id' }]);
  }
}

export function toView(tenant: ClientTenantEntity): ClientTenantView {
  return {
    id: tenant.id,
    azureTenantId: tenant.azureTenantId,
    partnerId: tenant.partnerId,
    name: tenant.name,
    industry: tenant.industry,
    createdAt: tenant.createdAt.toISOString(),
    updatedAt: tenant.updatedAt.toISOString(),
  };
}
