import { isAscii, isUtf8 } from 'node:buffer';
/**
 * A strict JSON parser for untrusted bodies. Unlike `JSON.parse` it rejects what a plain parse
 * silently accepts and a later merge or float turns into a bug:
 * - duplicate member names (I-JSON; `JSON.parse` keeps the last one),
 * - `__proto__`, `constructor` and `prototype` keys at any depth (prototype poisoning),
 * - nesting deeper than `maxDepth` (a deep body parses but overflows the stack later),
 * - numbers that overflow to ±Infinity, and numbers a double cannot carry to the decimal written
 *   (the rating is exact decimal arithmetic on the written text: a silently rounded
 *   `0.1000000000000000055` would change a premium). `-0` becomes `0`.
 * Every error names the JSON pointer of the offending member where there is one.
 */
export type JsonErrorCode =
  'syntax' | 'encoding' | 'depth' | 'forbidden-key' | 'duplicate-key' | 'number';

export class JsonInputError extends Error {
  constructor(
    readonly code: JsonErrorCode,
    message: string,
    readonly pointer: string | null,
    readonly position: number,
  ) {
    super(message);
  }
}

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
// 15 significant decimal digits always survive a round trip through a double of normal range.
const SAFE_DIGITS = 15;
const MIN_NORMAL = 2.2250738585072014e-308;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const CONTROL_CHAR = /[\u0000-\u001f]/;
const LOW_SURROGATE_ESCAPE = /^\\u([dD][c-fC-F][0-9a-fA-F]{2})$/;

/**
 * A request to a route whose handler parses its body off the event loop (DEFERRED_JSON_ROUTES):
 * the body parser leaves its bytes undecoded, for a thread to decode (`tryParseJsonStrict`).
 */
export interface RequestWithBodyBytes {
  bodyBytes?: Buffer;
}

/**
 * UTF-8 bytes as text. Refused, not decoded with U+FFFD: a silently altered control name would be
 * stored as if it had been sent.
 */
export function decodeUtf8(bytes: Uint8Array): string {
  return checkedUtf8(bytes).toString('utf8');
}

/** The bytes as a Buffer, once checked to be UTF-8 (a microsecond for 53 KB, SIMD). */
export function checkedUtf8(bytes: Uint8Array): Buffer {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (!isUtf8(buffer)) throw new JsonInputError('encoding', 'The text is not valid UTF-8', null, 0);
  return buffer;
}

export function parseJsonStrict(text: string, maxDepth = 32): unknown {
  const value = parseJsonFast(text, maxDepth);
  return value === FALL_BACK ? parseJsonExact(text, maxDepth) : value;
}

/**
 * A JsonInputError as plain data: a thread's answer crosses by structured clone, which an Error's
 * own fields do not survive.
 */
export type JsonErrorFields = Pick<JsonInputError, 'code' | 'message' | 'pointer' | 'position'>;

/**
 * parseJsonStrict of UTF-8 bytes (refused, as `decodeUtf8` refuses them, when they are not).
 *
 * A body with any character beyond ASCII (real Graph descriptions carry ’ and —) decodes to a
 * two-byte string, which is slow to make and slower to parse: for the real 53 KB snapshot,
 * decoding and parsing took 130 µs against 65 µs for the same bytes read as Latin-1. So the fast
 * path reads the bytes as ASCII with each such character written as its JSON escape
 * (`asciiJsonText`): inside a string JSON.parse turns the escape back into the same character,
 * and outside one it is a syntax error, as the character was. Anything the fast path does not
 * accept goes to the exact parser with the real text, so values and errors (their positions
 * included) are parseJsonStrict's. A property test proves the two agree.
 */
export function parseJsonBytes(bytes: Uint8Array, maxDepth = 32): unknown {
  const buffer = checkedUtf8(bytes);
  const ascii = asciiJsonText(buffer);
  if (ascii === null) return parseJsonStrict(buffer.toString('utf8'), maxDepth);
  const value = parseJsonFast(ascii, maxDepth);
  // The escapes change neither the members counted nor what the scan looks for, so the real
  // text would have fallen back too.
  return value === FALL_BACK ? parseJsonExact(buffer.toString('utf8'), maxDepth) : value;
}

