import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { isDeepStrictEqual } from 'node:util';
import { canonicalJson, canonicalSha256, exactCanonicalJson, sha256Hex } from './canonical-json.js';

/** The IEEE 754 double with these bits (RFC 8785 Appendix B lists numbers this way). */
function double(hex: string): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, BigInt(`0x${hex}`));
  return view.getFloat64(0);
}

describe('canonicalJson (RFC 8785)', () => {
  // RFC 8785 Appendix B: IEEE 754 bits -> ECMAScript serialisation.
  it.each([
    ['0000000000000000', '0'],
    ['8000000000000000', '0'],
    ['0000000000000001', '5e-324'],
    ['8000000000000001', '-5e-324'],
    ['7fefffffffffffff', '1.7976931348623157e+308'],
    ['ffefffffffffffff', '-1.7976931348623157e+308'],
    ['4340000000000000', '9007199254740992'],
    ['c340000000000000', '-9007199254740992'],
    ['4430000000000000', '295147905179352830000'],
    ['44b52d02c7e14af5', '9.999999999999997e+22'],
    ['44b52d02c7e14af6', '1e+23'],
    ['44b52d02c7e14af7', '1.0000000000000001e+23'],
    ['444b1ae4d6e2ef4e', '999999999999999700000'],
    ['444b1ae4d6e2ef4f', '999999999999999900000'],
    ['444b1ae4d6e2ef50', '1e+21'],
    ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'],
    ['3eb0c6f7a0b5ed8d', '0.000001'],
    ['41b3de4355555553', '333333333.3333332'],
    ['41b3de4355555554', '333333333.33333325'],
    ['41b3de4355555555', '333333333.3333333'],
    ['41b3de4355555556', '333333333.3333334'],
    ['41b3de4355555557', '333333333.33333343'],
    ['becbf647612f3696', '-0.0000033333333333333333'],
    ['43143ff3c1cb0959', '1424953923781206.2'],
  ])('serialises the double %s as %s', (bits, expected) => {
    expect(canonicalJson(double(bits))).toBe(expected);
  });

  it.each([
    [1e21, '1e+21'],
    [1e-7, '1e-7'],
    [-0, '0'],
    [1.0, '1'],
    [4.5, '4.5'],
    [0.002, '0.002'],
  ])('serialises the number %p as %s', (value, expected) => {
    expect(canonicalJson(value)).toBe(expected);
  });

  it.each([NaN, Infinity, -Infinity])('rejects the non-finite number %p', (value) => {
    expect(() => canonicalJson({ score: value })).toThrow(TypeError);
  });

  it('reproduces the RFC 8785 serialisation example byte for byte', () => {
    const input = JSON.parse(
      '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],' +
        ' "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/",' +
        ' "literals": [null, true, false]}',
    );
    expect(canonicalJson(input)).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],' +
        '"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  it('sorts member names by UTF-16 code units, including non-ASCII and astral names (RFC 8785 sorting example)', () => {
    const input = {
      '\u20ac': 'Euro Sign',
      '\r': 'Carriage Return',
      '\ufb33': 'Hebrew Letter Dalet With Dagesh',
      '1': 'One',
      '\ud83d\ude00': 'Emoji: Grinning Face',
      '\u0080': 'Control',
      '\u00f6': 'Latin Small Letter O With Diaeresis',
    };
    expect(canonicalJson(input)).toBe(
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control",' +
        '"\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign",' +
        '"\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
  });

  it('sorts nested objects, keeps array order and writes no whitespace', () => {
    expect(canonicalJson({ b: [3, { z: 1, a: [] }, 'x'], a: { d: null, c: true } })).toBe(
      '{"a":{"c":true,"d":null},"b":[3,{"a":[],"z":1},"x"]}',
    );
  });

  it('escapes control characters as JSON.stringify does, lowercase hex', () => {
    expect(canonicalJson('\u0000\b\t\n\f\r\u001f"\\/\u007f\u2028')).toBe(
      '"\\u0000\\b\\t\\n\\f\\r\\u001f\\"\\\\/\u007f\u2028"',
    );
  });

  it('rejects lone surrogates in strings and in member names', () => {
    expect(() => canonicalJson('\ud800')).toThrow(TypeError);
    expect(() => canonicalJson({ '\udc00x': 1 })).toThrow(TypeError);
    expect(canonicalJson('\ud83d\ude00')).toBe('"\ud83d\ude00"');
  });

  it('omits undefined members, honours toJSON and rejects what has no JSON form', () => {
    expect(canonicalJson({ a: undefined, b: new Date('2026-01-02T03:04:05Z') })).toBe(
      '{"b":"2026-01-02T03:04:05.000Z"}',
    );
    expect(() => canonicalJson([undefined])).toThrow(TypeError);
    expect(() => canonicalJson(undefined)).toThrow(TypeError);
    expect(() => canonicalJson({ f: () => 1 })).toThrow(TypeError);
    expect(() => canonicalJson({ n: 1n })).toThrow(TypeError);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => canonicalJson(cyclic)).toThrow(TypeError);
    const shared = { x: 1 };
    expect(canonicalJson([shared, shared])).toBe('[{"x":1},{"x":1}]');
  });

  it('hashes with SHA-256 in hex', () => {
    expect(sha256Hex('abc')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    expect(sha256Hex(Buffer.from('abc'))).toBe(sha256Hex('abc'));
    expect(canonicalSha256({ b: 1, a: 2 })).toBe(sha256Hex('{"a":2,"b":1}'));
  });
});

