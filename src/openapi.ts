import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
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
    }
  }
  return document;
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