/**
 * parseJsonBytes with its refusal as data, for work done on a thread (toJsonInputError undoes
 * it).
 */
export function tryParseJsonStrict(
  bytes: Uint8Array,
  maxDepth: number,
): { ok: true; value: unknown } | { ok: false; error: JsonErrorFields } {
  try {
    return { ok: true, value: parseJsonBytes(bytes, maxDepth) };
  } catch (error) {
    if (!(error instanceof JsonInputError)) throw error;
    const { code, message, pointer, position } = error;
    return { ok: false, error: { code, message, pointer, position } };
  }
}

export function toJsonInputError(fields: JsonErrorFields): JsonInputError {
  return new JsonInputError(fields.code, fields.message, fields.pointer, fields.position);
}

// With more non-ASCII characters than one in this many bytes (text in a non-Latin script), the
// escapes cost more than the two-byte string they avoid, and the body is decoded. Measured on
// the real snapshot with characters spliced into its descriptions: even near one per 120 bytes,
// 18% faster at one per 300, a third at one per 2,500 (the snapshot as it is), 11 to 14% slower
// at one per 77.
const ASCII_TEXT_MIN_BYTES_PER_ESCAPE = 128;
const HEX_DIGITS = Buffer.from('0123456789abcdef');

/**
 * Valid UTF-8 `bytes` as ASCII text, each non-ASCII character written as its escape `\uXXXX`.
 * Null when one lies beyond the Basic Multilingual Plane (its escape would be a surrogate pair,
 * which the fast path leaves to the exact parser), follows a backslash, or when they are too
 * many to pay.
 */
export function asciiJsonText(bytes: Buffer): string | null {
  const end = bytes.length;
  if (isAscii(bytes)) return bytes.toString('latin1');
  // The first pass finds each non-ASCII character, skipping ASCII four bytes at a time.
  const aligned = Math.min(end, (4 - (bytes.byteOffset & 3)) & 3);
  const words = new Uint32Array(bytes.buffer, bytes.byteOffset + aligned, (end - aligned) >>> 2);
  const starts: number[] = [];
  let escapedLength = end;
  let i = 0;
  while (i < end) {
    if (i >= aligned && ((i - aligned) & 3) === 0) {
      let word = (i - aligned) >>> 2;
      while (word < words.length && (words[word] & 0x80808080) === 0) word++;
      i = aligned + word * 4;
      if (i >= end) break;
    }
    const lead = bytes[i];
    if (lead < 0x80) {
      i++;
      continue;
    }
    // Valid UTF-8: a lead byte from 0xC2 to 0xDF starts two bytes, to 0xEF three, beyond four.
    // After a backslash, an escape would be read as an escaped backslash and text.
    if (lead >= 0xf0 || bytes[i - 1] === BACKSLASH) return null;
    if (starts.length * ASCII_TEXT_MIN_BYTES_PER_ESCAPE > end) return null;
    starts.push(i);
    const length = lead >= 0xe0 ? 3 : 2;
    escapedLength += 6 - length;
    i += length;
  }
  const text = Buffer.allocUnsafe(escapedLength);
  let written = 0;
  let from = 0;
  for (const start of starts) {
    written += bytes.copy(text, written, from, start);
    const lead = bytes[start];
    const code =
      lead >= 0xe0
        ? ((lead & 0x0f) << 12) | ((bytes[start + 1] & 0x3f) << 6) | (bytes[start + 2] & 0x3f)
        : ((lead & 0x1f) << 6) | (bytes[start + 1] & 0x3f);
    text[written] = BACKSLASH;
    text[written + 1] = LOWER_U;
    text[written + 2] = HEX_DIGITS[code >>> 12];
    text[written + 3] = HEX_DIGITS[(code >>> 8) & 0xf];
    text[written + 4] = HEX_DIGITS[(code >>> 4) & 0xf];
    text[written + 5] = HEX_DIGITS[code & 0xf];
    written += 6;
    from = start + (lead >= 0xe0 ? 3 : 2);
  }
  bytes.copy(text, written, from, end);
  return text.toString('latin1');
}

