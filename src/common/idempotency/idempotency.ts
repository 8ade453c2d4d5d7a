import type { EntityManager } from 'typeorm';
import type { Principal } from '../../access/roles.js';
import { canonicalSha256 } from '../canonical-json.js';
import { DomainError } from '../errors/domain-error.js';
import { IdempotencyKeyEntity } from './idempotency-key.entity.js';

export interface StoredResponse<B = unknown> {
  status: number;
  body: B;
}

export interface IdempotentRequest {
  /** Who sent it: keys are scoped per credential, so one client cannot replay another's. */
  scope: string;
  key: string;
  /** SHA-256 over method, route and raw body: the same key with another request is refused. */
  fingerprint: string;
}

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/** The header as OpenAPI describes it on every route that takes it. */
export const IDEMPOTENCY_KEY_HEADER = {
  name: 'Idempotency-Key',
  required: false,
  description:
    'Replays the first response for retries of the same request (1 to 255 visible ASCII characters, e.g. a UUID; per API key)',
};

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
export async function runIdempotent<B>(
  manager: EntityManager,
  request: IdempotentRequest,
  work: () => Promise<StoredResponse<B>>,
): Promise<StoredResponse<B> & { replayed: boolean }> {
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
    // The body this same work answered the first time.
    return { status: previous.status, body: previous.response as B, replayed: true };
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

/**
 * The Idempotency-Key of a request whose JSON body the framework parsed (`POST …/assessments`,
 * `POST /v1/portfolio-runs`), or null without one: the same key with another URL or another
 * body (by its RFC 8785 canonical form) is another request.
 */
export function idempotentRequest(
  principal: Principal,
  header: string | string[] | undefined,
  request: { method: string; url: string; body: unknown },
): IdempotentRequest | null {
  const key = validateIdempotencyKey(header);
  if (key === null) return null;
  return {
    scope: principal.keyId,
    key,
    fingerprint: `${request.method} ${request.url} ${canonicalSha256(request.body ?? null)}`,
  };
}

/** `work` once per Idempotency-Key (runIdempotent), or simply run when there is none. */
export async function withIdempotency<B>(
  manager: EntityManager,
  request: IdempotentRequest | null,
  work: () => Promise<StoredResponse<B>>,
): Promise<StoredResponse<B> & { replayed: boolean }> {
  if (request === null) return { ...(await work()), replayed: false };
  return runIdempotent(manager, request, work);
}
