import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  asciiJsonText,
  decodeUtf8,
  JsonInputError,
  parseJsonBytes,
  parseJsonExact,
  parseJsonStrict,
  tryParseJsonStrict,
} from './hardened-json.parser.js';

function failure(text: string, depth = 32): JsonInputError {
  try {
    parseJsonStrict(text, depth);
  } catch (error) {
    if (error instanceof JsonInputError) return error;
    throw error;
  }
  throw new Error(`expected ${text} to be rejected`);
}

describe('parseJsonStrict', () => {
  it('parses what JSON.parse parses, for any JSON value without forbidden keys', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (value) => {
        const text = JSON.stringify(value);
        fc.pre(!/"(__proto__|constructor|prototype)"\s*:/.test(text));
        fc.pre(!text.includes('\\u0000')); // refused on purpose: PostgreSQL cannot store NUL
        expect(parseJsonStrict(text, 64)).toEqual(JSON.parse(text));
      }),
      { seed: 20261128, numRuns: 500 },
    );
  });

  it.each([
    ['truncated', '{"a": 1', 'syntax'],
    ['trailing comma', '{"a": 1,}', 'syntax'],
    ['NaN literal', '{"a": NaN}', 'syntax'],
    ['Infinity literal', '[Infinity]', 'syntax'],
    ['single quotes', "{'a': 1}", 'syntax'],
    ['leading zero', '[01]', 'syntax'],
    ['bare control character', '["a\u0001b"]', 'syntax'],
    ['bad escape', '["\\x41"]', 'syntax'],
    ['escaped NUL (PostgreSQL cannot store it)', '["a\\u0000b"]', 'syntax'],
    ['empty body', '', 'syntax'],
    ['two values', '{} {}', 'syntax'],
    ['comment', '{"a": 1 /* no */}', 'syntax'],
  ])('rejects %s', (_name, text, code) => {
    expect(failure(text).code).toBe(code);
  });

  it.each([
    ['{"a": {"__proto__": {"polluted": true}}}', '/a/__proto__'],
    ['[{"constructor": {"prototype": {}}}]', '/0/constructor'],
    ['{"x": [1, {"prototype": 1}]}', '/x/1/prototype'],
  ])('rejects a forbidden key in %s at its pointer', (text, pointer) => {
    const error = failure(text);
    expect([error.code, error.pointer]).toEqual(['forbidden-key', pointer]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each([
    ['{"a": {"name": "a\\u0000b"}}', '/a/name', 'NUL'],
    ['{"a": ["x", "\\ud800"]}', '/a/1', 'lone surrogate'],
    ['{"a": {"b\\u0000": 1}}', '/a', 'NUL'], // in a member name: the object that holds it
    ['{"a": "x\u0001"}', '/a', 'control character'],
    ['{"a": "\\"x\u0001"}', '/a', 'control character'],
    ['{"a": [[[[1]]]]}', '/a/0/0', 'deeper than 3'],
  ])('names where %s holds what it may not', (text, pointer, message) => {
    const error = failure(text, 3);
    expect(error.pointer).toBe(pointer);
    expect(error.message).toContain(message);
  });

  it('places broken syntax by line and column, as an editor shows them, and by offset', () => {
    const text = '{\n  "a": 1,\n  "b": x\n}';
    expect(() => parseJsonStrict(text)).toThrow("Unexpected 'x' at line 3, column 8 (position 19)");
    expect(() => parseJsonStrict('[1,]')).toThrow('at line 1, column 4 (position 3)');
  });

  it('rejects duplicate member names with the pointer of the repeat', () => {
    const error = failure('{"value": [{"currentScore": 1, "currentScore": 999}]}');
    expect([error.code, error.pointer]).toEqual(['duplicate-key', '/value/0/currentScore']);
  });

  it('escapes pointer tokens per RFC 6901', () => {
    expect(failure('{"a/b": {"c~d": 1, "c~d": 2}}').pointer).toBe('/a~1b/c~0d');
  });

  it('limits nesting depth before recursing further', () => {
    expect(parseJsonStrict('[[[1]]]', 3)).toEqual([[[1]]]);
    expect(failure('[[[[1]]]]', 3).code).toBe('depth');
    expect(failure('['.repeat(40_000) + ']'.repeat(40_000)).code).toBe('depth');
  });

  it.each([['1e400'], ['-1e400']])('rejects %s, which overflows a double', (literal) => {
    const error = failure(`{"n": ${literal}}`);
    expect([error.code, error.pointer]).toEqual(['number', '/n']);
  });

  it('names a very long number by its start and length, not in full', () => {
    const literal = `1${'2'.repeat(99_999)}`;
    const error = failure(`{"n": ${literal}}`);
    expect(error.message).toBe(
      `The number 1${'2'.repeat(23)}… (100000 characters) is outside the range of a double`,
    );
    expect(failure('[0.1000000000000000055511151231257827]').message).toContain(
      'The number 0.1000000000000000055511151231257827 has',
    );
  });

  it('rejects a number whose written digits a double cannot keep', () => {
    expect(failure('[0.1000000000000000055511151231257827]').code).toBe('number');
    expect(failure('[12345678901234567891]').code).toBe('number');
  });

  it.each([['1e-400'], ['-1e-400'], ['3e-324'], ['1.23456789e-320']])(
    'rejects %s, which underflows to 0 or to a subnormal double that loses its digits',
    (literal) => {
      const error = failure(`{"n": ${literal}}`);
      expect([error.code, error.pointer]).toEqual(['number', '/n']);
    },
  );

  it.each([['1e-400'], ['-5e-400'], ['1e999']])('rejects the bare number %s', (literal) => {
    expect(failure(literal).code).toBe('number');
  });

  it.each([
    ['"\\ud800"', 1],
    ['"a\\udc00b"', 2],
    ['"\\uD83Dx"', 1],
    ['"\\ud83d\\u0041"', 1],
    ['"\\ude00\\ud83d"', 1],
  ])('rejects the lone surrogate escape in %s, at its position', (text, position) => {
    const error = failure(`[${text}]`);
    expect([error.code, error.position]).toEqual(['syntax', position + 1]);
    expect(error.message).toContain('lone surrogate');
  });

  it.each([
    ['0e-999', 0],
    ['-0.000e+500', 0],
    ['5e-324', 5e-324],
    ['2.2250738585072014e-308', 2.2250738585072014e-308],
    ['1e-300', 1e-300],
    ['0.30000000000000004', 0.30000000000000004],
    ['9.0', 9],
    ['1E2', 100],
    ['123456789012345', 123456789012345],
    ['0.000001', 0.000001],
    ['1.5e-7', 1.5e-7],
  ])('keeps %s exactly', (literal, value) => {
    expect(parseJsonStrict(`[${literal}]`)).toEqual([value]);
  });

  it('normalises -0 to 0', () => {
    expect(Object.is((parseJsonStrict('[-0]') as number[])[0], 0)).toBe(true);
  });

  it('decodes escapes, including surrogate pairs, and skips a byte order mark', () => {
    expect(parseJsonStrict('\ufeff["a\\"b\\\\c\\/\\n\\u00e9\\ud83d\\ude00"]')).toEqual([
      'a"b\\c/\né😀',
    ]);
  });
});

/** A parse's value, or its JsonInputError's fields. */
function outcome<Input>(
  parse: (input: Input, depth: number) => unknown,
  input: Input,
  depth: number,
) {
  try {
    // JSON.stringify keeps -0 apart from 0 only through Object.is: compare both ways.
    const value = parse(input, depth);
    return { value, negativeZero: Object.is(value, -0) };
  } catch (error) {
    if (!(error instanceof JsonInputError)) throw error;
    const { code, message, pointer, position } = error;
    return { error: { code, message, pointer, position } };
  }
}

describe('parseJsonStrict fast path', () => {
  // Fragments that each make the native parser's answer differ from the exact one, spliced in.
  const fragment = fc.constantFrom(
    '"a":1,"a":2,',
    '"__proto__":{},',
    '"constructor":1,',
    '"\\u005f_proto__":1,',
    '"n":12345678901234567,',
    '"n":0.1000000000000000055,',
    '"n":1234567890.1234567,',
    '"n":9007199254740993,',
    '"n":1e400,',
    '"n":-0,',
    '"z":[-0,[-0.0],{"m":-0}],',
    '"n":-1e-400,',
    '"n":1.23456789e-320,',
    '"n":5e-324,',
    '"n":0.0e-999,',
    '"n":1E+400,',
    '"n":[1,-2.5e-999],',
    '"s":"\\ud83d\\ude00",',
    '"s":"\\ud800",',
    '"s":"a\\udc00b",',
    '"s":"\\uD83D\\u0041",',
    '"s":"\\u0000",',
    '"s":"a\\":b",',
    '"s\\\\":1,"s\\\\":2,',
    '"q":"\\":","q":1,',
    '"d":[[[[[[[[[[[[1]]]]]]]]]]]],',
    '"x" : 1 , "x":2,',
    // What the text scan must read as string content, not as numbers or names.
    '"s":"12345678901234567 1e400",',
    '"s":"\\\\u0000",',
    '"s":"a\\\\","s":1,',
    '"s\\"":1,"s\\"":2,',
    '"s":"\\\\\\"\\\\",',
    '"t":"x\\"y":1,',
    '"n":[1234567890.12345,0.000000000000001,1e99,-1E-99],',
  );
  const text = fc
    .tuple(
      fc.jsonValue({ maxDepth: 4 }),
      fc.array(fragment, { maxLength: 2 }),
      fc.nat(),
      fc.boolean(),
    )
    .map(([value, fragments, at, pretty]) => {
      let body = JSON.stringify({ v: value }, null, pretty ? 2 : undefined);
      const openings = [...body.matchAll(/\{/g)].map((m) => m.index);
      for (const piece of fragments) {
        const position = openings[at % openings.length] + 1;
        body = body.slice(0, position) + piece + body.slice(position);
      }
      return body;
    });

  it('answers exactly as the character-by-character parser, value or error', () => {
    fc.assert(
      fc.property(text, fc.constantFrom(8, 32), (body, depth) => {
        expect(outcome(parseJsonStrict, body, depth)).toEqual(outcome(parseJsonExact, body, depth));
      }),
      { seed: 20261202, numRuns: 3000 },
    );
  });

  it('agrees on malformed bodies too', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (body) => {
        expect(outcome(parseJsonStrict, body, 32)).toEqual(outcome(parseJsonExact, body, 32));
      }),
      { seed: 20261203, numRuns: 1000 },
    );
  });
});

