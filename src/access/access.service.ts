import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, IsNull } from 'typeorm';
import { sha256Hex } from '../common/canonical-json.js';
import { sqlState } from '../common/errors/database-errors.js';
import { DomainError } from '../common/errors/domain-error.js';
import { decodeIdCursor, Page, PageQuery, toPage, UUID_PATTERN } from '../common/paging.js';
import { AuditService } from '../audit/audit.service.js';
import { ApiKeyEntity } from './api-key.entity.js';
import { bootstrapPrefix, generateKeySecret, hashKey, looksLikeKey } from './api-key-secret.js';
import { PartnerEntity } from './partner.entity.js';
import { SYSTEM_PRINCIPAL, type Principal, type Role } from './roles.js';

export interface ApiKeyView {
  id: string;
  name: string;
  role: Role;
  partnerId: string | null;
  prefix: string;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
}

export interface CreatedApiKey {
  id: string;
  name: string;
  role: Role;
  partnerId: string | null;
  prefix: string;
  key: string;
}

export interface CreateApiKeyInput {
  name: string;
  role: Role;
  partnerId?: string | null;
  expiresAt?: string | null;
}

// A verified key is trusted for this long without a query (never past its expiry); revocation in
// this process is immediate, in other replicas within this bound.
const AUTH_CACHE_MS = 1_000;

@Injectable()
export class AccessService {
  private readonly logger = new Logger(AccessService.name);
  private readonly cache = new Map<string, { principal: Principal; until: number }>();
  /**
   * Counts committed revocations. A key read from the database before a revocation committed
   * may answer its own request, but is not cached: otherwise a read that started before the
   * commit and finished after it would put the revoked key back for AUTH_CACHE_MS.
   */
  private revocations = 0;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  async authenticate(token: string | null): Promise<Principal> {
    if (token === null)
      throw new DomainError('unauthenticated', 'Send an API key as "Authorization: Bearer <key>"');
    if (!looksLikeKey(token)) throw new DomainError('unauthenticated', 'The API key is not valid');
    const hash = hashKey(token);
    const cacheKey = hash.toString('hex');
    const cached = this.cache.get(cacheKey);
    if (cached && cached.until > Date.now()) return cached.principal;
    const revocationsBefore = this.revocations;
    const key = await this.dataSource.getRepository(ApiKeyEntity).findOne({
      where: { keyHash: hash, revokedAt: IsNull() },
    });
    if (!key || (key.expiresAt && key.expiresAt.getTime() <= Date.now())) {
      this.cache.delete(cacheKey);
      throw new DomainError('unauthenticated', 'The API key is not valid');
    }
    const principal: Principal = { keyId: key.id, role: key.role, partnerId: key.partnerId };
    if (this.revocations === revocationsBefore) {
      const until = Math.min(Date.now() + AUTH_CACHE_MS, key.expiresAt?.getTime() ?? Infinity);
      this.cache.set(cacheKey, { principal, until });
    }
    return principal;
  }

  async createPartner(actor: Principal, name: string): Promise<{ id: string; name: string }> {
    try {
      return await this.dataSource.transaction(async (manager) => {
        const partner = await manager.save(manager.create(PartnerEntity, { name }));
        await this.audit.record(manager, actor, {
          action: 'partner.created',
          entityType: 'partner',
          entityId: partner.id,
          afterSha256: sha256Hex(JSON.stringify({ id: partner.id, name })),
        });
        return { id: partner.id, name: partner.name };
      });
    } catch (error) {
      if (sqlState(error) === '23505') {
        throw new DomainError('conflict', `A partner named "${name}" already exists`);
      }
      throw error;
    }
  }

  async listPartners(
    query: PageQuery,
  ): Promise<Page<{ id: string; name: string; createdAt: string }>> {
    const after = decodeIdCursor(query.cursor);
    const rows = await this.dataSource
      .getRepository(PartnerEntity)
      .createQueryBuilder('p')
      .where(after ? 'p.id > :after' : 'TRUE', { after })
      .orderBy('p.id')
      .limit(query.limit + 1)
      .getMany();
    return toPage(
      rows,
      query.limit,
      (p) => [p.id],
      (p) => ({
        id: p.id,
        name: p.name,
        createdAt: p.createdAt.toISOString(),
      }),
    );
  }

  async createApiKey(actor: Principal, input: CreateApiKeyInput): Promise<CreatedApiKey> {
    const partnerId = input.partnerId ?? null;
    if (input.role === 'partner' && partnerId === null) {
      throw DomainError.validation([
        { pointer: '/partnerId', message: 'A partner key needs partnerId' },
      ]);
    }
    if (input.role !== 'partner' && partnerId !== null) {
      throw DomainError.validation([
        { pointer: '/partnerId', message: 'Only a partner key belongs to a partner' },
      ]);
    }
    if (partnerId !== null && !UUID_PATTERN.test(partnerId)) {
      throw DomainError.validation([
        { pointer: '/partnerId', message: 'partnerId must be a UUID' },
      ]);
    }
    const secret = generateKeySecret();
    return this.dataSource.transaction(async (manager) => {
      if (partnerId && !(await manager.existsBy(PartnerEntity, { id: partnerId }))) {
        throw DomainError.validation([
          { pointer: '/partnerId', message: 'No partner has this id' },
        ]);
      }
      const key = await manager.save(
        manager.create(ApiKeyEntity, {
          name: input.name,
          role: input.role,
          partnerId,
          prefix: secret.prefix,
          keyHash: secret.hash,
          createdBy: actor.keyId === 'system' ? null : actor.keyId,
          expiresAt: input.expiresAt ? new Date(input.expiresAt) : null,
        }),
      );
      await this.audit.record(manager, actor, {
        action: 'api-key.created',
        entityType: 'api-key',
        entityId: key.id,
        afterSha256: secret.hash.toString('hex'),
        details: { role: key.role, partnerId, prefix: key.prefix },
      });
      this.logger.log({ keyId: key.id, role: key.role, partnerId }, 'API key created');
      return {
        id: key.id,
        name: key.name,
        role: key.role,
        partnerId,
        prefix: key.prefix,
        key: secret.key,
      };
    });
  }

