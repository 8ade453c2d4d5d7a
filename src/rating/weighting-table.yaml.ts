// YAML text to the plain document `validateWeightingTable` reads. A YAML number keeps the decimal its
// source text writes: `0.85` stays the JSON number 0.85 (its String() is that decimal), while text a
// binary double would change (`0.1000000000000000000001`, `12345678901234567890`) becomes the numeric
// string "0.1000000000000000000001", which the validator reads as the same decimal.
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Scalar } from 'yaml';
import { compareDec, parseDecimal } from './decimal.js';

/** A YAML text that is not one plain document; `line` and `column` are 1-based, when known. */
export class WeightingTableYamlError extends Error {
  override readonly name = 'WeightingTableYamlError';
  constructor(
    message: string,
    readonly line: number | null = null,
    readonly column: number | null = null,
  ) {
    super(message);
  }
}

// YAML 1.2 core schema decimal spellings, rewritten to the JSON number grammar below.
const YAML_DECIMAL = /^([-+]?)(?:([0-9]+)(?:\.([0-9]*))?|\.([0-9]+))(?:[eE]([-+]?[0-9]+))?$/;
const MAX_DEPTH = 64;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Parses one YAML 1.2 document (core schema: no timestamps, no `<<` merges) into plain objects,
 * arrays and scalars. Throws WeightingTableYamlError on a syntax error, a duplicate key, several
 * documents, an unknown tag, an alias (tables are written out in full), a non-scalar key or nesting
 * deeper than 64.
 */
export function parseWeightingTableYaml(text: string): unknown {
  const lines = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter: lines,
    version: '1.2',
    schema: 'core',
    // toPlain refuses a duplicate key in linear time; the parser's own check compares each key
    // with every one before it (10 s for 40,000 keys).
    uniqueKeys: false,
    merge: false,
  });
  const problem = doc.errors[0] ?? doc.warnings[0];
  // The parser recurses into flow collections (`[[[[...`): a deep one overflows the stack, which
  // it reports as an error of the document, before toPlain could count the depth.
  if (problem?.message.includes('Maximum call stack size exceeded')) {
    throw new WeightingTableYamlError(`nesting deeper than ${MAX_DEPTH} levels`);
  }
  if (problem !== undefined) {
    const at = problem.linePos?.[0];
    // The first line names the problem and its place; the rest is a source excerpt.
    const message = problem.message.split('\n')[0].replace(/:$/, '');
    throw new WeightingTableYamlError(message, at?.line ?? null, at?.col ?? null);
  }
  return toPlain(doc.contents, 0, lines);
}

function toPlain(node: unknown, depth: number, lines: LineCounter): unknown {
  if (depth > MAX_DEPTH)
    throw new WeightingTableYamlError(`nesting deeper than ${MAX_DEPTH} levels`);
  if (node === null || node === undefined) return null;
  if (isAlias(node)) {
    throw new WeightingTableYamlError(
      `alias *${node.source} is not supported: write the value out`,
    );
  }
  if (isScalar(node)) return scalarValue(node, lines);
  if (isSeq(node)) return node.items.map((item) => toPlain(item, depth + 1, lines));
  if (isMap(node)) {
    const object: Record<string, unknown> = {};
    for (const pair of node.items) {
      const key = keyText(pair.key, lines);
      // Refused as the JSON body parser refuses them (a 400, reliability checklist INPUT-11).
      if (FORBIDDEN_KEYS.has(key)) {
        const at = isScalar(pair.key) && pair.key.range ? lines.linePos(pair.key.range[0]) : null;
        throw new WeightingTableYamlError(
          `the key ${key} is not accepted`,
          at?.line ?? null,
          at?.col ?? null,
        );
      }
      if (Object.hasOwn(object, key)) {
        const at = isScalar(pair.key) && pair.key.range ? lines.linePos(pair.key.range[0]) : null;
        throw new WeightingTableYamlError(
          `duplicate key ${JSON.stringify(key)}`,
          at?.line ?? null,
          at?.col ?? null,
        );
      }
      // defineProperty all the same: no key can replace the prototype, whatever the list says.
      Object.defineProperty(object, key, {
        value: toPlain(pair.value, depth + 1, lines),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return object;
  }
  throw new WeightingTableYamlError('unsupported YAML node');
}

function keyText(key: unknown, lines: LineCounter): string {
  if (!isScalar(key)) throw new WeightingTableYamlError('a mapping key must be a plain scalar');
  return unicodeText(rawKeyText(key), key, lines);
}

function rawKeyText(key: Scalar): string {
  if (typeof key.value === 'number' && typeof key.source === 'string') return key.source;
  const value: unknown = key.value;
  if (typeof value === 'string') return value;
  if (typeof key.source === 'string') return key.source;
  if (typeof value === 'boolean' || typeof value === 'number' || typeof value === 'bigint')
    return String(value);
  return '';
}

function scalarValue(node: Scalar, lines: LineCounter): unknown {
  const value = node.value;
  if (typeof value === 'string') return unicodeText(value, node, lines);
  if (typeof value !== 'number') return value;
  const source = typeof node.source === 'string' ? node.source : String(value);
  const written = yamlDecimalAsJson(source);
  if (written === null) {
    // 0x1F, 0o17, .inf, .nan: exact integers stay numbers; infinities reach the validator as such.
    return Number.isFinite(value) && !Number.isSafeInteger(value)
      ? BigInt(source).toString()
      : value;
  }
  const fromNumber = parseDecimal(String(value));
  const fromText = parseDecimal(written);
  if (fromText === null) return written;
  return fromNumber !== null && compareDec(fromNumber, fromText) === 0 ? value : written;
}

// YAML's double-quoted escapes can write what the JSON body parser refuses: a NUL (PostgreSQL
// text cannot hold one) and a lone surrogate (not Unicode text, and RFC 8785 cannot hash it).
// The same rules as hardened-json.parser.ts and canonical-json.ts, restated here (with
// FORBIDDEN_KEYS above) because the rating module imports nothing outside itself.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function unicodeText(text: string, node: Scalar, lines: LineCounter): string {
  let problem: string | null = null;
  const surrogate = LONE_SURROGATE.exec(text);
  if (text.includes('\u0000')) problem = 'the NUL character (\\0, \\x00, \\u0000) is not accepted';
  else if (surrogate !== null)
    problem = `a lone surrogate (\\u${surrogate[0].charCodeAt(0).toString(16)}) is not Unicode text`;
  if (problem === null) return text;
  const at = node.range ? lines.linePos(node.range[0]) : null;
  throw new WeightingTableYamlError(problem, at?.line ?? null, at?.col ?? null);
}

/** `+1.` -> "1", `.5` -> "0.5", `007` -> "7": the same decimal in the JSON number grammar. */
function yamlDecimalAsJson(source: string): string | null {
  const match = YAML_DECIMAL.exec(source);
  if (match === null) return null;
  const [, sign, int, frac, bareFrac, exp] = match;
  const integer = (int ?? '0').replace(/^0+(?=[0-9])/, '');
  const fraction = frac ?? bareFrac ?? '';
  return `${sign === '-' ? '-' : ''}${integer}${fraction ? `.${fraction}` : ''}${exp === undefined ? '' : `e${exp}`}`;
}
