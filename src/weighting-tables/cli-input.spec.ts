import { describe, expect, it } from '@jest/globals';
import { parseTableReference } from './cli-input.js';

describe('parseTableReference', () => {
  it('reads name and name@version', () => {
    expect(parseTableReference('--table', 'sme-cyber')).toEqual({ name: 'sme-cyber' });
    expect(parseTableReference('--table', 'sme-cyber@2027.1')).toEqual({
      name: 'sme-cyber',
      version: '2027.1',
    });
  });

  it.each(['Sme-Cyber', 'sme-cyber@', 'sme-cyber@1@2', '@2027.1', 'sme cyber@1', 'sme-cyber@a/b'])(
    'refuses %j, naming the option',
    (value) => {
      expect(() => parseTableReference('--compare-table', value)).toThrow(
        '--compare-table must be name or name@version, e.g. sme-cyber@2027.1',
      );
    },
  );
});
