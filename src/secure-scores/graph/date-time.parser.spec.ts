import { describe, expect, it } from '@jest/globals';
import { compareInstants, parseDay, parseInstant } from './date-time.parser.js';

describe('parseInstant', () => {
  it.each([
    ['2026-05-22T00:00:00Z', '2026-05-22T00:00:00.000Z'],
    ['2019-03-19T22:37:14.628799Z', '2019-03-19T22:37:14.628Z'],
    ['2024-02-29T23:59:59.9z', '2024-02-29T23:59:59.900Z'],
    ['2024-03-01T01:00:00+02:00', '2024-02-29T23:00:00.000Z'],
    ['2023-12-31T23:30:00-01:00', '2024-01-01T00:30:00.000Z'],
    ['2000-02-29T00:00:00Z', '2000-02-29T00:00:00.000Z'],
    ['0001-01-01T00:00:00Z', '0001-01-01T00:00:00.000Z'],
    ['9999-12-31T23:59:59.999Z', '9999-12-31T23:59:59.999Z'],
    ['0001-01-01T00:30:00+00:30', '0001-01-01T00:00:00.000Z'],
  ])('reads %s as %s', (text, iso) => {
    expect(parseInstant(text)?.iso).toBe(iso);
  });

  it.each([
    '2024-02-30T00:00:00Z',
    '2023-02-29T00:00:00Z',
    '1900-02-29T00:00:00Z',
    '2024-04-31T00:00:00Z',
    '2024-00-10T00:00:00Z',
    '2024-01-01T00:00:00',
    '2024-01-01 00:00:00Z',
    '2024-01-01T00:00Z',
    '2024-01-01T24:00:00Z',
    '2024-01-01T00:60:00Z',
    '2024-01-01T00:00:60Z',
    '2024-01-01T00:00:00+0200',
    '2024-01-01T00:00:00+24:00',
    '2024-01-01T00:00:00.Z',
    '2024-01-01T00:00:00.1234567890Z',
    '24-01-01T00:00:00Z',
    '2024-01-01',
    ' 2024-01-01T00:00:00Z',
    '',
    // Outside years 0001 to 9999 in UTC: PostgreSQL has no year 0, and 10000 has no ISO form.
    '0000-01-01T00:00:00Z',
    '0000-12-31T23:59:59.999Z',
    '0001-01-01T00:00:00+00:01',
    '9999-12-31T23:59:59-00:01',
  ])('rejects %p', (text) => {
    expect(parseInstant(text)).toBeNull();
  });

  it('orders by instant, then by digits below the millisecond; undated first', () => {
    const a = parseInstant('2019-03-19T22:37:14.6287Z');
    const b = parseInstant('2019-03-19T22:37:14.628799Z');
    const c = parseInstant('2019-03-19T23:37:14.628799+01:00');
    expect([compareInstants(a, b), compareInstants(b, a), compareInstants(b, c)]).toEqual([
      -1, 1, 0,
    ]);
    expect([
      compareInstants(null, a),
      compareInstants(a, null),
      compareInstants(null, null),
    ]).toEqual([-1, 1, 0]);
  });
});

describe('parseDay', () => {
  it.each([
    ['2017-01-31', '2017-01-31T00:00:00.000Z'],
    ['2016-02-29', '2016-02-29T00:00:00.000Z'],
  ])('reads %s as %s', (text, iso) => {
    expect(parseDay(text)).toBe(iso);
  });

  it.each([
    '2017-02-29',
    '2017-13-01',
    '2017-1-31',
    '2017-01-31T00:00:00Z',
    '31/01/2017',
    '0000-01-01',
  ])('rejects %p', (text) => {
    expect(parseDay(text)).toBeNull();
  });
});
