import { describe, expect, it } from '@jest/globals';
import { textArrayLiteral } from './pg-array.js';

describe('PostgreSQL array literals', () => {
  it('quotes every text element and escapes quotes and backslashes', () => {
    expect(textArrayLiteral(['a', 'b "c"', 'd\\e', null, '', 'NULL', '{x,y}'])).toBe(
      '{"a","b \\"c\\"","d\\\\e",NULL,"","NULL","{x,y}"}',
    );
  });
});
