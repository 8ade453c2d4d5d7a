import { describe, expect, it } from '@jest/globals';
import { csvLine } from './csv.js';

describe('csvLine', () => {
  it('quotes what RFC 4180 needs quoted and joins arrays', () => {
    expect(csvLine(['a,b', 'say "hi"', 'x\ny', ['A', 'B'], null, 1.5])).toBe(
      '"a,b","say ""hi""","x\ny",A;B,,1.5\r\n',
    );
  });

  it.each([
    ['=1+1', "'=1+1"],
    ['+SUM(A1)', "'+SUM(A1)"],
    ['@cmd', "'@cmd"],
    ['-1+HYPERLINK("http://x","y")', `"'-1+HYPERLINK(""http://x"",""y"")"`],
    ['-2e3+1', "'-2e3+1"],
    ['\tx', "'\tx"],
  ])('defuses %s, which a spreadsheet would run as a formula', (text, field) => {
    expect(csvLine([text])).toBe(`${field}\r\n`);
  });

  it.each([['-0.25'], ['-12'], ['-1.5e-3']])('leaves the plain number %s as it is', (text) => {
    expect(csvLine([text])).toBe(`${text}\r\n`);
  });
});