describe('bytes', () => {
  it('decodes UTF-8, and refuses any other bytes rather than replace them with U+FFFD', () => {
    expect(decodeUtf8(Buffer.from('{"name":"Zürich"}'))).toBe('{"name":"Zürich"}');
    for (const bytes of [
      [0x7b, 0xff, 0x7d],
      [0x22, 0xc3, 0x22],
      [0xed, 0xa0, 0x80],
    ]) {
      let refusal: unknown;
      try {
        decodeUtf8(Uint8Array.from(bytes));
      } catch (error) {
        refusal = error;
      }
      expect(refusal).toBeInstanceOf(JsonInputError);
      expect(refusal).toMatchObject({ code: 'encoding', message: 'The text is not valid UTF-8' });
    }
  });

  it('parses bytes as it parses their text, and returns a refusal as data', () => {
    const text = '{"a": [1, "é", {"b": null}]}';
    expect(tryParseJsonStrict(Buffer.from(text), 32)).toEqual({
      ok: true,
      value: parseJsonStrict(text, 32),
    });
    expect(tryParseJsonStrict(Uint8Array.from([0x5b, 0xfe, 0x5d]), 32)).toEqual({
      ok: false,
      error: {
        code: 'encoding',
        message: 'The text is not valid UTF-8',
        pointer: null,
        position: 0,
      },
    });
    expect(tryParseJsonStrict(Buffer.from('{"a": 1, "a": 2}'), 32)).toMatchObject({
      ok: false,
      error: { code: 'duplicate-key', pointer: '/a' },
    });
  });

  // parseJsonBytes reads non-ASCII characters as escapes on its fast path: its answer must be
  // the one for the decoded text, whatever the characters are and wherever they stand.
  const character = fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom('a', 'Z', '0', ' ', '"', '\\', ':', '{', '\n') },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        'é', // two bytes
        '\u0080', // the first two-byte character, a C1 control
        '\u07ff', // the last two-byte one
        '\u0800', // the first three-byte one
        '’',
        '—',
        '\u2028', // a line separator, plain in a JSON string
        '\ufeff', // a byte order mark, also mid-text
        '\uffff', // the last three-byte one
        '😀', // four bytes: the text is decoded instead
        '\ud800', // a lone surrogate, which becomes U+FFFD in UTF-8
      ),
    },
  );
  const unicodeText = fc
    .tuple(
      fc.jsonValue({ maxDepth: 4, stringUnit: character }),
      fc.array(fc.tuple(fc.nat(), fc.string({ unit: character, maxLength: 3 })), { maxLength: 2 }),
      fc.boolean(),
      fc.nat({ max: 2_000 }),
    )
    .map(([value, splices, pretty, padding]) => {
      // ASCII padding: sparse non-ASCII text takes the fast path, dense text is decoded.
      const document = { v: value, p: 'x'.repeat(padding) };
      let body = JSON.stringify(document, null, pretty ? 2 : undefined);
      // Splices put characters anywhere: between tokens, inside escapes and numbers.
      for (const [at, piece] of splices) {
        const position = at % (body.length + 1);
        body = body.slice(0, position) + piece + body.slice(position);
      }
      return Buffer.from(body);
    });

  it('parses bytes exactly as the strict parser parses their text, value or error', () => {
    fc.assert(
      fc.property(unicodeText, fc.constantFrom(3, 32), (bytes, depth) => {
        expect(outcome(parseJsonBytes, bytes, depth)).toEqual(
          outcome(parseJsonStrict, bytes.toString('utf8'), depth),
        );
      }),
      { seed: 20261207, numRuns: 3000 },
    );
  });

  it('writes sparse non-ASCII text as ASCII with escapes, and leaves the rest to decoding', () => {
    const text = (body: string) => asciiJsonText(Buffer.from(body));
    const padding = 'x'.repeat(1_000); // one non-ASCII character in 128 bytes is the limit
    expect(text('{"a":"plain"}')).toBe('{"a":"plain"}');
    expect(text(`{"a":"é’\u0080\uffff","p":"${padding}"}`)).toBe(
      `{"a":"\\u00e9\\u2019\\u0080\\uffff","p":"${padding}"}`,
    );
    expect(text(`{"a":"😀","p":"${padding}"}`)).toBeNull(); // beyond the BMP
    expect(text(`{"a":"\\é","p":"${padding}"}`)).toBeNull(); // after a backslash
    expect(text(`{"a":"${'é'.repeat(10)}","p":"${padding}"}`)).toBeNull(); // dense
  });

  it('reads sparse and dense non-ASCII text, from a view at any byte offset', () => {
    const sparse = `{"d":"${'x'.repeat(300)}’${'y'.repeat(300)}—","n":[1,2.5]}`;
    const dense = `{"d":"${'ж'.repeat(400)}"}`;
    for (const text of [sparse, dense]) {
      const bytes = Buffer.from(text);
      // The ASCII is skipped four bytes at a time, from the first aligned one.
      for (let offset = 0; offset < 4; offset++) {
        const backing = new Uint8Array(bytes.length + 4);
        backing.set(bytes, offset);
        const view = backing.subarray(offset, offset + bytes.length);
        expect(parseJsonBytes(view)).toEqual(JSON.parse(text));
      }
    }
  });
});
