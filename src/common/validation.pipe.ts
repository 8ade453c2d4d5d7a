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
    if (!metadata.metatype || !this.toValidate(metadata)) return super.transform(value, metadata);
    if (metadata.type === 'body') {
      if (value === undefined) value = {};
      else if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        throw DomainError.validation([
          { pointer: '', message: `must be a JSON object, got ${describeRoot(value)}` },
        ]);
      }
    }
    const crowded = crowdedObject(value, '');
    if (crowded !== null) throw DomainError.validation([crowded]);
    const inherited = inheritedNames(value, '');
    let transformed: unknown;
    try {
      transformed = await super.transform(value, metadata);
    } catch (error) {
      if (inherited.length === 0 || !(error instanceof DomainError)) throw error;
      // Both lists, as every violation is listed; the pipe throws only validation errors.
      // Not inside a member already refused as a whole (an unknown `nested` holding `toString`).
      const inside = (pointer: string) =>
        error.errors.some((e) => pointer.startsWith(`${e.pointer}/`));
      throw DomainError.validation([
        ...inherited.filter((v) => !inside(v.pointer)),
        ...error.errors,
      ]);
    }
    if (inherited.length > 0) throw DomainError.validation(inherited);
    return transformed;
  }
}

/**
 * Members named like Object.prototype's (`constructor`, `hasOwnProperty`, `__proto__` in a
 * query), or `prototype`: the whitelist lets these through as if the DTO declared them
 * (class-validator looks each name up in a plain object of known properties and finds the
 * inherited member), so they would be ignored where every other unknown name is a 422.
 */
function inheritedNames(value: unknown, pointer: string): FieldViolation[] {
  if (typeof value !== 'object' || value === null) return [];
  // An array's names are indices; only its objects can hold such a member (a run's 100,000
  // client tenant ids are strings, and cost no name list).
  if (Array.isArray(value)) {
    return value.flatMap((item: unknown, i) =>
      typeof item === 'object' && item !== null ? inheritedNames(item, `${pointer}/${i}`) : [],
    );
  }
  return Object.keys(value).flatMap((name) => {
    const here = `${pointer}/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    const own =
      name in Object.prototype || name === 'prototype'
        ? [{ pointer: here, message: `property ${name} should not exist` }]
        : [];
    return [...own, ...inheritedNames((value as Record<string, unknown>)[name], here)];
  });
}

/**
 * The most members an object of a DTO body or query may have. No DTO declares more than a few,
 * so more are unknown members, each of which would be listed; and class-transformer, which runs
 * first, dedupes an object's keys by indexOf (a 200,000-member body held the event loop 25 s).
 */
export const MAX_DTO_OBJECT_MEMBERS = 1_000;

/** The first object with more than MAX_DTO_OBJECT_MEMBERS members, as one violation. */
function crowdedObject(value: unknown, pointer: string): FieldViolation | null {
  if (typeof value !== 'object' || value === null) return null;
  const names = Object.keys(value);
  if (!Array.isArray(value) && names.length > MAX_DTO_OBJECT_MEMBERS) {
    return {
      pointer,
      message: `has ${names.length} members; an object of this request has at most ${MAX_DTO_OBJECT_MEMBERS} (it declares a few)`,
    };
  }
  for (const name of names) {
    const member: unknown = (value as Record<string, unknown>)[name];
    if (typeof member !== 'object' || member === null) continue;
    const inner = crowdedObject(
      member,
      `${pointer}/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`,
    );
    if (inner !== null) return inner;
  }
  return null;
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
    // The value, to tell a missing member from a wrong one (flattenViolations); never sent.
    validationError: { target: false, value: true },
    exceptionFactory: (errors) => DomainError.validation(flattenViolations(errors)),
  });
}

export function flattenViolations(
  errors: ValidationError[],
  path: string[] = [],
): FieldViolation[] {
  return errors.flatMap((error) => {
    const here = [...path, error.property];
    const own = ownMessages(error).map((message) => ({ pointer: toPointer(here), message }));
    return [...own, ...flattenViolations(error.children ?? [], here)];
  });
}

// Constraints on what a value is; the others (range, length, pattern) say what it must be like.
const TYPE_CONSTRAINTS = new Set([
  'isString',
  'isInt',
  'isNumber',
  'isBoolean',
  'isArray',
  'isObject',
  'nestedValidation',
]);

/**
 * One message where a member is missing ("is required", not "must be a string, must be shorter
 * than 200 characters, must not be blank"), and only the type's when the value is of the wrong
 * type (`?limit=abc` is not an integer; that it is not between 1 and 500 says nothing more).
 */
function ownMessages(error: ValidationError): string[] {
  const constraints = error.constraints ?? {};
  const kinds = Object.keys(constraints);
  if (kinds.length === 0) return [];
  if (error.value === undefined && !kinds.includes('whitelistValidation')) {
    return [`${error.property} is required`];
  }
  const typeKinds = kinds.filter((kind) => TYPE_CONSTRAINTS.has(kind));
  return (typeKinds.length > 0 ? typeKinds : kinds).map((kind) => constraints[kind]);
}
