// Reading untrusted document values with every violation recorded (a JSON pointer and a message).
import { canonicalText, compareDec, parseDecimal, type Dec } from './decimal.js';
import type { Decision, TableViolation } from './rating.types.js';

export type DecimalRule = 'any' | 'nonNegative' | 'positive' | 'unit';

const RULE_TEXT: Record<DecimalRule, string> = {
  any: 'a decimal number',
  nonNegative: 'a decimal number >= 0',
  positive: 'a decimal number > 0',
  unit: 'a decimal number in [0, 1]',
};
const DECISIONS: readonly Decision[] = ['accept', 'refer', 'decline'];
/** Table decimals are written with at most this many significant digits, places and integer digits. */
const MAX_DIGITS = 34;

export type Json = Record<string, unknown>;

/** An RFC 6901 pointer to `key` under `base`. */
export function pointerTo(base: string, key: string | number): string {
  return `${base}/${String(key).replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

/** An optional member: absent and null both mean "not given" (the default applies). */
export function optional(parent: Json, key: string): unknown {
  return Object.hasOwn(parent, key) && parent[key] !== null ? parent[key] : undefined;
}

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A string as a violation quotes it: a long one by its start and length, so that an answer
 * listing violations never repeats megabytes of the document it answers.
 */
export function quoted(text: string): string {
  return text.length <= 60
    ? JSON.stringify(text)
    : `${JSON.stringify(text.slice(0, 40))}… (${text.length} characters)`;
}

/** Names as a violation lists them: the first ten, quoted, and how many more. */
export function listed(names: readonly string[]): string {
  const shown = names
    .slice(0, 10)
    .map((name) => (/^[\w.-]{1,40}$/.test(name) ? name : quoted(name)));
  return names.length > 10 ? `${shown.join(', ')} and ${names.length - 10} more` : shown.join(', ');
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `the string ${quoted(value)}`;
  if (typeof value === 'number' || typeof value === 'boolean')
    return `${typeof value} ${String(value)}`;
  return typeof value;
}

/**
 * What `required` answers for an absent member, once it has reported it: every reader takes it
 * for "already reported", so one violation gets one message, not "is required" and a type error.
 */
export const ABSENT: unique symbol = Symbol('absent');

export class TableReader {
  readonly errors: TableViolation[] = [];

  fail(pointer: string, message: string): undefined {
    this.errors.push({ pointer, message });
    return undefined;
  }

  /** `value` as an object whose members are all in `allowed`, each unknown one reported. */
  object(
    value: unknown,
    pointer: string,
    what: string,
    allowed: readonly string[],
  ): Json | undefined {
    if (value === ABSENT) return undefined;
    if (!isObject(value))
      return this.fail(pointer, `must be ${what} (an object), got ${describe(value)}`);
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key)) {
        this.fail(
          pointerTo(pointer, key),
          `unknown field ${quoted(key)} (${what} has: ${allowed.join(', ')})`,
        );
      }
    }
    return value;
  }

  array(value: unknown, pointer: string, what: string): unknown[] | undefined {
    if (value === ABSENT) return undefined;
    if (!Array.isArray(value))
      return this.fail(pointer, `must be ${what} (an array), got ${describe(value)}`);
    return value;
  }

  /** A required member: reports its absence (null is a value, reported by the type check). */
  required(parent: Json, key: string, pointer: string): unknown {
    if (!Object.hasOwn(parent, key)) {
      this.fail(pointerTo(pointer, key), 'is required');
      return ABSENT;
    }
    return parent[key];
  }

  string(
    value: unknown,
    pointer: string,
    pattern?: RegExp,
    patternText?: string,
  ): string | undefined {
    if (value === ABSENT) return undefined;
    // `version: 2027.1` in YAML (or unquoted in JSON) is a number, which would lose "2027.10".
    if (typeof value === 'number')
      return this.fail(pointer, `must be a string, got ${describe(value)}: write it in quotes`);
    if (typeof value !== 'string')
      return this.fail(pointer, `must be a string, got ${describe(value)}`);
    if (value.length === 0) return this.fail(pointer, 'must not be empty');
    if (pattern && !pattern.test(value)) {
      return this.fail(
        pointer,
        `must match ${patternText ?? String(pattern)}, got ${quoted(value)}`,
      );
    }
    return value;
  }

  decision(value: unknown, pointer: string): Decision | undefined {
    if (value === ABSENT) return undefined;
    if (typeof value === 'string' && (DECISIONS as readonly string[]).includes(value)) {
      return value as Decision;
    }
    return this.fail(pointer, `must be one of accept, refer, decline, got ${describe(value)}`);
  }

  /** A JSON number (read through its text) or a numeric string, meaning the decimal written. */
  decimal(value: unknown, pointer: string, rule: DecimalRule): Dec | undefined {
    const parsed = this.decimalValue(value, pointer, rule);
    if (parsed === undefined) return undefined;
    const zero = { n: 0n, s: 0 };
    const sign = compareDec(parsed, zero);
    const broken =
      (rule === 'nonNegative' && sign < 0) ||
      (rule === 'positive' && sign <= 0) ||
      (rule === 'unit' && (sign < 0 || compareDec(parsed, { n: 1n, s: 0 }) > 0));
    if (broken)
      return this.fail(pointer, `must be ${RULE_TEXT[rule]}, got ${canonicalText(parsed)}`);
    return parsed;
  }

  /** An integer in [min, max], as a JSON number or numeric string. */
  integer(value: unknown, pointer: string, min: number, max: number): number | undefined {
    const parsed = this.decimalValue(value, pointer, 'any');
    if (parsed === undefined) return undefined;
    const text = canonicalText(parsed);
    if (!/^-?[0-9]+$/.test(text) || Number(text) < min || Number(text) > max) {
      return this.fail(pointer, `must be an integer from ${min} to ${max}, got ${text}`);
    }
    return Number(text);
  }

  private decimalValue(value: unknown, pointer: string, rule: DecimalRule): Dec | undefined {
    if (value === ABSENT) return undefined;
    const expected = `must be ${RULE_TEXT[rule]} (a JSON number or a numeric string such as "0.85")`;
    let text: string;
    if (typeof value === 'number') {
      if (!Number.isFinite(value))
        return this.fail(pointer, `must be a finite number, got ${String(value)}`);
      text = String(value);
    } else if (typeof value === 'string') {
      text = value;
    } else {
      return this.fail(pointer, `${expected}, got ${describe(value)}`);
    }
    const parsed = parseDecimal(text);
    if (parsed === null) return this.fail(pointer, `${expected}, got ${describe(value)}`);
    const canonical = canonicalText(parsed).replace('-', '');
    const [int, frac = ''] = canonical.split('.');
    const significant = (int === '0' ? frac.replace(/^0+/, '') : int + frac).replace(/0+$/, '');
    if (significant.length > MAX_DIGITS || frac.length > MAX_DIGITS || int.length > MAX_DIGITS) {
      return this.fail(
        pointer,
        `must have at most ${MAX_DIGITS} significant digits, ${MAX_DIGITS} decimal places and ${MAX_DIGITS} integer digits`,
      );
    }
    return parsed;
  }
}
