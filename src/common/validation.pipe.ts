import { type ArgumentMetadata, ValidationPipe } from '@nestjs/common';
import type { ValidationError } from 'class-validator';
import { DomainError, FieldViolation } from './errors/domain-error.js';
import { toPointer } from './json/hardened-json.parser.js';

/**
 * A DTO body must be a JSON object. Without this, `null` (or `[]`) passes a DTO whose fields are
 * all optional, as an empty change; a body that was not sent at all is still an empty object.
 */
class ObjectBodyValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' && metadata.metatype && this.toValidate(metadata)) {
      if (value === undefined) value = {};
      else if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        throw DomainError.validation([
          { pointer: '', message: `must be a JSON object, got ${describeRoot(value)}` },
        ]);
      }
    }
    return super.transform(value, metadata);
  }
}

function describeRoot(value: unknown): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}

/** The global DTO pipe: unknown fields are errors, and every violation is listed with its pointer. */
export function createValidationPipe(): ValidationPipe {
  return new ObjectBodyValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => DomainError.validation(flattenViolations(errors)),
  });
}

export function flattenViolations(
  errors: ValidationError[],
  path: string[] = [],
): FieldViolation[] {
  return errors.flatMap((error) => {
    const here = [...path, error.property];
    const own = Object.values(error.constraints ?? {}).map((message) => ({
      pointer: toPointer(here),
      message,
    }));
    return [...own, ...flattenViolations(error.children ?? [], here)];
  });
}
