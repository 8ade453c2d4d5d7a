/** The resolved database URL (embedded or DATABASE_URL), for components that open their own pool. */
export const DATABASE_URL = Symbol('DATABASE_URL');
