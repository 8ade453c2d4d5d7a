import { randomUUID } from 'node:crypto';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { type FastifyInstance, type FastifyRequest, LogController } from 'fastify';
import type { Logger } from 'pino';
import { AccessGuard } from './access/access.guard.js';
import { AccessService } from './access/access.service.js';
import { AppModule } from './app.module.js';
import { DomainError } from './common/errors/domain-error.js';
import {
  answerStalledRequests,
  answerUnmetExpectations,
  clientErrorHandler,
  frameworkErrorHandler,
} from './common/errors/http-framework-errors.js';
import {
  checkedUtf8,
  decodeUtf8,
  parseJsonBytes,
  type RequestWithBodyBytes,
} from './common/json/hardened-json.parser.js';
import {
  createRootLogger,
  PinoNestLogger,
  redactKeys,
  redactLiterally,
  redactUrl,
} from './common/logging/logger.js';
import { createValidationPipe } from './common/validation.pipe.js';
import type { AppConfig } from './config/app-config.js';
import { migrateDatabase } from './database/database-startup.js';
import { setUpOpenApi } from './openapi.js';
import { parseYamlBody, YAML_CONTENT_TYPES } from './weighting-tables/yaml-body.js';

export interface CreateAppOptions {
  logger?: Logger;
  /** Skip the migration step (tests that share a pre-migrated template database). */
  skipMigrations?: boolean;
}

