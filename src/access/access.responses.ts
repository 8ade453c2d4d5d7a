import {
  closedObject,
  described,
  INSTANT,
  nullable,
  TEXT,
  UUID,
  type JsonSchema,
} from '../common/response-schemas.js';
import { ROLES } from './roles.js';

const ROLE: JsonSchema = { type: 'string', enum: [...ROLES] };
const KEY_PARTNER = described(nullable(UUID), 'Set exactly when the role is `partner`');

export const PRINCIPAL_SCHEMA = closedObject({
  keyId: UUID,
  role: ROLE,
  partnerId: KEY_PARTNER,
});

export const CREATED_PARTNER_SCHEMA = closedObject({ id: UUID, name: TEXT });
export const PARTNER_SCHEMA = closedObject({ id: UUID, name: TEXT, createdAt: INSTANT });

/** A key as listed: never its secret nor its hash. */
export const API_KEY_SCHEMA = closedObject({
  id: UUID,
  name: TEXT,
  role: ROLE,
  partnerId: KEY_PARTNER,
  prefix: described(TEXT, 'The public part of the key, as in logs'),
  createdAt: INSTANT,
  expiresAt: nullable(INSTANT),
  revokedAt: nullable(INSTANT),
});

export const CREATED_API_KEY_SCHEMA = closedObject({
  id: UUID,
  name: TEXT,
  role: ROLE,
  partnerId: KEY_PARTNER,
  prefix: TEXT,
  key: described(TEXT, 'The whole key, shown this once: only its hash is stored'),
});
