import {
  closedObject,
  described,
  INSTANT,
  nullable,
  TEXT,
  UUID,
} from '../common/response-schemas.js';

export const CLIENT_TENANT_SCHEMA = closedObject({
  id: UUID,
  azureTenantId: described(TEXT, 'The Microsoft Entra tenant id, lower case'),
  partnerId: described(nullable(UUID), 'The partner that owns it, if a partner key first sent it'),
  name: nullable(TEXT),
  industry: described(nullable(TEXT), 'An industry slug, the input of industry modifiers'),
  createdAt: INSTANT,
  updatedAt: INSTANT,
});
