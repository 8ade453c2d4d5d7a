import { describe, expect, it } from '@jest/globals';
import {
  arrayElement,
  binaryElements,
  binaryTextArray,
  decimalArrayLiteral,
  elementOffsets,
  textArrayLiteral,
} from './pg-array.js';

describe('PostgreSQL array literals', () => {
  it('quotes a text element only where array_out would, escaping quotes and backslashes', () => {
    expect(
      textArrayLiteral(['a', 'b "c"', 'd\\e', null, '', 'NULL', 'null', '{x,y}', 'x y', 'a_b.c-1']),
    ).toBe('{a,"b \\"c\\"","d\\\\e",NULL,"","NULL","null","{x,y}","x y",a_b.c-1}');
  });

  it('writes an array literal as one element of an array of literals', () => {
    expect(arrayElement(textArrayLiteral(['a', 'b c']))).toBe('"{a,\\"b c\\"}"');
    expect(arrayElement(textArrayLiteral([]))).toBe('"{}"');
  });

  it('writes decimal text unquoted and refuses anything else', () => {
    expect(decimalArrayLiteral(['1', '-2.5', '1e+21', '1.5e-7', null])).toBe(
      '{1,-2.5,1e+21,1.5e-7,NULL}',
    );
    expect(() => decimalArrayLiteral(['1,2'])).toThrow(TypeError);
    expect(() => decimalArrayLiteral(['NaN'])).toThrow(TypeError);
  });

  it('writes binary array elements as a length and UTF-8 bytes, NULL as -1, in a buffer of its own', () => {
    const elements = binaryElements(['ab', null, 'ü', '']);
    expect([...elements]).toEqual([
      0, 0, 0, 2, 97, 98, 255, 255, 255, 255, 0, 0, 0, 2, 0xc3, 0xbc, 0, 0, 0, 0,
    ]);
    expect(elements.byteOffset).toBe(0);
    expect(elements.buffer.byteLength).toBe(elements.length);
    expect(elementOffsets(elements)).toEqual([0, 6, 10, 16, 20]);
  });

  it('frames element slices as a one-dimensional binary text[]', () => {
    const elements = binaryElements(['a', null]);
    const array = binaryTextArray(2, [elements.subarray(0, 5), elements.subarray(5)]);
    expect([...array.subarray(0, 20)]).toEqual([
      ...[0, 0, 0, 1], // dimensions
      ...[0, 0, 0, 0], // flags
      ...[0, 0, 0, 25], // text
      ...[0, 0, 0, 2], // length
      ...[0, 0, 0, 1], // lower bound
    ]);
    expect([...array.subarray(20)]).toEqual([...elements]);
  });
});
