import { describe, expect, it } from '@jest/globals';
import { terminalText } from './terminal-text.js';

describe('terminalText', () => {
  it('writes control characters and bidirectional overrides as escapes', () => {
    expect(terminalText('Admin\u001b[2JMFA\r\n\u0085\u202eabc')).toBe(
      'Admin\\u001b[2JMFA\\u000d\\u000a\\u0085\\u202eabc',
    );
  });

  it('leaves printable text, accents and emoji alone', () => {
    expect(terminalText('AdminMFAV2 Sécurité 🔒')).toBe('AdminMFAV2 Sécurité 🔒');
  });
});