/** The character-by-character parser: the definition, and every error message with its pointer. */
export function parseJsonExact(text: string, maxDepth = 32): unknown {
  return new Parser(text, maxDepth).parseDocument();
}

const FALL_BACK = Symbol('use the exact parser');

/**
 * The hot path (Secure Score bodies are 20 to 60 KB): one scan of the text (`scanText`), the
 * native `JSON.parse`, then one walk over the result checking what neither does: depth,
 * forbidden names, overflowed numbers and `-0`; and duplicate names, found by counting the
 * member names in the text against the members parsed (a duplicate makes the text's count
 * larger). Anything else, including every error, goes to the exact parser, so the answer and the
 * error messages are always the exact parser's. A property test proves the two agree.
 */
function parseJsonFast(text: string, maxDepth: number): unknown {
  const memberNames = scanText(text);
  if (memberNames === FALL_BACK) return FALL_BACK;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return FALL_BACK;
  }
  if (typeof value === 'number') return checkedNumber(value);
  const walk = { members: 0, maxDepth };
  if (!checkParsed(value, 0, walk) || walk.members !== memberNames) return FALL_BACK;
  return value;
}

/**
 * One pass over the text, reading it as JSON (a text the native parser refuses goes to the exact
 * parser anyway, so what this makes of one does not matter). It counts the member names (a
 * string followed by `:`), and finds what the native parser would read differently: an escaped
 * NUL or lone surrogate (the native parser takes them; the text of a decoded UTF-8 body holds no
 * unescaped lone surrogate), a number with more than 15 digits, and a number with a
 * three-digit exponent (every number that overflows, or underflows to 0 or a subnormal double,
 * has one or the other). Strings, most of a Secure Score body, are crossed with `indexOf`.
 * Four times faster than the regular expressions it replaces (measured on a 53 KB body).
 */
function scanText(text: string): number | typeof FALL_BACK {
  const end = text.length;
  let nextBackslash = -1;
  let members = 0;
  let i = 0;
  for (;;) {
    // Outside strings: structure, literals and numbers.
    let c = 0;
    while (i < end && (c = text.charCodeAt(i)) !== QUOTE) {
      if (c >= DIGIT_0 && c <= DIGIT_9) {
        let digits = 0;
        for (; i < end; i++) {
          c = text.charCodeAt(i);
          if (c >= DIGIT_0 && c <= DIGIT_9) digits++;
          else if (c !== DOT) break;
        }
        if (digits > SAFE_DIGITS) return FALL_BACK;
        if (c === LOWER_E || c === UPPER_E) {
          c = text.charCodeAt(++i);
          if (c === PLUS || c === MINUS) i++;
          let exponentDigits = 0;
          while (i < end && (c = text.charCodeAt(i)) >= DIGIT_0 && c <= DIGIT_9) {
            exponentDigits++;
            i++;
          }
          if (exponentDigits >= 3) return FALL_BACK;
        }
      } else i++;
    }
    if (i >= end) return members;
    // A string: find its closing quote, checking the escapes on the way.
    let from = i + 1;
    let close: number;
    for (;;) {
      close = text.indexOf('"', from);
      if (close < 0) return FALL_BACK;
      if (nextBackslash < from) {
        nextBackslash = text.indexOf('\\', from);
        if (nextBackslash < 0) nextBackslash = end;
      }
      if (nextBackslash > close) break;
      if (text.charCodeAt(nextBackslash + 1) === LOWER_U && needsExactEscape(text, nextBackslash))
        return FALL_BACK;
      from = nextBackslash + 2;
    }
    i = close + 1;
    while (i < end && ((c = text.charCodeAt(i)) === 0x20 || c === 0x0a || c === 0x0d || c === 0x09))
      i++;
    if (text.charCodeAt(i) === COLON) members++;
  }
}

