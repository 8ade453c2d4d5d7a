import { describe, expect, it } from '@jest/globals';
import { toOpenApiSchema } from './openapi-schema.js';

describe('toOpenApiSchema', () => {
  it('rewrites nullable types, numeric exclusive bounds and drops validator keywords', () => {
    expect(
      toOpenApiSchema({
        type: 'object',
        properties: {
          type: { type: ['string', 'null'], maxLength: 5, patternMessage: 'x' },
          max: { type: 'number', exclusiveMinimum: 0, maximum: 10 },
          list: { type: ['array', 'null'], maxItems: 3, items: { type: 'string' } },
        },
      }),
    ).toEqual({
      type: 'object',
      properties: {
        type: { type: 'string', nullable: true, maxLength: 5 },
        max: { type: 'number', minimum: 0, exclusiveMinimum: true, maximum: 10 },
        list: { type: 'array', nullable: true, maxItems: 3, items: { type: 'string' } },
      },
    });
  });
});
