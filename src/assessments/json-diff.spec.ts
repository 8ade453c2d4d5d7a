import { describe, expect, it } from '@jest/globals';
import { diffJson } from './json-diff.js';

describe('diffJson', () => {
  it('finds nothing between equal values, whatever their member order', () => {
    expect(diffJson({ a: 1, b: ['x', { c: null }] }, { b: ['x', { c: null }], a: 1 })).toEqual([]);
  });

  it('points at each leaf that differs', () => {
    expect(diffJson({ tier: 'B', factor: '1.0800' }, { tier: 'C', factor: '1.0800' })).toEqual([
      { pointer: '/tier', stored: 'B', recomputed: 'C' },
    ]);
  });

  it('reports an element or member on one side only instead of throwing', () => {
    expect(diffJson({ reasons: ['A', 'B'] }, { reasons: ['A'] })).toEqual([
      { pointer: '/reasons/1', stored: 'B', recomputed: undefined },
    ]);
    expect(diffJson({}, { warningsOmitted: 3 })).toEqual([
      { pointer: '/warningsOmitted', stored: undefined, recomputed: 3 },
    ]);
  });

  it('escapes member names in its pointers (RFC 6901)', () => {
    expect(diffJson({ 'a/b~c': 1 }, { 'a/b~c': 2 })).toEqual([
      { pointer: '/a~1b~0c', stored: 1, recomputed: 2 },
    ]);
  });
});