/** `\u0000` (refused: PostgreSQL text cannot hold NUL) or an escaped surrogate, at `at`. */
function needsExactEscape(text: string, at: number): boolean {
  const first = text.charCodeAt(at + 2);
  if (first === DIGIT_0) return text.startsWith('000', at + 3);
  return (first === LOWER_D || first === UPPER_D) && SURROGATE_SECOND.test(text[at + 3] ?? '');
}

const QUOTE = 0x22;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
const DOT = 0x2e;
const PLUS = 0x2b;
const MINUS = 0x2d;
const COLON = 0x3a;
const LOWER_E = 0x65;
const UPPER_E = 0x45;
const LOWER_U = 0x75;
const BACKSLASH = 0x5c;
const LOWER_D = 0x64;
const UPPER_D = 0x44;
const SURROGATE_SECOND = /[89a-fA-F]/;

/** `number` as the exact parser reads it (`-0` is 0), or FALL_BACK when it overflowed. */
function checkedNumber(value: number): number | typeof FALL_BACK {
  if (!Number.isFinite(value)) return FALL_BACK;
  return value === 0 ? 0 : value;
}

/**
 * Checks a parsed container in place, counting its members into `walk`; false means FALL_BACK.
 * It writes only where a value changes (`-0`), so the objects JSON.parse built keep their shape.
 */
function checkParsed(
  value: unknown,
  depth: number,
  walk: { members: number; maxDepth: number },
): boolean {
  if (typeof value !== 'object' || value === null) return true;
  if (depth >= walk.maxDepth) return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (typeof item === 'number') {
        if (checkedNumber(item) === FALL_BACK) return false;
        if (item === 0) value[i] = 0;
      } else if (!checkParsed(item, depth + 1, walk)) return false;
    }
    return true;
  }
  const record = value as Record<string, unknown>;
  for (const key in record) {
    if (FORBIDDEN_KEYS.has(key)) return false;
    walk.members++;
    const member = record[key];
    if (typeof member === 'number') {
      if (checkedNumber(member) === FALL_BACK) return false;
      if (member === 0) record[key] = 0;
    } else if (!checkParsed(member, depth + 1, walk)) return false;
  }
  return true;
}

class Parser {
  private pos = 0;
  private readonly path: (string | number)[] = [];

  constructor(
    private readonly text: string,
    private readonly maxDepth: number,
  ) {}

  parseDocument(): unknown {
    if (this.text.charCodeAt(0) === 0xfeff) this.pos = 1;
    this.skipWhitespace();
    if (this.pos >= this.text.length) this.fail('syntax', 'The body is empty', false);
    const value = this.parseValue(0);
    this.skipWhitespace();
    if (this.pos < this.text.length)
      this.fail('syntax', 'Unexpected text after the JSON value', false);
    return value;
  }

  private parseValue(depth: number): unknown {
    const c = this.text.charCodeAt(this.pos);
    if (c === 0x7b) return this.parseObject(depth + 1);
    if (c === 0x5b) return this.parseArray(depth + 1);
    if (c === 0x22) return this.parseString();
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.parseNumber();
    if (this.text.startsWith('true', this.pos)) return this.literal(4, true);
    if (this.text.startsWith('false', this.pos)) return this.literal(5, false);
    if (this.text.startsWith('null', this.pos)) return this.literal(4, null);
    return this.fail('syntax', this.unexpected(), false);
  }

  private literal<T>(length: number, value: T): T {
    this.pos += length;
    return value;
  }

