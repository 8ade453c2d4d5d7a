/**
 * An Azure tenant id as stored and compared: lower case. Tenant ids are GUIDs, which have no
 * case, so `AAAA…` and `aaaa…` are one Microsoft 365 organisation; compared as written, a case
 * variant would make a second client tenant for it, outside its owner's first-come claim.
 */
export function normalAzureTenantId(id: string): string {
  return id.toLowerCase();
}
