/**
 * A JSON Schema (draft 2020-12, as ajv validates it) in the OpenAPI 3.0 dialect the document is
 * written in, so that the limits a client meets (maxItems, maxLength, ranges) are the ones
 * published: `type: [T, "null"]` becomes `type: T, nullable: true`, a numeric
 * `exclusiveMinimum` becomes `minimum` with `exclusiveMinimum: true`, and the validator's own
 * keywords (`patternMessage`) are dropped.
 */
export function toOpenApiSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(toOpenApiSchema);
  if (typeof schema !== 'object' || schema === null) return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'patternMessage') continue;
    if (key === 'type' && Array.isArray(value)) {
      const types = value.filter((type) => type !== 'null');
      out.type = types.length === 1 ? types[0] : undefined;
      if (types.length !== value.length) out.nullable = true;
    } else if (key === 'exclusiveMinimum' && typeof value === 'number') {
      out.minimum = value;
      out.exclusiveMinimum = true;
    } else if (key === 'properties' && typeof value === 'object' && value !== null) {
      // Property names are data here, not keywords: only their schemas are converted.
      out.properties = Object.fromEntries(
        Object.entries(value).map(([name, property]) => [name, toOpenApiSchema(property)]),
      );
    } else {
      out[key] = toOpenApiSchema(value);
    }
  }
  if (out.type === undefined) delete out.type;
  return out;
}

/** A Graph list envelope of `items` as a request body takes it: links are not followed. */
export function graphListEnvelope(items: unknown, maxItems: number): Record<string, unknown> {
  return {
    type: 'object',
    description: 'A Graph list envelope; @odata.nextLink is not followed',
    required: ['value'],
    properties: {
      '@odata.context': { type: 'string' },
      '@odata.nextLink': { type: 'string' },
      value: { type: 'array', minItems: 1, maxItems, items },
    },
  };
}
