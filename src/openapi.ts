import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

/** OpenAPI 3 at /docs-json and a browsable UI at /docs; both public. */
export function setUpOpenApi(app: NestFastifyApplication): void {
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
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json', raw: ['json'] });
}
