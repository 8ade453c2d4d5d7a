import { ModulesContainer } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { ALLOWED_ROLES, PUBLIC_ROUTE } from './access/access.decorators.js';
import type { Role } from './access/roles.js';
import { toOpenApiSchema } from './common/openapi-schema.js';
import { PROBLEM_SCHEMA } from './common/response-schemas.js';

const PROBLEM_CONTENT = {
  'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } },
};

/**
 * The OpenAPI 3 document. Every operation's errors are problem documents: an error a route
 * declares (a 409, a 422) gets the problem schema, and `default` covers the rest (401, 403,
 * 404, 413, 415, 429, 503, ...), which any route can answer.
 */
export function buildOpenApiDocument(app: NestFastifyApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Secure Score underwriting service')
    .setDescription(
      'Ingests Microsoft Secure Score feeds for insured client tenants and rates them with versioned ' +
        'actuarial weighting tables. Errors are RFC 9457 application/problem+json documents; ' +
        'decimals from the rating are strings.',
    )
    .setVersion('1')
    .addBearerAuth({
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'ssk_<8 hex>_<43 base64url>',
      description: 'An opaque API key (not a JWT)',
    })
    .build();
  const document = SwaggerModule.createDocument(app, config);
  const access = operationAccess(app);
  document.components = {
    ...document.components,
    schemas: {
      ...document.components?.schemas,
      Problem: toOpenApiSchema(PROBLEM_SCHEMA) as Record<string, unknown>,
    },
  };
  for (const path of Object.values(document.paths)) {
    for (const operation of Object.values(path)) {
      if (typeof operation !== 'object' || operation === null || !('responses' in operation)) {
        continue;
      }
      const responses = operation.responses as Record<string, Record<string, unknown>>;
      for (const [status, response] of Object.entries(responses)) {
        if (Number(status) >= 400 && response.content === undefined) {
          response.content = PROBLEM_CONTENT;
        }
      }
      responses.default ??= {
        description: 'An error, as an RFC 9457 problem document',
        content: PROBLEM_CONTENT,
      };
      describeAccess(operation, access.get(String(operation.operationId)));
    }
  }
  return document;
}

/** Who may call an operation: the roles of its API key, any key, or anyone (public). */
type Access = readonly Role[] | 'any key' | 'public';

/**
 * Each operation's access, read from the same metadata the guard reads (`@Roles`, `@Public`, on
 * the method or its controller), by Nest's default operation id (`Controller_method`): clients
 * learn from the document which key a call needs, as product.md's route table says.
 */
function operationAccess(app: NestFastifyApplication): Map<string, Access> {
  const access = new Map<string, Access>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const { metatype } of module.controllers.values()) {
      if (typeof metatype !== 'function') continue;
      const prototype = metatype.prototype as Record<string, unknown>;
      for (const name of Object.getOwnPropertyNames(prototype)) {
        const method = prototype[name];
        if (name === 'constructor' || typeof method !== 'function') continue;
        const read = (key: string): unknown =>
          Reflect.getMetadata(key, method) ?? Reflect.getMetadata(key, metatype);
        const roles = read(ALLOWED_ROLES) as Role[] | undefined;
        access.set(
          `${metatype.name}_${name}`,
          read(PUBLIC_ROUTE) === true ? 'public' : (roles ?? 'any key'),
        );
      }
    }
  }
  return access;
}

function describeAccess(operation: Record<string, unknown>, access: Access | undefined): void {
  if (access === undefined) return;
  const who =
    access === 'public'
      ? 'Public: no API key needed.'
      : access === 'any key'
        ? 'Any API key.'
        : `API key roles: ${access.join(', ')}.`;
  const described = typeof operation.description === 'string' ? ` ${operation.description}` : '';
  operation.description = `${who}${described}`;
  operation['x-roles'] = access === 'public' || access === 'any key' ? access : [...access];
}

/** OpenAPI 3 at /docs-json and a browsable UI at /docs; both public. */
export function setUpOpenApi(app: NestFastifyApplication): void {
  const document = buildOpenApiDocument(app);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json', raw: ['json'] });
  // The UI's page names its assets relative to /docs (`./docs/swagger-ui.css`): under /docs/
  // they resolved to /docs/docs/… and the page came up blank.
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', (request, reply, done) => {
      if (request.url === '/docs/' || request.url.startsWith('/docs/?')) {
        void reply.redirect(`/docs${request.url.slice('/docs/'.length)}`, 301);
        return;
      }
      done();
    });
}
