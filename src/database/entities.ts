import { ApiKeyEntity } from '../access/api-key.entity.js';
import { PartnerEntity } from '../access/partner.entity.js';
import { AuditEntryEntity } from '../audit/audit-entry.entity.js';

/** Every entity, listed once for the app, the CLI and the drift check. */
export const ENTITIES = [PartnerEntity, ApiKeyEntity, AuditEntryEntity];
