import type { EntityManager } from 'typeorm';
import { DomainError } from '../errors/domain-error.js';
import { IdempotencyKeyEntity } from './idempotency-key.entity.js';

export interface StoredResponse {
  status: number;
  body: unknown;
}

export interface IdempotentRequest {
  /** Who sent it: keys are scoped per credential, so one client cannot replay another's. */
  scope: string;
  key: string;
  /** SHA-256 over method, route and raw body: the same key with another request is refused. */
  fingerprint: string;
}

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

export function validateIdempotencyKey(value: string | string[] | undefined): string | null {
  if (value === undefined) return null;
  if (typeof value !== 'string' || !KEY_PATTERN.test(value)) {
    throw new DomainError(
      'bad-request',
      'Idempotency-Key must be 1 to 255 visible ASCII characters, e.g. a UUID, sent once',
    );
  }
  return value;
}

/**
 * Runs `work` at most once per Idempotency-Key, inside the caller's transaction (IETF
 * draft-ietf-httpapi-idempotency-key-header): a transaction-scoped advisory lock makes a
 * concurrent request with the same key a 409 at once; a completed key replays its first
 * response; another request under the same key is a 422. Failures roll back with the work and
 * store nothing, so a request that failed may be retried with its key.
 */
export async function runIdempotent(
  manager: EntityManager,
  request: IdempotentRequest,
  work: () => Promise<StoredResponse>,
): Promise<StoredResponse & { replayed: boolean }> {
  const [{ locked }] = await manager.query(
    'SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0)) AS locked',
    [`idempotency:${request.scope}:${request.key}`],
  );
  if (!locked) {
    throw new DomainError(
      'idempotency-in-flight',
      'A request with this Idempotency-Key is in progress; retry later',
    );
  }
  const previous = await manager.findOne(IdempotencyKeyEntity, {
    where: { scope: request.scope, key: request.key },
  });
  if (previous) {
    if (previous.requestSha256 !== request.fingerprint) {
      throw new DomainError(
        'idempotency-key-reused',
        'This Idempotency-Key was first used with a different request',
      );
    }
    return { status: previous.status, body: previous.response, replayed: true };
  }
  const response = await work();
  await manager.insert(IdempotencyKeyEntity, {
    scope: request.scope,
    key: request.key,
    requestSha256: request.fingerprint,
    status: response.status,
    response: response.body as object,
  });
  return { ...response, replayed: false };
}