  private parseObject(depth: number): Record<string, unknown> {
    this.checkDepth(depth);
    this.pos++;
    const result: Record<string, unknown> = {};
    this.skipWhitespace();
    if (this.text.charCodeAt(this.pos) === 0x7d) return this.literal(1, result);
    for (;;) {
      this.skipWhitespace();
      if (this.text.charCodeAt(this.pos) !== 0x22)
        this.fail('syntax', this.unexpected('a member name'), false);
      const key = this.parseString();
      this.path.push(key);
      if (FORBIDDEN_KEYS.has(key))
        this.fail('forbidden-key', `The member name "${key}" is not allowed`, true);
      if (Object.prototype.hasOwnProperty.call(result, key)) {
        this.fail('duplicate-key', `The member "${key}" appears more than once`, true);
      }
      this.skipWhitespace();
      if (this.text.charCodeAt(this.pos) !== 0x3a)
        this.fail('syntax', this.unexpected("':'"), false);
      this.pos++;
      this.skipWhitespace();
      result[key] = this.parseValue(depth);
      this.path.pop();
      this.skipWhitespace();
      const c = this.text.charCodeAt(this.pos++);
      if (c === 0x7d) return result;
      if (c !== 0x2c) this.fail('syntax', this.unexpected("',' or '}'", -1), false);
    }
  }

  private parseArray(depth: number): unknown[] {
    this.checkDepth(depth);
    this.pos++;
    const result: unknown[] = [];
    this.skipWhitespace();
    if (this.text.charCodeAt(this.pos) === 0x5d) return this.literal(1, result);
    for (;;) {
      this.skipWhitespace();
      this.path.push(result.length);
      result.push(this.parseValue(depth));
      this.path.pop();
      this.skipWhitespace();
      const c = this.text.charCodeAt(this.pos++);
      if (c === 0x5d) return result;
      if (c !== 0x2c) this.fail('syntax', this.unexpected("',' or ']'", -1), false);
    }
  }

  private parseString(): string {
    const start = ++this.pos;
    const end = this.text.indexOf('"', start);
    if (end < 0) this.fail('syntax', 'Unterminated string', false);
    const raw = this.text.slice(start, end);
    if (!raw.includes('\\')) {
      if (CONTROL_CHAR.test(raw))
        this.fail('syntax', 'Unescaped control character in a string', true);
      this.pos = end + 1;
      return raw;
    }
    return this.parseEscapedString(start);
  }

