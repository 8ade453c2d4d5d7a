import { describe, expect, it } from '@jest/globals';
import { copyTextRow } from './copy-text.js';

describe('copyTextRow', () => {
  it('separates fields with tabs, ends the line and writes null as \\N', () => {
    expect(copyTextRow(['a', null, ''])).toBe('a\t\\N\t\n');
  });

  it('escapes backslash, tab, newline and carriage return', () => {
    expect(copyTextRow(['{"a":"\\"q\\""}', 'x\ty', 'l1\nl2\r'])).toBe(
      '{"a":"\\\\"q\\\\""}\tx\\ty\tl1\\nl2\\r\n',
    );
  });
});