  async listApiKeys(query: PageQuery): Promise<Page<ApiKeyView>> {
    const after = decodeIdCursor(query.cursor);
    const rows = await this.dataSource
      .getRepository(ApiKeyEntity)
      .createQueryBuilder('k')
      .where(after ? 'k.id > :after' : 'TRUE', { after })
      .orderBy('k.id')
      .limit(query.limit + 1)
      .getMany();
    return toPage(rows, query.limit, (k) => [k.id], toApiKeyView);
  }

  async revokeApiKey(actor: Principal, id: string): Promise<ApiKeyView> {
    // An id that is no UUID names no key: a 404, as on every route with an id in its path.
    if (!UUID_PATTERN.test(id)) throw DomainError.notFound('API key');
    const key = await this.dataSource.transaction(async (manager) => {
      const key = await manager.findOne(ApiKeyEntity, {
        where: { id },
        lock: { mode: 'pessimistic_write' },
      });
      if (!key) throw DomainError.notFound('API key');
      if (key.revokedAt === null) {
        key.revokedAt = new Date();
        await manager.update(ApiKeyEntity, { id: key.id }, { revokedAt: key.revokedAt });
        await this.audit.record(manager, actor, {
          action: 'api-key.revoked',
          entityType: 'api-key',
          entityId: key.id, // as stored: the URL may write the UUID in capitals
          beforeSha256: key.keyHash.toString('hex'),
        });
      }
      return key;
    });
    // After the commit, in one step: until then a request reads the key as valid, and may cache it.
    this.revocations++;
    this.cache.delete(key.keyHash.toString('hex'));
    return toApiKeyView(key);
  }

  /**
   * Makes the operator's BOOTSTRAP_API_KEY an admin key; idempotent across restarts. A new value
   * replaces the old: the bootstrap keys created before it and still active are revoked (and
   * audited), since an operator who changes a leaked secret expects the leaked one to stop
   * working. Only earlier ones, and only by an active key: a replica restarted with the old
   * value during a rollout must not revoke the new one. A bootstrap key revoked through the API
   * stays revoked: it is not brought back by a restart.
   */
  async ensureBootstrapKey(secret: string): Promise<void> {
    const hash = hashKey(secret);
    const { replaced, current } = await this.dataSource.transaction(async (manager) => {
      await manager
        .createQueryBuilder()
        .insert()
        .into(ApiKeyEntity)
        .values({
          name: 'bootstrap',
          role: 'admin',
          partnerId: null,
          prefix: bootstrapPrefix(hash),
          keyHash: hash,
        })
        .orIgnore()
        .execute();
      // Bootstrap keys are the ones with a `boot_` prefix: keys made through the API are `ssk_`.
      // TypeORM answers an UPDATE with [rows, rowCount].
      const [revoked]: [{ id: string; key_hash: Buffer }[], number] = await manager.query(
        `UPDATE api_keys earlier SET revoked_at = now()
         FROM api_keys given
         WHERE given.key_hash = $1 AND given.revoked_at IS NULL
           AND earlier.prefix LIKE 'boot\\_%' AND earlier.revoked_at IS NULL
           AND (earlier.created_at, earlier.id) < (given.created_at, given.id)
         RETURNING earlier.id, earlier.key_hash`,
        [hash],
      );
      for (const key of revoked) {
        await this.audit.record(manager, SYSTEM_PRINCIPAL, {
          action: 'api-key.revoked',
          entityType: 'api-key',
          entityId: key.id,
          beforeSha256: key.key_hash.toString('hex'),
          details: { reason: 'BOOTSTRAP_API_KEY replaced' },
        });
      }
      const current = await manager.findOneByOrFail(ApiKeyEntity, { keyHash: hash });
      return { replaced: revoked, current };
    });
    for (const key of replaced) this.cache.delete(key.key_hash.toString('hex'));
    if (replaced.length > 0)
      this.logger.log(
        `BOOTSTRAP_API_KEY changed: revoked ${replaced.length} earlier bootstrap key(s)`,
      );
    if (current.revokedAt !== null)
      this.logger.warn(
        'BOOTSTRAP_API_KEY names a revoked key: set a new secret to get an admin key',
      );
  }
}

function toApiKeyView(key: ApiKeyEntity): ApiKeyView {
  return {
    id: key.id,
    name: key.name,
    role: key.role,
    partnerId: key.partnerId,
    prefix: key.prefix,
    createdAt: key.createdAt.toISOString(),
    expiresAt: key.expiresAt?.toISOString() ?? null,
    revokedAt: key.revokedAt?.toISOString() ?? null,
  };
}
