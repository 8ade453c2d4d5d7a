import { describe, expect, it } from '@jest/globals';
import { numericArrayLiteral, textArrayLiteral } from './pg-array.js';

describe('PostgreSQL array literals', () => {
  it('quotes every text element and escapes quotes and backslashes', () => {
    expect(textArrayLiteral(['a', 'b "c"', 'd\\e', null, '', 'NULL', '{x,y}'])).toBe(
      '{"a","b \\"c\\"","d\\\\e",NULL,"","NULL","{x,y}"}',
    );
  });

  it('writes numeric elements bare, with NULL for missing ones', () => {
    expect(numericArrayLiteral(['1.5', null, '-0.25', '1e-7'])).toBe('{1.5,NULL,-0.25,1e-7}');
    expect(numericArrayLiteral([])).toBe('{}');
  });
});
