import { ApiResponse } from '@nestjs/swagger';
import { toOpenApiSchema } from './openapi-schema.js';

/**
 * What every response publishes in the OpenAPI document, as JSON Schema. Objects are closed
 * (`additionalProperties: false`) unless they carry a client's own open data (a Graph payload
 * member, a weighting table document), so a field added to a response without its schema is an
 * exposure the contract tests catch (reliability checklist SEC-05).
 */
export type JsonSchema = Record<string, unknown>;

/** An object with exactly these members; all are present unless named in `optional`. */
export function closedObject(
  properties: Record<string, JsonSchema>,
  options: { optional?: readonly string[]; description?: string } = {},
): JsonSchema {
  const optional = new Set(options.optional ?? []);
  const required = Object.keys(properties).filter((name) => !optional.has(name));
  return {
    type: 'object',
    ...(options.description === undefined ? {} : { description: options.description }),
    additionalProperties: false,
    // OpenAPI 3.0 refuses an empty `required`.
    ...(required.length === 0 ? {} : { required }),
    properties,
  };
}

/** The schema, or `null`. */
export function nullable(schema: JsonSchema): JsonSchema {
  const { type, enum: values, ...rest } = schema;
  return {
    ...rest,
    type: [type, 'null'],
    ...(Array.isArray(values) ? { enum: [...(values as unknown[]), null] } : {}),
  };
}

export function arrayOf(items: JsonSchema, description?: string): JsonSchema {
  return { type: 'array', ...(description === undefined ? {} : { description }), items };
}

export function described(schema: JsonSchema, description: string): JsonSchema {
  return { ...schema, description };
}

export const TEXT: JsonSchema = { type: 'string' };
export const INTEGER: JsonSchema = { type: 'integer' };
export const BOOLEAN: JsonSchema = { type: 'boolean' };
export const UUID: JsonSchema = { type: 'string', format: 'uuid' };
/** As `Date.toISOString()` writes it. */
export const INSTANT: JsonSchema = { type: 'string', format: 'date-time' };
export const CALENDAR_DAY: JsonSchema = { type: 'string', format: 'date' };
export const SHA256: JsonSchema = { type: 'string', pattern: '^[0-9a-f]{64}$' };
/** An exact decimal in plain notation, as text so that no client rounds it through a double. */
export const DECIMAL_TEXT: JsonSchema = { type: 'string', pattern: '^-?[0-9]+(\\.[0-9]+)?$' };
/** A map from names to values of one schema (an industry's factor, a tier's count). */
export function mapOf(values: JsonSchema, description?: string): JsonSchema {
  return {
    type: 'object',
    ...(description === undefined ? {} : { description }),
    additionalProperties: values,
  };
}

/** One page of a listing and the cursor of the next (`null` on the last). */
export function pageOf(item: JsonSchema): JsonSchema {
  return closedObject({
    items: arrayOf(item),
    nextCursor: described(nullable(TEXT), 'Pass as `cursor` for the next page; `null` on the last'),
  });
}

/** A violation of an input rule: an RFC 6901 pointer into the body ("" is its root). */
export const FIELD_VIOLATION: JsonSchema = closedObject({ pointer: TEXT, message: TEXT });

/**
 * Every error, from any route: an RFC 9457 problem document with the members this service
 * adds (`errors`, `requestId`) and the extensions some problems carry.
 */
export const PROBLEM_SCHEMA: JsonSchema = closedObject(
  {
    type: described(TEXT, '`urn:securescore:problem:<code>`'),
    title: TEXT,
    status: INTEGER,
    detail: TEXT,
    instance: described(TEXT, 'The path, without its query string'),
    requestId: described(TEXT, 'As logged, to find the request in the logs'),
    errors: arrayOf(FIELD_VIOLATION, 'Every violation, each with its pointer'),
    retryAfter: described(INTEGER, 'Seconds, as in `Retry-After` (429, 503 `overloaded`)'),
    existingSnapshotId: described(UUID, 'The stored snapshot a conflicting one collides with'),
    overlapping: described(
      closedObject({
        version: TEXT,
        effectiveFrom: CALENDAR_DAY,
        effectiveTo: nullable(CALENDAR_DAY),
      }),
      'The published version whose effective interval overlaps',
    ),
  },
  {
    optional: [
      'instance',
      'requestId',
      'errors',
      'retryAfter',
      'existingSnapshotId',
      'overlapping',
    ],
  },
);

type ContentObject = NonNullable<Parameters<typeof ApiResponse>[0]['content']>;

export interface JsonResponseOptions {
  status: number;
  description: string;
  schema: JsonSchema;
  headers?: Record<string, { description: string }>;
  /** Other representations of the same resource (`text/csv`, `text/html`), chosen by `Accept`. */
  alternatives?: Record<string, JsonSchema>;
}

/** Publishes a JSON response with its schema, in the OpenAPI 3.0 dialect of the document. */
export function ApiJsonResponse(options: JsonResponseOptions): MethodDecorator {
  const content: ContentObject = { 'application/json': { schema: openApi(options.schema) } };
  for (const [type, schema] of Object.entries(options.alternatives ?? {})) {
    content[type] = { schema: openApi(schema) };
  }
  return ApiResponse({
    status: options.status,
    description: options.description,
    ...(options.headers === undefined
      ? {}
      : {
          headers: Object.fromEntries(
            Object.entries(options.headers).map(([name, header]) => [
              name,
              { ...header, schema: { type: 'string' as const } },
            ]),
          ),
        }),
    content,
  });
}

function openApi(schema: JsonSchema): NonNullable<ContentObject[string]['schema']> {
  return toOpenApiSchema(schema) as NonNullable<ContentObject[string]['schema']>;
}

/** A response with no body (`204`). */
export function ApiEmptyResponse(status: number, description: string): MethodDecorator {
  return ApiResponse({ status, description });
}
