import { ValidationPipe } from '@nestjs/common';
import type { ValidationError } from 'class-validator';
import { DomainError, FieldViolation } from './errors/domain-error.js';
import { toPointer } from './json/hardened-json.parser.js';

/** The global DTO pipe: unknown fields are errors, and every violation is listed with its pointer. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
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
