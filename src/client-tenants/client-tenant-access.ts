import type { Principal } from '../access/roles.js';
import { DomainError } from '../common/errors/domain-error.js';

/**
 * Partners see only the client tenants they brought; anything else is reported as not found,
 * so that ids of other partners' client tenants cannot be probed.
 */
export function assertVisible(
  principal: Principal,
  tenant: { partnerId: string | null } | null,
): void {
  if (
    tenant === null ||
    (principal.role === 'partner' && tenant.partnerId !== principal.partnerId)
  ) {
    throw DomainError.notFound('Client tenant');
  }
}

/** The partner filter a principal's queries must carry: its own partner id, or none. */
export function partnerScope(principal: Principal): string | null {
  return principal.role === 'partner' ? principal.partnerId : null;
}
