import { describe, expect, it } from '@jest/globals';
import { exampleDocument } from './rating-fixtures.spec-helper.js';
import { validateWeightingTable } from './weighting-table.validation.js';
import { parseWeightingTableYaml, WeightingTableYamlError } from './weighting-table.yaml.js';

const EXAMPLE_YAML = `
name: sme-cyber
version: "2027.1"
effectiveFrom: "2027-01-01"
effectiveTo: null
adoption: { missing: zero, thirdPartyCredit: 0.5 }
controls:
  - { name: AdminMFAV2, weight: 10 }
  - { name: scid_2010, weight: 6, maxScore: 10 }
categoryWeights: { Identity: 0.5, Data: 0.50 }
tiers:
  - { tier: A, minIndex: 85, factor: 0.80 }
  - { tier: E, minIndex: 0, factor: 1.60, decision: decline }
factorFloor: 0.1000000000000000000000000000000001
rounding: { index: 2, factor: 4 }
`;

describe('parseWeightingTableYaml', () => {
  it('parses a table whose numbers keep the decimal they write', () => {
    const doc = parseWeightingTableYaml(EXAMPLE_YAML) as Record<string, any>;
    expect(doc.adoption).toEqual({ missing: 'zero', thirdPartyCredit: 0.5 });
    expect(doc.tiers[0]).toEqual({ tier: 'A', minIndex: 85, factor: 0.8 });
    // A double would read 0.1: the text is kept as a numeric string instead.
    expect(doc.factorFloor).toBe('0.1000000000000000000000000000000001');
    const result = validateWeightingTable(doc);
    expect(result.ok && result.table.factorFloor).toBe('0.1000000000000000000000000000000001');
    expect(result.ok && result.table.categoryWeights).toEqual({ Identity: '0.5', Data: '0.5' });
  });

  it('reads the JSON example (JSON is YAML) into the same table as JSON.parse', () => {
    const text = JSON.stringify(exampleDocument());
    expect(validateWeightingTable(parseWeightingTableYaml(text))).toEqual(
      validateWeightingTable(exampleDocument()),
    );
  });

  it.each<[string, string, unknown]>([
    ['a long integer', 'x: 12345678901234567890', '12345678901234567890'],
    ['a leading plus and dot', 'x: +.5', 0.5],
    ['a trailing dot', 'x: 7.', 7],
    ['leading zeros', 'x: 007', 7],
    ['an exponent', 'x: 1.5e3', 1500],
    ['a precise exponent', 'x: 1.00000000000000000001e3', '1.00000000000000000001e3'],
    ['a hexadecimal integer', 'x: 0x1F', 31],
    ['a quoted number', 'x: "0.85"', '0.85'],
    ['infinity', 'x: .inf', Number.POSITIVE_INFINITY],
    ['a date (no YAML 1.1 timestamps)', 'x: 2027-01-01', '2027-01-01'],
    ['yes (no YAML 1.1 booleans)', 'x: yes', 'yes'],
    ['a numeric key', '1.50: a', undefined],
  ])('reads %s', (_, text, expected) => {
    const doc = parseWeightingTableYaml(text) as Record<string, unknown>;
    if (expected === undefined) expect(doc).toEqual({ '1.50': 'a' });
    else expect(doc.x).toEqual(expected);
  });

  it.each(['__proto__', 'constructor', 'prototype'])(
    'refuses a %s key at any depth, by line and column, as the JSON parser does',
    (key) => {
      expect(() =>
        parseWeightingTableYaml(`name: x\ntiers:\n  - ${key}: { polluted: true }\n`),
      ).toThrow(
        expect.objectContaining({ line: 3, column: 5, message: `the key ${key} is not accepted` }),
      );
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    },
  );

  it('reads an empty text as null', () => {
    expect(parseWeightingTableYaml('')).toBeNull();
  });

  it.each<[string, string, string]>([
    ['a syntax error', 'name: [unclosed', ''],
    ['a duplicate key', 'name: a\nname: b', 'duplicate key "name"'],
    ['two documents', 'name: a\n---\nname: b', 'multiple documents'],
    ['an alias', 'a: &x 1\nb: *x', 'alias'],
    ['a mapping key', '? [a, b]\n: c', 'key'],
    ['an unknown tag', 'x: !money 5', 'tag'],
    ['deep nesting', `x: ${'['.repeat(70)}${']'.repeat(70)}`, 'nesting'],
    // Deep enough to overflow the YAML library's own recursion, inside a 1 MB body.
    [
      'nesting that overflows the parser',
      `x: ${'['.repeat(100_000)}${']'.repeat(100_000)}`,
      'nesting',
    ],
    // Escapes the JSON body parser refuses too: NUL and lone surrogates, in values and keys.
    ['a NUL escape', 'description: "a\\0b"', 'NUL'],
    ['a \\x00 escape', 'description: "a\\x00b"', 'NUL'],
    ['a lone high surrogate', 'description: "a\\ud800"', 'lone surrogate (\\ud800)'],
    ['a lone low surrogate in a key', '"\\udc00": 1', 'lone surrogate (\\udc00)'],
  ])('refuses %s with a WeightingTableYamlError', (_, text, message) => {
    expect(() => parseWeightingTableYaml(text)).toThrow(WeightingTableYamlError);
    expect(() => parseWeightingTableYaml(text)).toThrow(
      expect.objectContaining({ message: expect.stringContaining(message) }),
    );
  });

  it('locates a duplicate key by line and column, nested too', () => {
    expect(() => parseWeightingTableYaml('name: a\ntiers:\n  - tier: A\n    tier: B\n')).toThrow(
      expect.objectContaining({ message: 'duplicate key "tier"', line: 4, column: 5 }),
    );
  });

  it('reads a mapping of 20,000 keys, and finds a duplicate at its end by line', () => {
    // The duplicate check is toPlain's (linear): the library's own took 10.8 s for 40,000 keys.
    const keys = Array.from({ length: 20_000 }, (_, i) => `k${i}: ${i}\n`).join('');
    const parsed = parseWeightingTableYaml(keys) as Record<string, unknown>;
    expect(Object.keys(parsed)).toHaveLength(20_000);
    expect(() => parseWeightingTableYaml(`${keys}k19999: again\n`)).toThrow(
      expect.objectContaining({ message: 'duplicate key "k19999"', line: 20_001, column: 1 }),
    );
  });

  it('keeps a surrogate pair, and locates a lone surrogate by line and column', () => {
    expect(parseWeightingTableYaml('description: "\\ud83d\\ude00"')).toEqual({ description: '😀' });
    expect(() => parseWeightingTableYaml('name: sme\ndescription: "x\\ud800"\n')).toThrow(
      expect.objectContaining({ line: 2, column: 14 }),
    );
  });

  it('locates a syntax error by line and column', () => {
    try {
      parseWeightingTableYaml('name: sme\nx: @y\n');
      throw new Error('expected a syntax error');
    } catch (error) {
      expect(error).toBeInstanceOf(WeightingTableYamlError);
      expect(error).toMatchObject({
        line: 2,
        column: 4,
        message: 'Plain value cannot start with reserved character @ at line 2, column 4',
      });
    }
  });
});