/** The same JSON value with every object's members in another order. */
function shuffleKeys(value: unknown, random: () => number): unknown {
  if (Array.isArray(value)) return value.map((item) => shuffleKeys(item, random));
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value).map(([k, v]) => [k, shuffleKeys(v, random)] as const);
  for (let i = entries.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [entries[i], entries[j]] = [entries[j], entries[i]];
  }
  return Object.fromEntries(entries);
}

/** Re-writes JSON text with random whitespace between tokens and integers as `n.0`. */
function rewrite(text: string, random: () => number): string {
  const space = () => [' ', '\n', '\t', '\r\n  ', ''][Math.floor(random() * 5)];
  // Tokens outside strings: strings are matched first and kept verbatim.
  return text.replace(/"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|[{}[\]:,]/g, (token) => {
    if (/^-?\d+$/.test(token)) return `${space()}${token}.0${space()}`;
    return `${space()}${token}${space()}`;
  });
}

/** Every path to a leaf or container inside a JSON value. */
function paths(value: unknown, at: (string | number)[] = []): (string | number)[][] {
  const own = [at];
  if (Array.isArray(value)) return own.concat(...value.map((v, i) => paths(v, [...at, i])));
  if (typeof value === 'object' && value !== null) {
    return own.concat(...Object.entries(value).map(([k, v]) => paths(v, [...at, k])));
  }
  return own;
}

const asJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

function replaceAt(value: unknown, path: (string | number)[], next: unknown): unknown {
  if (path.length === 0) return next;
  const [head, ...rest] = path;
  const copy: any = Array.isArray(value) ? [...value] : { ...(value as object) };
  copy[head] = replaceAt(copy[head], rest, next);
  return copy;
}

describe('canonicalSha256 properties', () => {
  const json = fc.jsonValue({ maxDepth: 4 });

  it('ignores member order, whitespace and 1.0 versus 1', () => {
    fc.assert(
      fc.property(json, fc.integer(), (value, seed) => {
        let state = seed >>> 0 || 1;
        const random = () => ((state = (state * 1103515245 + 12345) >>> 0) % 1_000_000) / 1e6;
        const text = rewrite(JSON.stringify(shuffleKeys(value, random)), random);
        expect(canonicalSha256(JSON.parse(text))).toBe(canonicalSha256(value));
      }),
      { seed: 8785, numRuns: 300 },
    );
  });

  it('changes when any value inside changes', () => {
    fc.assert(
      fc.property(json, fc.nat(), json, (value, pick, replacement) => {
        const all = paths(value);
        const path = all[pick % all.length];
        const changed = replaceAt(value, path, replacement);
        // Same JSON data (a replacement equal to what it replaced; -0 is 0): nothing to detect.
        fc.pre(!isDeepStrictEqual(asJson(changed), asJson(value)));
        expect(canonicalSha256(changed)).not.toBe(canonicalSha256(value));
      }),
      { seed: 8786, numRuns: 300 },
    );
  });
});

describe('canonicalJson fast path', () => {
  const outcome = (serialize: (value: unknown) => string, value: unknown) => {
    try {
      return { text: serialize(value) };
    } catch (error) {
      return { error: (error as Error).constructor.name };
    }
  };
  const unusual = fc.oneof(
    fc.constantFrom(undefined, NaN, Infinity, -0, '\uD800', 'a\uDC00b', '\\ud800', '__proto__'),
    fc.constantFrom(new Date(0), () => 1, 10n),
    fc.dictionary(fc.constantFrom('0', '1', '10', '9', '01', '__proto__', 'b', 'a', ''), fc.nat()),
  );
  const value = fc.letrec((tie) => ({
    node: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.jsonValue({ maxDepth: 2 }),
      unusual,
      fc.array(tie('node'), { maxLength: 4 }),
      fc.dictionary(fc.string({ unit: 'binary', maxLength: 3 }), tie('node'), { maxKeys: 4 }),
    ),
  })).node;

  it('agrees with the member-by-member definition on every value, unusual ones included', () => {
    fc.assert(
      fc.property(value, (input) => {
        expect(outcome(canonicalJson, input)).toEqual(outcome(exactCanonicalJson, input));
      }),
      { seed: 8787, numRuns: 2000 },
    );
  });

  it('agrees on own __proto__ members, deep nesting and a cycle', () => {
    const own = JSON.parse('{"__proto__": 1, "a": [2]}');
    let deep: unknown = 1;
    for (let i = 0; i < 400; i++) deep = [deep];
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    for (const input of [own, deep, cyclic]) {
      expect(outcome(canonicalJson, input)).toEqual(outcome(exactCanonicalJson, input));
    }
    expect(canonicalJson(own)).toBe('{"__proto__":1,"a":[2]}');
  });
});
