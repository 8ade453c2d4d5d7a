import { ValidateBy, type ValidationOptions } from 'class-validator';
import { isInstant } from './instants.js';

/**
 * An instant with its time zone (`Z` or `±HH:MM`), as `POST /v1/rate` reads `asOf`. ISO 8601
 * also allows a local time without a zone, which `new Date()` reads in the server's own time
 * zone: the same request would rate as of another day on a server in Tokyo than in London.
 */
export function IsInstant(
  rule: { future?: boolean } = {},
  options?: ValidationOptions,
): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isInstant',
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' &&
          isInstant(value) &&
          (!rule.future || Date.parse(value) > Date.now()),
        defaultMessage: (args) =>
          typeof args?.value === 'string' && isInstant(args.value)
            ? '$property must be in the future'
            : '$property must be an ISO-8601 date-time with a time zone, e.g. 2026-05-22T00:00:00Z',
      },
    },
    options,
  );
}
