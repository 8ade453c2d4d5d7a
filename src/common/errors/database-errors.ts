const UNAVAILABLE_SQLSTATES = new Set([
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '53300', // too_many_connections
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
]);
const UNAVAILABLE_NODE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
]);
const UNAVAILABLE_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error',
  'Connection is closed',
  'terminating connection',
  'the database system is',
];

// TypeORM releases a query runner whose connection fails (a terminated backend, 57P01) as the
// error arrives; the transaction's next query or its COMMIT then throws one of these (the
// runner's own, or its EntityManager's) instead of the driver's error.
const UNAVAILABLE_ERROR_NAMES = new Set([
  'QueryRunnerAlreadyReleasedError',
  'QueryRunnerProviderAlreadyReleasedError',
]);

/** Whether an error means "the database cannot be reached right now" (answer 503), not a bug. */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let current: unknown = error, depth = 0; current && depth < 4; depth++) {
    const candidate = current as {
      code?: unknown;
      message?: unknown;
      name?: unknown;
      driverError?: unknown;
      cause?: unknown;
    };
    if (typeof candidate.name === 'string' && UNAVAILABLE_ERROR_NAMES.has(candidate.name)) {
      return true;
    }
    if (typeof candidate.code === 'string') {
      if (UNAVAILABLE_SQLSTATES.has(candidate.code) || UNAVAILABLE_NODE_CODES.has(candidate.code)) {
        return true;
      }
    }
    if (typeof candidate.message === 'string') {
      const message = candidate.message;
      if (UNAVAILABLE_MESSAGES.some((fragment) => message.includes(fragment))) return true;
    }
    current = candidate.driverError ?? candidate.cause;
  }
  return false;
}

/**
 * Whether PostgreSQL gave up on the transaction for another's sake (a deadlock, 40P01; a
 * serialization failure, 40001): nothing was changed, and the same request may succeed when
 * retried. Writers take their rows in one order to make this rare; it is a 503, not a 500.
 */
export function isConcurrencyFailure(error: unknown): boolean {
  for (let current: unknown = error, depth = 0; current && depth < 4; depth++) {
    const candidate = current as { code?: unknown; driverError?: unknown; cause?: unknown };
    if (candidate.code === '40P01' || candidate.code === '40001') return true;
    current = candidate.driverError ?? candidate.cause;
  }
  return false;
}

/**
 * What a process that could not start should say of its database, or null when the failure is
 * not the database's: one line naming the setting to check, in place of a stack trace.
 */
export function databaseStartupProblem(error: unknown): string | null {
  const message = error instanceof Error ? error.message : String(error);
  const state = sqlState(error);
  if (state === '28P01' || state === '28000') {
    return `the database refused the user or password of DATABASE_URL (${message})`;
  }
  if (state === '3D000') return `the database DATABASE_URL names does not exist (${message})`;
  if (isDatabaseUnavailable(error)) {
    return `the database cannot be reached (${message}): check DATABASE_URL and that PostgreSQL is running there`;
  }
  return null;
}

export function sqlState(error: unknown): string | undefined {
  const candidate = error as { code?: unknown; driverError?: { code?: unknown } };
  const code = candidate?.driverError?.code ?? candidate?.code;
  return typeof code === 'string' ? code : undefined;
}
