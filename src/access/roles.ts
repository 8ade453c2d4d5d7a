export const ROLES = ['admin', 'actuary', 'underwriter', 'partner'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling: taken only from the API key, passed explicitly to services. */
export interface Principal {
  keyId: string;
  role: Role;
  /** Set exactly when `role` is `partner`: the partner whose client tenants this key may see. */
  partnerId: string | null;
}

/** Runs that act without an HTTP caller (CLI, workers) use this principal. */
export const SYSTEM_PRINCIPAL: Principal = { keyId: 'system', role: 'admin', partnerId: null };
