import { describe, expect, it } from '@jest/globals';
import { compareCodePoints } from './code-point-order.js';
import { canonicalText, formatScaled, parseDecimal, roundHalfUp } from './decimal.js';
import { parseInstant, wholeDaysBetween } from './instant.js';

describe('decimals', () => {
  it.each([
    ['0.85', '0.85'],
    ['0.850', '0.85'],
    ['-0', '0'],
    ['1e2', '100'],
    ['1.5E-3', '0.0015'],
    ['12345678901234567890.123456789012345678', '12345678901234567890.123456789012345678'],
  ])('reads %s as the decimal %s', (text, canonical) => {
    const value = parseDecimal(text);
    expect(value && canonicalText(value)).toBe(canonical);
  });

  it.each([
    '',
    ' 1',
    '1 ',
    '+1',
    '.5',
    '5.',
    '01',
    '0x10',
    '1e',
    'NaN',
    'Infinity',
    '1,5',
    '1e401',
  ])('refuses %j', (text) => expect(parseDecimal(text)).toBeNull());

  it.each<[bigint, bigint, bigint]>([
    [5n, 10n, 1n],
    [4n, 10n, 0n],
    [15n, 10n, 2n],
    [25n, 10n, 3n],
    [-5n, 10n, -1n],
    [-4n, 10n, 0n],
    [1n, 3n, 0n],
    [2n, 3n, 1n],
  ])('rounds %d / %d half away from zero to %d', (p, q, rounded) => {
    expect(roundHalfUp(p, q)).toBe(rounded);
  });

  it.each<[bigint, number, string]>([
    [7059n, 2, '70.59'],
    [5n, 4, '0.0005'],
    [0n, 2, '0.00'],
    [71n, 0, '71'],
    [123456789n, 8, '1.23456789'],
    [-5n, 2, '-0.05'],
    [2n ** 64n, 4, '1844674407370955.1616'],
  ])('formats %d at %d places as %s', (n, places, text) => {
    expect(formatScaled(n, places)).toBe(text);
  });
});

describe('instants', () => {
  it.each([
    ['2024-01-01T00:00:00Z', '2024-01-20T00:00:00Z', 19],
    ['2024-01-01T00:00:00.0000001Z', '2024-01-20T00:00:00Z', 18],
    ['2024-01-01T00:00:00Z', '2024-01-20T00:00:00.0000001Z', 19],
    ['2024-01-01T12:00:00+02:00', '2024-01-02T10:00:00Z', 1],
    ['2024-02-28T00:00:00Z', '2024-03-01T00:00:00Z', 2],
    ['2024-01-20T00:00:00Z', '2024-01-19T23:59:59.999Z', -1],
    ['0099-12-31T00:00:00Z', '0100-01-01T00:00:00Z', 1],
  ])('counts whole days from %s to %s: %d', (from, to, days) => {
    expect(wholeDaysBetween(parseInstant(from)!, parseInstant(to)!)).toBe(days);
  });

  it.each([
    '2024-01-20',
    '2024-01-20T00:00:00',
    '2024-02-30T00:00:00Z',
    '2024-01-20T24:00:00Z',
    '2024-01-20 00:00:00Z',
    'now',
  ])('refuses %j as an instant', (text) => expect(parseInstant(text)).toBeNull());
});

describe('code point order', () => {
  it('sorts astral characters after the private use area, unlike UTF-16 code units', () => {
    const names = ['\u{1F600}', '\uFFFD', '\uE000', 'z', 'Z'];
    expect([...names].sort(compareCodePoints)).toEqual(['Z', 'z', '\uE000', '\uFFFD', '\u{1F600}']);
    expect([...names].sort()).not.toEqual([...names].sort(compareCodePoints));
    expect(compareCodePoints('ab', 'abc')).toBeLessThan(0);
    expect(compareCodePoints('same', 'same')).toBe(0);
  });
});
