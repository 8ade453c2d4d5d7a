import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { DomainError } from '../common/errors/domain-error.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { ALLOWED_ROLES, PUBLIC_ROUTE } from './access.decorators.js';
import { AccessService } from './access.service.js';
import type { Principal, Role } from './roles.js';
import { TokenBuckets } from './token-buckets.js';

/**
 * Global: closes every route not marked `@Public()`, then checks `@Roles(...)`. Two limits, per
 * process: failed authentications per client address (a brute force gets 429 before any key
 * is looked at, so a 429 says nothing about which keys exist), and requests per API key (one
 * partner's flood cannot take the capacity another partner's requests need).
 */
@Injectable()
export class AccessGuard implements CanActivate {
  private readonly failures: TokenBuckets | null;
  private readonly requests: TokenBuckets | null;

  constructor(
    private readonly reflector: Reflector,
    private readonly access: AccessService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    const perMinute = config.authFailuresPerMinute;
    this.failures = perMinute > 0 ? new TokenBuckets(perMinute / 60, perMinute) : null;
    this.requests =
      config.rateLimitPerSecond > 0
        ? new TokenBuckets(config.rateLimitPerSecond, config.rateLimitBurst)
        : null;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const principal = await this.admit(request);
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ALLOWED_ROLES, targets);
    if (roles && !roles.includes(principal.role)) {
      throw new DomainError('forbidden', `This route needs one of the roles: ${roles.join(', ')}`);
    }
    return true;
  }

  /**
   * The request's API key as a principal, once it is within its key's request rate: a request
   * takes one token, however often this is called for it. Called by `canActivate`, and earlier
   * for a request with a body: no route that takes a body is public, and a caller without a
   * valid key, or over its rate, should not have up to BODY_LIMIT_BYTES read and parsed first
   * (nor learn from a 400 how its body would fare, nor have a flood of bad bodies go unlimited).
   */
  async admit(request: AuthenticatedRequest): Promise<Principal> {
    if (request.admitted) return request.principal!;
    const principal = request.principal ?? (await this.authenticate(request));
    const wait = this.requests?.take(principal.keyId) ?? 0;
    if (wait > 0) throw rateLimited(wait, 'This API key is over its request rate');
    request.admitted = true;
    return principal;
  }

  /**
   * The request's API key as a principal, kept on the request, behind the per-address limit on
   * failures.
   */
  private async authenticate(request: AuthenticatedRequest): Promise<Principal> {
    const blocked = this.failures?.peek(request.ip) ?? 0;
    if (blocked > 0) {
      throw rateLimited(blocked, 'Too many failed authentications from this address');
    }
    try {
      request.principal = await this.access.authenticate(
        bearerToken(request.headers.authorization),
      );
      return request.principal;
    } catch (error) {
      if (error instanceof DomainError && error.code === 'unauthenticated') {
        this.failures?.take(request.ip);
      }
      throw error;
    }
  }
}

type AuthenticatedRequest = FastifyRequest & { principal?: Principal; admitted?: boolean };

function rateLimited(seconds: number, detail: string): DomainError {
  return new DomainError('rate-limited', `${detail}; retry in ${seconds} s`, [], {
    retryAfter: seconds,
  });
}

function bearerToken(header: string | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1] : null;
}
