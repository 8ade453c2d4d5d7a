import { describe, expect, it } from '@jest/globals';
import { arrayElement, decimalArrayLiteral, textArrayLiteral } from './pg-array.js';

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
});