/** Builds the HTTP application on an already resolved database; `init()`ed, not yet listening. */
export async function createHttpApp(
  config: AppConfig,
  databaseUrl: string,
  options: CreateAppOptions = {},
): Promise<NestFastifyApplication> {
  const logger = options.logger ?? createRootLogger(config.logLevel);
  if (!options.skipMigrations) {
    const applied = await migrateDatabase(config, databaseUrl);
    if (applied.length > 0) logger.info({ applied }, 'Migrations applied');
  }
  const adapter = new FastifyAdapter({
    loggerInstance: logger.child({ component: 'http' }),
    // Fastify's own request lines log the URL with its query, which may carry a secret
    // (`?api_key=`): the service logs its own line instead (registerHardenedJson).
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.bodyLimitBytes,
    // The client's address (the per-address limit on failed authentications, the logs) is the
    // socket's peer unless TRUST_PROXY names the proxies whose X-Forwarded-For to believe.
    trustProxy: config.trustProxy,
    frameworkErrors: frameworkErrorHandler,
    clientErrorHandler,
    genReqId: (request: { headers: Record<string, string | string[] | undefined> }) =>
      clientRequestId(request.headers) ?? randomUUID(),
    // Drain on shutdown: Fastify's default closes idle keep-alive sockets and lets in-flight
    // requests finish (Nest's forceCloseConnections would destroy those too).
    return503OnClosing: true,
    // A connection silent this long mid-request: see answerStalledRequests.
    connectionTimeout: config.httpIdleTimeoutMs,
    requestTimeout: 120_000,
    keepAliveTimeout: 5_000,
    http: {
      // A client still sending its headers after 8 s is answered 408 and closed (slowloris):
      // Node's defaults are 60 s, checked every 30 s, and a trickle of bytes defeats
      // connectionTimeout. The check every second puts the close between 8 and 9 s.
      headersTimeout: 8_000,
      connectionsCheckingInterval: 1_000,
      // Node answers an HTTP/1.1 request without Host with a bare 400 of its own; the service
      // answers it with a problem document instead (registerHardenedJson's onRequest hook).
      requireHostHeader: false,
    },
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(config, databaseUrl),
    adapter,
    { logger: new PinoNestLogger(logger), bodyParser: false, abortOnError: false },
  );
  answerStalledRequests(app.getHttpAdapter().getInstance());
  answerUnmetExpectations(app.getHttpAdapter().getInstance());
  shedLoad(app.getHttpAdapter().getInstance(), config.maxInFlightRequests);
  checkBeforeBodies(app.getHttpAdapter().getInstance(), app.get(AccessGuard));
  registerHardenedJson(app.getHttpAdapter().getInstance(), config);
  app.useGlobalPipes(createValidationPipe());
  setUpOpenApi(app);
  if (config.bootstrapApiKey) {
    redactLiterally(config.bootstrapApiKey);
    await app.get(AccessService).ensureBootstrapKey(config.bootstrapApiKey);
  }
  await app.init();
  return app;
}

/**
 * Load shedding: past MAX_IN_FLIGHT_REQUESTS requests at once in this process, the next one is
 * answered 503 with Retry-After straight away, before its body is read, rather than queued behind
 * the others until every caller's deadline has passed (goodput falls as latency grows). Per-key
 * rate limits cannot do this when many keys each stay within theirs. Health checks are never
 * shed. A request counts until its response closes, which it does however it ends.
 */
function shedLoad(fastify: FastifyInstance, maxInFlight: number): void {
  if (maxInFlight === 0) return;
  let inFlight = 0;
  fastify.addHook('onRequest', (request, reply, done) => {
    if (request.routeOptions.url?.startsWith('/health/')) return done();
    if (inFlight >= maxInFlight) {
      const message = `This process is serving its ${maxInFlight} requests at once; retry shortly`;
      return done(new DomainError('overloaded', message, [], { retryAfter: 1 }));
    }
    inFlight++;
    let counted = true;
    const release = () => {
      if (counted) inFlight--;
      counted = false;
    };
    reply.raw.once('close', release);
    // A pipelined request queued behind another has no response of its own yet: when its client
    // resets, only the request closes, with its socket gone. (A request also closes once its
    // body is read, while its handler runs: that is not its end.)
    request.raw.once('close', () => {
      if (request.raw.socket?.destroyed ?? true) release();
    });
    done();
  });
}

/**
 * A request with a body is authenticated and rate-limited before the body is read (preParsing),
 * not after it is parsed as the guard alone would: unauthenticated or over its key's rate, it
 * costs no read or parse, and its answer is the 401 (or 429) whatever the body holds. Then its
 * Content-Encoding is checked. A request without a body passes straight on (no promise per
 * request: this runs on every one).
 */
function checkBeforeBodies(fastify: FastifyInstance, guard: AccessGuard): void {
  fastify.addHook('preParsing', (request, _reply, payload, done) => {
    const length = request.headers['content-length'];
    const hasBody =
      (length !== undefined && length !== '0') ||
      request.headers['transfer-encoding'] !== undefined;
    if (!hasBody) return done(null, payload);
    guard.admit(request).then(
      () => {
        const encoding = request.headers['content-encoding'];
        if (encoding !== undefined && encoding.trim().toLowerCase() !== 'identity') {
          const message = `Content-Encoding ${JSON.stringify(encoding)} is not accepted; send the body uncompressed`;
          return done(new DomainError('unsupported-media-type', message));
        }
        done(null, payload);
      },
      (error: Error) => done(error),
    );
  });
}

/**
 * Every JSON body goes through the strict parser (weighting tables may be YAML); any other content
 * type is a 415.
 */
// Routes whose handler has its body's bytes decoded and parsed, with the same strict parser, on
// a thread: Secure Score bodies are 20 to 60 KB (SnapshotPreparer), and so is the snapshot in a
// rating request (RateRequestChecker). Decoding alone is 50 µs of the event loop for the real
// 53 KB snapshot, and took a quarter of it under ten clients posting 3 MB rating requests.
const DEFERRED_JSON_ROUTES = new Set(['POST /v1/secure-scores', 'POST /v1/rate']);

function registerHardenedJson(fastify: FastifyInstance, config: AppConfig): void {
  fastify.removeAllContentTypeParsers();
  const options = { parseAs: 'buffer' as const, bodyLimit: config.bodyLimitBytes };
  for (const type of ['application/json', /^application\/[\w.-]+\+json(?:\s*;|$)/i]) {
    fastify.addContentTypeParser(type, options, (request, body, done) => {
      // A DELETE takes no body; some clients label its empty one JSON all the same.
      if (request.method === 'DELETE' && (body as unknown as Buffer).length === 0)
        return done(null, undefined);
      try {
        if (DEFERRED_JSON_ROUTES.has(`${request.method} ${request.routeOptions.url}`)) {
          checkCharset(request);
          // Refused here, as on every other route, before the handler's own checks: checking
          // costs a microsecond, decoding (left to the thread) fifty.
          checkedUtf8(body as unknown as Buffer);
          (request as RequestWithBodyBytes).bodyBytes = body as unknown as Buffer;
          return done(null, undefined);
        }
        checkCharset(request);
        done(null, parseJsonBytes(body as unknown as Buffer, config.jsonMaxDepth));
      } catch (error) {
        done(error as Error, undefined);
      }
    });
  }
  // Weighting tables may also be sent as YAML (parseYamlBody refuses it on every other route).
  fastify.addContentTypeParser(YAML_CONTENT_TYPES, options, (request, body, done) => {
    try {
      done(
        null,
        parseYamlBody(request.method, request.url, bodyText(request, body as unknown as Buffer)),
      );
    } catch (error) {
      done(error as Error, undefined);
    }
  });
  fastify.addHook('onRequest', async (request) => {
    if (request.raw.httpVersion === '1.1' && request.headers.host === undefined) {
      throw new DomainError('bad-request', 'An HTTP/1.1 request must have a Host header');
    }
    // PostgreSQL text cannot hold NUL: a query value or path segment carrying one would reach a
    // query as a parameter and fail there (500). The body parser refuses it the same way.
    if (request.url.includes('%00')) {
      throw new DomainError('bad-request', 'The URL must not contain the NUL character (%00)');
    }
    // The router refuses a path that is not percent-encoded UTF-8; the query parser would decode
    // it leniently, and the member would then be refused as a bad value (422).
    const query = request.url.indexOf('?');
    if (
      query >= 0 &&
      request.url.includes('%', query) &&
      !isPercentEncodedUtf8(request.url.slice(query + 1))
    ) {
      throw new DomainError('bad-request', 'The URL is not valid percent-encoded UTF-8');
    }
  });
  fastify.addHook('onSend', async (request, reply) => {
    void reply.header('x-request-id', request.id);
    // Bodies echo client text (tenant names, control descriptions): a browser must take each
    // for its declared type, never sniff a JSON or CSV body as a page.
    void reply.header('x-content-type-options', 'nosniff');
  });
  // One line per request, at debug only: at info, a busy ingest would log more than it stores.
  const debug = config.logLevel === 'debug' || config.logLevel === 'trace';
  if (debug) {
    fastify.addHook('onResponse', async (request, reply) => {
      request.log.debug(
        {
          method: request.method,
          url: redactUrl(request.url),
          statusCode: reply.statusCode,
          responseTime: Math.round(reply.elapsedTime * 10) / 10,
        },
        'request completed',
      );
    });
  }
}

// JSON is UTF-8 (RFC 8259 §8.1), and YAML tables are read as UTF-8 too.
const ACCEPTED_CHARSETS = new Set(['utf-8', 'utf8', 'us-ascii']);

/** The body as text: UTF-8 by its charset and by its bytes (`decodeUtf8` refuses others). */
function bodyText(request: FastifyRequest, body: Buffer): string {
  checkCharset(request);
  return decodeUtf8(body);
}

function checkCharset(request: FastifyRequest): void {
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(request.headers['content-type'] ?? '');
  if (charset && !ACCEPTED_CHARSETS.has(charset[1].toLowerCase())) {
    throw new DomainError(
      'unsupported-media-type',
      `The body must be UTF-8; charset=${charset[1]} is not accepted`,
    );
  }
}

function isPercentEncodedUtf8(text: string): boolean {
  try {
    decodeURIComponent(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * The client's own `X-Request-Id`, when it is a plausible id. It is echoed and logged on every
 * line of the request, so a credential sent there by a misconfigured client or proxy (one of our
 * keys, the bootstrap key, or this request's own bearer token) is replaced by a fresh id.
 */
function clientRequestId(headers: Record<string, string | string[] | undefined>): string | null {
  const value = headers['x-request-id'];
  if (typeof value !== 'string' || !/^[\w.:-]{1,128}$/.test(value)) return null;
  if (redactKeys(value) !== value) return null;
  const authorization = headers.authorization;
  const bearer = typeof authorization === 'string' && /^\s*bearer\s+(\S+)\s*$/i.exec(authorization);
  return bearer && bearer[1] === value ? null : value;
}
