import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Principal } from '../access/roles.js';
import { AuditEntryEntity } from './audit-entry.entity.js';

export interface AuditEvent {
  action: string;
  entityType: string;
  entityId: string;
  clientTenantId?: string | null;
  beforeSha256?: string | null;
  afterSha256?: string | null;
  details?: Record<string, unknown>;
}

/** Writes audit rows inside the caller's transaction, so a rolled-back change leaves no trace. */
@Injectable()
export class AuditService {
  async record(manager: EntityManager, actor: Principal, event: AuditEvent): Promise<void> {
    const entry = manager.create(AuditEntryEntity, {
      actorKeyId: actor.keyId,
      actorRole: actor.role,
      actorPartnerId: actor.partnerId,
      action: event.action,
      entityType: event.entityType,
      entityId: event.entityId,
      clientTenantId: event.clientTenantId ?? null,
      beforeSha256: event.beforeSha256 ?? null,
      afterSha256: event.afterSha256 ?? null,
      details: event.details ?? {},
    });
    await manager.save(AuditEntryEntity, entry, { reload: false });
  }
}
