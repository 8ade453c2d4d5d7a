import { QueryFailedError } from 'typeorm';
import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  HttpException,
  Logger,
  NotFoundException,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { JsonInputError } from '../json/hardened-json.parser.js';
import { redactKeys } from '../logging/logger.js';
import { isConcurrencyFailure, isDatabaseUnavailable } from './database-errors.js';
import {
  DomainError,
  DomainErrorCode,
  FieldViolation,
  isUnlistedCount,
  MAX_LISTED_VIOLATIONS,
  PROBLEM_TITLES,
  PROBLEM_TYPE_BASE,
  problemStatus,
  unlistedCount,
} from './domain-error.js';

export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  errors?: FieldViolation[];
  [extension: string]: unknown;
}

/** Renders every error, from any layer, as an RFC 9457 `application/problem+json` document. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const request = http.getRequest<FastifyRequest>();
    const allowed = exception instanceof NotFoundException ? routeMethods(request) : [];
    const error =
      allowed.length > 0
        ? new DomainError(
            'method-not-allowed',
            `${pathOf(request.url)} takes ${allowed.join(', ')}, not ${request.method}`,
          )
        : toDomainError(exception);
    if (allowed.length > 0) void reply.header('allow', allowed.join(', '));
    if (error.code === 'internal') {
      this.logger.error({ err: loggable(exception), requestId: request.id }, 'Unhandled error');
    }
    const problem = problemDocument(error, request.url, request.id);
    const { status } = problem;
    if (status === 503 || status === 429) {
      const retryAfter = error.extensions.retryAfter;
      void reply.header('retry-after', typeof retryAfter === 'number' ? String(retryAfter) : '1');
    }
    if (status === 401) void reply.header('www-authenticate', 'Bearer realm="securescore"');
    // A body larger than the limit, and a shed request's, is not read to reuse the connection.
    // A shutting-down instance closes the connection too, so the retry reaches another one.
    if (status === 413 || error.code === 'overloaded' || error.code === 'shutting-down')
      void reply.header('connection', 'close');
    void reply.status(status).type('application/problem+json').send(problem);
  }
}

/**
 * The RFC 9457 document of an error. `instance` is the path without its query string: a query
 * can carry a secret (`?api_key=` is refused, but must not be echoed either), and API keys are
 * redacted from the path and the detail too.
 */
export function problemDocument(
  error: DomainError,
  url: string,
  requestId?: string,
): ProblemDocument {
  const problem: ProblemDocument = {
    type: PROBLEM_TYPE_BASE + error.code,
    title: PROBLEM_TITLES[error.code],
    status: problemStatus(error.code),
    // A framework message can quote the URL ("Cannot GET /v1/ssk_…"), and a violation the name
    // of a query member (`?ssk_…=x`, "property ssk_… should not exist"): either may hold a key.
    detail: redactKeys(error.message),
    instance: redactKeys(pathOf(url)),
    ...(requestId === undefined ? {} : { requestId }),
    ...error.extensions,
  };
  if (error.errors.length > 0) {
    problem.errors = listedViolations(error.errors).map(({ pointer, message }) => ({
      pointer: redactKeys(pointer),
      message: redactKeys(message),
    }));
  }
  return problem;
}

/** At most MAX_LISTED_VIOLATIONS, and their count; a list already cut keeps its own count. */
function listedViolations(errors: FieldViolation[]): FieldViolation[] {
  if (errors.length <= MAX_LISTED_VIOLATIONS) return errors;
  const cut = errors.length === MAX_LISTED_VIOLATIONS + 1 && isUnlistedCount(errors.at(-1)!);
  if (cut) return errors;
  return [
    ...errors.slice(0, MAX_LISTED_VIOLATIONS),
    unlistedCount(errors.length - MAX_LISTED_VIOLATIONS),
  ];
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];

/**
 * The methods a route takes at this request's path, when the request reached no route: then
 * its method, not its path, is what is wrong (405 with `Allow`, RFC 9110 §15.5.6).
 */
function routeMethods(request: FastifyRequest): string[] {
  // A request that reached a handler has a route: its 404 is a resource's, not a route's.
  if (request.routeOptions.url !== undefined) return [];
  const url = pathOf(request.url);
  const methods = METHODS.filter((method) => request.server.findRoute({ method, url }) !== null);
  // A wildcard route that takes this very method found nothing (a file missing under /docs/):
  // a 404, not "takes GET, not GET".
  return methods.includes(request.method) ? [] : methods;
}

export function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query < 0 ? url : url.slice(0, query);
}

export function toDomainError(exception: unknown): DomainError {
  if (exception instanceof DomainError) return exception;
  if (exception instanceof JsonInputError) {
    const errors = [{ pointer: exception.pointer ?? '', message: exception.message }];
    // Bytes that are not UTF-8 are not text at all, whatever their content type says.
    const code = exception.code === 'encoding' ? 'bad-request' : 'malformed-json';
    return new DomainError(code, exception.message, errors);
  }
  if (isDatabaseUnavailable(exception)) {
    return new DomainError('database-unavailable', 'The database is unavailable; retry shortly');
  }
  if (isConcurrencyFailure(exception)) {
    return new DomainError(
      'concurrent-conflict',
      'A concurrent request held what this one needed, and this one was stopped with nothing changed; retry it',
    );
  }
  const status = httpStatusOf(exception);
  if (status !== undefined && status < 500) {
    return new DomainError(codeForStatus(status), messageOf(exception));
  }
  return new DomainError('internal', 'An internal error occurred; it has been logged');
}

function httpStatusOf(exception: unknown): number | undefined {
  if (exception instanceof HttpException) return exception.getStatus();
  const candidate = exception as { statusCode?: unknown; status?: unknown };
  const status = candidate?.statusCode ?? candidate?.status;
  return typeof status === 'number' ? status : undefined;
}

function codeForStatus(status: number): DomainErrorCode {
  switch (status) {
    case 401:
      return 'unauthenticated';
    case 403:
      return 'forbidden';
    case 404:
      return 'not-found';
    case 409:
      return 'conflict';
    case 413:
      return 'payload-too-large';
    case 415:
      return 'unsupported-media-type';
    case 422:
      return 'unprocessable';
    case 429:
      return 'rate-limited';
    default:
      return 'bad-request';
  }
}

function messageOf(exception: unknown): string {
  if (exception instanceof HttpException) {
    const response = exception.getResponse();
    if (typeof response === 'object' && response !== null && 'message' in response) {
      const message = response.message;
      if (typeof message === 'string') return message;
    }
  }
  return exception instanceof Error ? exception.message : 'Bad request';
}

/**
 * A failed query carries its parameters (and its driver error repeats them): a batch of
 * snapshots is megabytes, and a parameter can be a key hash. The log gets the statement's
 * opening, the driver's code and message, and the stack, never the parameters.
 */
function loggable(exception: unknown): unknown {
  if (!(exception instanceof QueryFailedError)) return exception;
  const driver = exception.driverError as { code?: string; detail?: string } | undefined;
  return {
    type: 'QueryFailedError',
    message: exception.message,
    code: driver?.code,
    // A named statement reaches node-pg as {name, text}: see snapshot-writer.ts.
    query: String((exception.query as unknown as { text?: string }).text ?? exception.query).slice(
      0,
      200,
    ),
    stack: exception.stack,
  };
}