  private parseEscapedString(start: number): string {
    let out = '';
    let chunk = start;
    for (let i = start; i < this.text.length; i++) {
      const c = this.text.charCodeAt(i);
      if (c === 0x22) {
        this.pos = i + 1;
        return out + this.text.slice(chunk, i);
      }
      if (c < 0x20) this.failAt(i, 'syntax', 'Unescaped control character in a string', true);
      if (c !== 0x5c) continue;
      out += this.text.slice(chunk, i);
      const e = this.text[i + 1];
      const simple = ESCAPES[e];
      if (simple !== undefined) {
        out += simple;
        i += 1;
      } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(this.text.slice(i + 2, i + 6))) {
        const code = parseInt(this.text.slice(i + 2, i + 6), 16);
        // PostgreSQL text and jsonb cannot hold NUL: refuse it here, by position, not as a 500.
        if (code === 0)
          this.failAt(i, 'syntax', 'The NUL character (\\u0000) is not accepted', true);
        if (code >= 0xd800 && code <= 0xdfff) {
          // A surrogate escape must be a high one followed by a low one (I-JSON, RFC 7493):
          // a lone one is not Unicode text, and no hash, database or client can keep it.
          const low = LOW_SURROGATE_ESCAPE.exec(this.text.slice(i + 6, i + 12));
          if (code > 0xdbff || low === null) {
            this.failAt(
              i,
              'syntax',
              `A lone surrogate (\\u${this.text.slice(i + 2, i + 6)}) is not Unicode text`,
              true,
            );
          }
          out += String.fromCharCode(code, parseInt(low[1], 16));
          i += 11;
        } else {
          out += String.fromCharCode(code);
          i += 5;
        }
      } else {
        this.failAt(i, 'syntax', 'Invalid escape sequence in a string');
      }
      chunk = i + 1;
    }
    return this.fail('syntax', 'Unterminated string', false);
  }

  private parseNumber(): number {
    NUMBER.lastIndex = this.pos;
    const match = NUMBER.exec(this.text);
    if (!match) return this.fail('syntax', this.unexpected(), false);
    const literal = match[0];
    this.pos += literal.length;
    // Echoed in the detail and the violation: a 100,000-digit number is named, not repeated.
    const shown =
      literal.length <= 40 ? literal : `${literal.slice(0, 24)}… (${literal.length} characters)`;
    const value = Number(literal);
    if (!Number.isFinite(value)) {
      this.fail('number', `The number ${shown} is outside the range of a double`, true);
    }
    const digits = significantDigits(literal);
    if (value === 0 && digits > 0) {
      this.fail(
        'number',
        `The number ${shown} is too small for a double (it would read as 0); send it as a decimal string`,
        true,
      );
    }
    // Below the smallest normal double, fewer than 15 digits survive (subnormal numbers).
    const inexact = digits > SAFE_DIGITS || Math.abs(value) < MIN_NORMAL;
    if (inexact && value !== 0 && !sameDecimal(literal, String(value))) {
      this.fail(
        'number',
        `The number ${shown} has more significant digits than can be kept exactly; send it as a decimal string`,
        true,
      );
    }
    return value === 0 ? 0 : value;
  }

  private checkDepth(depth: number): void {
    if (depth > this.maxDepth) {
      this.fail('depth', `The body nests deeper than ${this.maxDepth} levels`, true);
    }
  }

  private skipWhitespace(): void {
    for (;;) {
      const c = this.text.charCodeAt(this.pos);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) this.pos++;
      else return;
    }
  }

  private unexpected(expected?: string, offset = 0): string {
    const at = this.pos + offset;
    const found =
      at < this.text.length ? `'${this.text[at]}' at ${this.place(at)}` : 'end of the body';
    return `Unexpected ${found}${expected ? `, expected ${expected}` : ''}`;
  }

  /** Line and column (from 1, in characters) as an editor shows them, and the offset. */
  private place(at: number): string {
    const lineStart = this.text.lastIndexOf('\n', at - 1) + 1;
    let line = 1;
    for (
      let i = this.text.indexOf('\n');
      i >= 0 && i < lineStart;
      i = this.text.indexOf('\n', i + 1)
    )
      line++;
    return `line ${line}, column ${at - lineStart + 1} (position ${at})`;
  }

  /**
   * A failure at `position`. With the pointer for what a value (or member name) holds, the NUL,
   * a lone surrogate, a control character, too deep a nesting: the member that holds it, or, in
   * a member name, the object that does. Not for broken syntax, where no member is certain.
   */
  private failAt(
    position: number,
    code: JsonErrorCode,
    message: string,
    withPointer = false,
  ): never {
    this.pos = position;
    return this.fail(code, message, withPointer);
  }

  private fail(code: JsonErrorCode, message: string, withPointer: boolean): never {
    const pointer = withPointer ? toPointer(this.path) : null;
    throw new JsonInputError(code, message, pointer, this.pos);
  }
}

const ESCAPES: Record<string, string> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

export function toPointer(path: readonly (string | number)[]): string {
  return path.map((part) => '/' + String(part).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

function significantDigits(literal: string): number {
  const mantissa = literal
    .replace(/^-/, '')
    .replace(/[eE].*$/, '')
    .replace('.', '');
  return mantissa.replace(/^0+/, '').length;
}

/** Whether two decimal literals denote the same number, compared digit by digit (no floats). */
function sameDecimal(a: string, b: string): boolean {
  const x = normalise(a);
  const y = normalise(b);
  return x.negative === y.negative && x.digits === y.digits && x.exponent === y.exponent;
}

function normalise(literal: string): { negative: boolean; digits: string; exponent: number } {
  const negative = literal.startsWith('-');
  const [mantissa, exp = '0'] = literal.replace(/^-/, '').split(/[eE]/);
  const [whole, fraction = ''] = mantissa.split('.');
  const all = whole + fraction;
  const leading = all.length - all.replace(/^0+/, '').length;
  const digits = all.slice(leading).replace(/0+$/, '');
  return { negative, digits, exponent: Number(exp) + whole.length - leading };
}
