import { type IncomingMessage, maxHeaderSize, type ServerResponse, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, type DomainErrorCode } from './domain-error.js';
import { problemDocument } from './problem.filter.js';

/**
 * Problem documents for the errors that never reach Nest's exception filter: the ones Fastify
 * answers while routing (`frameworkErrors`: a URL that is not valid percent-encoded UTF-8, a path
 * parameter over the length limit) and the ones Node's HTTP parser raises before there is a
 * request at all (`clientErrorHandler`: malformed framing, oversized headers, a slow sender).
 * Fastify's own answers to these are `application/json` in a shape of its own.
 */
export function frameworkErrorHandler(
  error: Error & { code?: string },
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const problem = problemDocument(frameworkError(error), request.raw.url ?? '/', request.id);
  void reply.status(problem.status).type('application/problem+json').send(problem);
}

const FRAMEWORK_ERRORS: Record<string, [DomainErrorCode, string]> = {
  FST_ERR_MAX_PARAM_LENGTH: ['uri-too-long', 'A path segment of the URL is longer than the limit'],
  FST_ERR_BAD_URL: ['bad-request', 'The URL is not valid percent-encoded UTF-8'],
};

function frameworkError(error: Error & { code?: string }): DomainError {
  const [code, detail] = FRAMEWORK_ERRORS[error.code ?? ''] ?? [
    'bad-request',
    'The request cannot be routed',
  ];
  return new DomainError(code, detail);
}

const CLIENT_ERRORS: Record<string, [DomainErrorCode, string]> = {
  HPE_HEADER_OVERFLOW: ['header-fields-too-large', 'The request headers are larger than the limit'],
  ERR_HTTP_REQUEST_TIMEOUT: ['request-timeout', 'The request did not arrive within the time limit'],
};

/** Answers a request Node's HTTP parser refused, then closes the connection (its framing is lost). */
export function clientErrorHandler(
  error: Error & { code?: string; rawPacket?: unknown },
  socket: Socket,
): void {
  // A reset connection has nobody to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [code, detail] = longRequestLine(error)
    ? (['uri-too-long', 'The URL is longer than the limit of the request headers'] as const)
    : (CLIENT_ERRORS[error.code ?? ''] ?? [
        'bad-request',
        'The request is not well-formed HTTP/1.1',
      ]);
  answerAndClose(socket, new DomainError(code, detail));
  socket.destroy(error);
}

/**
 * Node counts the request line against the header limit: a header overflow whose bytes open
 * with a request line that does not end within the limit is a URL too long (414), not headers.
 */
function longRequestLine(error: { code?: string; rawPacket?: unknown }): boolean {
  const packet = error.rawPacket; // the bytes Node was parsing, a Buffer (typed loosely)
  if (error.code !== 'HPE_HEADER_OVERFLOW' || !Buffer.isBuffer(packet)) return false;
  if (!/^[A-Z]{3,7} \//.test(packet.subarray(0, 12).toString('latin1'))) return false;
  const lineEnd = packet.indexOf('\r\n');
  return lineEnd < 0 ? packet.length >= maxHeaderSize : lineEnd >= maxHeaderSize;
}

/**
 * What a connection silent for the server's connectionTimeout comes to. A request whose body
 * stopped arriving is answered 408 and closed, where Node's own timeout would drop it without a
 * word. One whose handler is still working on its answer (a slow query: not the client's doing,
 * and the statement timeout bounds it) is given another period. Any other (an idle one, one
 * whose answer is being written, or a client not reading what it was sent) is closed, as Node
 * would.
 */
export function answerStalledRequests(fastify: FastifyInstance): void {
  type Exchange = { id: string; request: IncomingMessage; response: ServerResponse };
  const current = new WeakMap<Socket, Exchange>();
  fastify.addHook('onRequest', (request, reply, done) => {
    current.set(request.raw.socket, { id: request.id, request: request.raw, response: reply.raw });
    done();
  });
  fastify.server.on('timeout', (socket: Socket) => {
    const exchange = current.get(socket);
    if (exchange === undefined || exchange.response.headersSent || socket.writableLength > 0) {
      return socket.destroy();
    }
    if (exchange.request.complete) {
      // Node arms the timer again only on the socket's next read or write; a pipelined request
      // queued behind an answer the client does not read would then never time out.
      socket.setTimeout(fastify.server.timeout);
      return;
    }
    // Only the answer in front on the socket may be written: a 408 for a request pipelined
    // behind another would be read as that one's answer. (Node keeps the response it is
    // writing, the first of those queued, on the socket.)
    const inFront = (socket as Socket & { _httpMessage?: ServerResponse })._httpMessage;
    if (inFront === exchange.response) {
      const stalled = new DomainError(
        'request-timeout',
        'The request body stopped arriving before it was complete',
      );
      answerAndClose(socket, stalled, exchange);
    }
    socket.destroy();
  });
}

/**
 * An `Expect` other than `100-continue` (RFC 9110 §10.1.1: 417). Node answers it before any
 * route sees the request, with an empty body unless the server listens for it.
 */
export function answerUnmetExpectations(fastify: FastifyInstance): void {
  fastify.server.on('checkExpectation', (request: IncomingMessage, response: ServerResponse) => {
    const expectation = String(request.headers.expect).slice(0, 60);
    const error = new DomainError(
      'expectation-failed',
      `The service meets only Expect: 100-continue, not ${JSON.stringify(expectation)}`,
    );
    const body = JSON.stringify(problemDocument(error, request.url ?? '/'));
    response.writeHead(417, {
      'content-type': 'application/problem+json',
      'content-length': Buffer.byteLength(body),
      'x-content-type-options': 'nosniff',
      connection: 'close',
    });
    response.end(body);
  });
}

/** A problem document written straight to the socket, for a request Fastify cannot answer. */
function answerAndClose(
  socket: Socket,
  error: DomainError,
  exchange?: { id: string; request: IncomingMessage },
): void {
  const problem = problemDocument(error, exchange?.request.url ?? '/', exchange?.id);
  if (exchange === undefined) delete problem.instance; // there is no request, so no URL to name
  const body = JSON.stringify(problem);
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status]}\r\n` +
        'Content-Type: application/problem+json\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        'X-Content-Type-Options: nosniff\r\n' +
        (exchange ? `X-Request-Id: ${exchange.id}\r\n` : '') +
        `Connection: close\r\n\r\n${body}`,
    );
  }
}
