import AjvModule, { type ValidateFunction } from 'ajv';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { OpenAPIObject } from '@nestjs/swagger';
import { buildOpenApiDocument } from '../../src/openapi.js';

/**
 * Checks a response against the OpenAPI document the service publishes (reliability checklist
 * SEC-05): its status must be declared for the route (or fall under `default`), its media type
 * declared for that status, and a JSON body must match the declared schema, whose objects are
 * closed. Every in-process e2e request goes through here, so a member added to a response
 * without its schema (a hash, an internal note, another client tenant's data) fails the test
 * that made the request.
 */
export function checkResponseContract(
  app: NestFastifyApplication,
  request: { method: string; url: string },
  response: { status: number; contentType: string | undefined; text: string },
): void {
  const contract = contractOf(app);
  const found = contract.operation(request.method, request.url);
  const problem = `${request.method} ${request.url} answered ${response.status}`;
  // A 500 is a bug whatever the input; 503 (database away, overloaded) is not.
  if (response.status === 500) throw new Error(`${problem}: ${response.text.slice(0, 300)}`);
  if (found === undefined) {
    // No such route: the answer must still be a problem document.
    if (response.status < 400) throw new Error(`${problem}, but the route is not documented`);
    contract.validate(contract.problem, response.text, problem);
    return;
  }
  const responses = found.operation.responses as Record<string, ResponseObject>;
  const declared = responses[String(response.status)] ?? responses.default;
  if (
    declared === undefined ||
    (response.status < 400 && !(String(response.status) in responses))
  ) {
    throw new Error(`${problem}, which ${found.path} does not declare`);
  }
  const mediaType = response.contentType?.split(';')[0]?.trim();
  if (declared.content === undefined || mediaType === undefined) {
    if (response.text.length > 0 || declared.content !== undefined) {
      throw new Error(`${problem} with ${mediaType ?? 'no'} content; declared: none`);
    }
    return;
  }
  const media = declared.content[mediaType];
  if (media === undefined) {
    throw new Error(
      `${problem} with ${mediaType}; declared: ${Object.keys(declared.content).join(', ')}`,
    );
  }
  if (mediaType.endsWith('json')) contract.validate(media.schema, response.text, problem);
}

/** The documented path (`/v1/client-tenants/{id}`) of a request, if a route matches it. */
export function documentedPath(
  app: NestFastifyApplication,
  method: string,
  url: string,
): string | undefined {
  return contractOf(app).operation(method, url)?.path;
}

interface ResponseObject {
  content?: Record<string, { schema: unknown }>;
}

const Ajv = AjvModule.default ?? AjvModule;
const contracts = new WeakMap<NestFastifyApplication, Contract>();

function contractOf(app: NestFastifyApplication): Contract {
  let contract = contracts.get(app);
  if (contract === undefined) {
    contract = new Contract(buildOpenApiDocument(app));
    contracts.set(app, contract);
  }
  return contract;
}

class Contract {
  private readonly ajv;
  private readonly compiled = new Map<unknown, ValidateFunction>();
  private readonly routes: { method: string; path: string; segments: string[] }[];
  readonly problem: unknown = { $ref: 'openapi#/components/schemas/Problem' };

  constructor(private readonly document: OpenAPIObject) {
    // `nullable` is the OpenAPI 3.0 keyword ajv knows; the others are annotations.
    this.ajv = new Ajv({ allErrors: true, strict: false });
    this.ajv.addFormat('uuid', /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    this.ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    this.ajv.addFormat('date', /^\d{4}-\d{2}-\d{2}$/);
    this.ajv.addSchema({ components: document.components }, 'openapi');
    this.routes = Object.keys(document.paths).flatMap((path) =>
      Object.keys(document.paths[path]).map((method) => ({
        method: method.toUpperCase(),
        path,
        segments: path.split('/'),
      })),
    );
  }

  /** The operation of a concrete URL: the matching path with the most literal segments. */
  operation(
    method: string,
    url: string,
  ): { path: string; operation: { responses: unknown } } | undefined {
    const segments = url.split('?')[0].split('/');
    let best: { path: string; literals: number } | undefined;
    for (const route of this.routes) {
      if (route.method !== method || route.segments.length !== segments.length) continue;
      let literals = 0;
      const matches = route.segments.every((segment, i) => {
        if (segment.startsWith('{')) return segments[i] !== '';
        literals += 1;
        return segment === segments[i];
      });
      if (matches && (best === undefined || literals > best.literals)) {
        best = { path: route.path, literals };
      }
    }
    if (best === undefined) return undefined;
    const item = this.document.paths[best.path] as Record<string, { responses: unknown }>;
    return { path: best.path, operation: item[method.toLowerCase()] };
  }

  validate(schema: unknown, text: string, context: string): void {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new Error(`${context} with a body that is not JSON: ${text.slice(0, 200)}`);
    }
    let validate = this.compiled.get(schema);
    if (validate === undefined) {
      validate = this.ajv.compile(rebase(schema) as object);
      this.compiled.set(schema, validate);
    }
    if (!validate(body)) {
      const violations = (validate.errors ?? [])
        .map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`)
        .join('\n  ');
      throw new Error(`${context}, not as its schema says:\n  ${violations}`);
    }
  }
}

/** The document's `#/components/...` references, made to point into the schema added as `openapi`. */
function rebase(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(rebase);
  if (typeof schema !== 'object' || schema === null) return schema;
  return Object.fromEntries(
    Object.entries(schema).map(([key, value]) => [
      key,
      key === '$ref' && typeof value === 'string' && value.startsWith('#/')
        ? `openapi${value}`
        : rebase(value),
    ]),
  );
}
