import AjvModule, { type AnySchema, type ErrorObject, type ValidateFunction } from 'ajv';
import { MAX_LISTED_VIOLATIONS, unlistedCount } from '../../common/errors/domain-error.js';

/** A violation, located by an RFC 6901 pointer from the body root ("" is the root). */
export interface ValidationIssue {
  pointer: string;
  message: string;
}

// ajv is CommonJS: Node's ESM loader hands over `module.exports`, TypeScript's nodenext typing
// sees the namespace with `default`; this works under both (and under Jest).
const Ajv = AjvModule.default ?? AjvModule;

/**
 * One ajv instance for every Graph schema, compiled at module load. `allErrors` because a
 * response must list every violation; `verbose` so a violation can tell `null` from a wrong type
 * and read its schema's `patternMessage`; strict modes make a schema typo fail at start-up.
 */
const ajv = new Ajv({
  allErrors: true,
  verbose: true,
  messages: false,
  strict: true,
  strictTypes: true,
  allowUnionTypes: true,
});
ajv.addVocabulary(['patternMessage']);

export function compileSchema(schema: AnySchema): ValidateFunction {
  return ajv.compile(schema);
}

/** Appends an RFC 6901 reference token (`~` -> `~0`, `/` -> `~1`). */
export function pointerTo(base: string, token: string | number): string {
  return `${base}/${String(token).replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

/** Collects violations in one pass; stops storing after MAX_LISTED_VIOLATIONS but keeps counting. */
export class IssueList {
  private readonly issues: ValidationIssue[] = [];
  private total = 0;

  get count(): number {
    return this.total;
  }

  add(pointer: string, message: string): null {
    this.total++;
    if (this.issues.length < MAX_LISTED_VIOLATIONS) this.issues.push({ pointer, message });
    return null;
  }

  /**
   * ajv's `instancePath` is already an RFC 6901 pointer, relative to the validated object. One
   * violation per member: `""` fails both minLength and pattern, and saying so twice helps no one.
   */
  addSchemaErrors(errors: ErrorObject[] | null | undefined, base: string): void {
    const reported = new Set<string>();
    for (const error of errors ?? []) {
      const pointer =
        error.keyword === 'required'
          ? pointerTo(`${base}${error.instancePath}`, String(error.params.missingProperty))
          : `${base}${error.instancePath}`;
      if (reported.has(pointer)) continue;
      reported.add(pointer);
      this.add(pointer, messageFor(error));
    }
  }

  /** In document order (array indexes numerically), with a last line when some were left out. */
  result(): ValidationIssue[] {
    const sorted = [...this.issues].sort((a, b) => comparePointers(a.pointer, b.pointer));
    const omitted = this.total - this.issues.length;
    if (omitted > 0) sorted.push(unlistedCount(omitted));
    return sorted;
  }
}

function messageFor(error: ErrorObject): string {
  const { params } = error;
  switch (error.keyword) {
    case 'required':
      return 'is required';
    case 'type':
      return error.data === null
        ? `must be ${typeName(params.type)}, not null`
        : `must be ${typeName(params.type)}`;
    case 'minimum':
      return params.limit === 0 ? 'must not be negative' : `must be at least ${params.limit}`;
    case 'exclusiveMinimum':
      return `must be greater than ${params.limit}`;
    case 'maximum':
      return `must be at most ${params.limit}`;
    case 'minLength':
      return 'must not be empty';
    case 'maxLength':
      return `must be at most ${params.limit} characters long`;
    case 'maxItems':
      return `must have at most ${params.limit} items`;
    case 'minItems':
      return `must have at least ${params.limit} items`;
    case 'pattern':
      return (error.parentSchema?.patternMessage as string | undefined) ?? 'has an invalid format';
    default:
      return `fails the ${error.keyword} rule`;
  }
}

const TYPE_NAMES: Record<string, string> = {
  number: 'a number',
  integer: 'a whole number',
  string: 'a string',
  boolean: 'true or false',
  object: 'an object',
  array: 'an array',
  null: 'null',
};

function typeName(type: unknown): string {
  const names = (Array.isArray(type) ? type : String(type).split(',')).map(
    (t) => TYPE_NAMES[String(t)] ?? String(t),
  );
  return names.join(' or ');
}

function comparePointers(a: string, b: string): number {
  const left = a.split('/');
  const right = b.split('/');
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    if (left[i] === right[i]) continue;
    const [x, y] = [left[i], right[i]];
    const numeric = /^\d+$/.test(x) && /^\d+$/.test(y);
    if (numeric) return Number(x) - Number(y);
    return x < y ? -1 : 1;
  }
  return left.length - right.length;
}
