/** A violation of an input rule, located by an RFC 6901 JSON pointer into the request body. */
export interface FieldViolation {
  pointer: string;
  message: string;
}

/**
 * The most violations one answer lists; a last one, at pointer `""`, says how many more there
 * were. The Secure Score validator stops collecting there, and the problem filter cuts any other
 * list there: a body of 200,000 unknown table fields got a 37 MB answer.
 */
export const MAX_LISTED_VIOLATIONS = 1_000;

const NOT_LISTED = ' more violations are not listed';

/** The last violation of a cut list: how many more there were. */
export function unlistedCount(more: number): FieldViolation {
  return { pointer: '', message: `${more}${NOT_LISTED}` };
}

export function isUnlistedCount(violation: FieldViolation): boolean {
  return violation.pointer === '' && violation.message.endsWith(NOT_LISTED);
}

/** Every failure a service may report; the problem filter maps each to exactly one HTTP status. */
export type DomainErrorCode =
  | 'validation-failed'
  | 'source-error'
  | 'malformed-json'
  | 'bad-request'
  | 'unauthenticated'
  | 'forbidden'
  | 'not-found'
  | 'method-not-allowed'
  | 'conflict'
  | 'snapshot-conflict'
  | 'table-immutable'
  | 'table-overlap'
  | 'idempotency-in-flight'
  | 'idempotency-key-reused'
  | 'no-table-in-force'
  | 'unprocessable'
  | 'payload-too-large'
  | 'unsupported-media-type'
  | 'uri-too-long'
  | 'header-fields-too-large'
  | 'request-timeout'
  | 'expectation-failed'
  | 'rate-limited'
  | 'database-unavailable'
  | 'concurrent-conflict'
  | 'overloaded'
  | 'shutting-down'
  | 'internal';

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly errors: FieldViolation[] = [],
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(message);
  }

  static validation(
    errors: FieldViolation[],
    message = 'The request has invalid fields',
  ): DomainError {
    return new DomainError('validation-failed', message, errors);
  }

  /**
   * The body is an error its source reported in place of the data (a collector's
   * `{"PSError": "HTTP 403 Forbidden"}`, Graph's `{"error": ...}`): its own problem type, for
   * the fix is at the source (a permission, a token), not in the payload.
   */
  static sourceError(errors: FieldViolation[], inPlaceOf: string): DomainError {
    return new DomainError(
      'source-error',
      `The body is an error reported by Graph or a collector in place of ${inPlaceOf}`,
      errors,
    );
  }

  static notFound(what: string): DomainError {
    return new DomainError('not-found', `${what} was not found`);
  }
}

export function problemStatus(code: DomainErrorCode): number {
  switch (code) {
    case 'malformed-json':
    case 'bad-request':
      return 400;
    case 'unauthenticated':
      return 401;
    case 'forbidden':
      return 403;
    case 'not-found':
      return 404;
    case 'method-not-allowed':
      return 405;
    case 'conflict':
    case 'snapshot-conflict':
    case 'table-immutable':
    case 'table-overlap':
    case 'idempotency-in-flight':
      return 409;
    case 'payload-too-large':
      return 413;
    case 'unsupported-media-type':
      return 415;
    case 'uri-too-long':
      return 414;
    case 'header-fields-too-large':
      return 431;
    case 'request-timeout':
      return 408;
    case 'expectation-failed':
      return 417;
    case 'validation-failed':
    case 'source-error':
    case 'idempotency-key-reused':
    case 'no-table-in-force':
    case 'unprocessable':
      return 422;
    case 'rate-limited':
      return 429;
    case 'database-unavailable':
    case 'concurrent-conflict':
    case 'overloaded':
    case 'shutting-down':
      return 503;
    case 'internal':
      return 500;
  }
}

export const PROBLEM_TITLES: Record<DomainErrorCode, string> = {
  'validation-failed': 'The request has invalid fields',
  'source-error': 'The body is an error its source reported in place of the data',
  'malformed-json': 'The body is not acceptable JSON',
  'bad-request': 'Bad request',
  unauthenticated: 'Missing or invalid API key',
  forbidden: 'The API key may not do this',
  'not-found': 'Not found',
  'method-not-allowed': 'The route does not take this method',
  conflict: 'Conflict',
  'snapshot-conflict': 'A different snapshot is already stored for this client tenant and date',
  'table-immutable': 'A published weighting table version cannot change',
  'table-overlap': 'The effective interval overlaps another published version',
  'idempotency-in-flight': 'A request with this Idempotency-Key is still being processed',
  'idempotency-key-reused': 'This Idempotency-Key was used with a different request',
  'no-table-in-force': 'No weighting table version can rate this request',
  unprocessable: 'The request cannot be processed',
  'payload-too-large': 'The body is larger than the limit',
  'unsupported-media-type': 'The body must be JSON',
  'uri-too-long': 'The URL is longer than the limit',
  'header-fields-too-large': 'The request headers are larger than the limit',
  'request-timeout': 'The request took too long to arrive',
  'expectation-failed': 'The service cannot meet the Expect header',
  'rate-limited': 'Too many requests',
  'database-unavailable': 'The database is unavailable; retry shortly',
  'concurrent-conflict': 'A concurrent request held what this one needed; retry it',
  overloaded: 'The service is at its capacity; retry shortly',
  'shutting-down': 'This instance of the service is shutting down; retry shortly',
  internal: 'Internal error',
};

export const PROBLEM_TYPE_BASE = 'urn:securescore:problem:';
