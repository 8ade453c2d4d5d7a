import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from './app-config.js';

describe('loadConfig', () => {
  it('presumes a database connection dead 10 s after the statement timeout by default', () => {
    expect(loadConfig({})).toMatchObject({
      dbStatementTimeoutMs: 60_000,
      dbSocketTimeoutMs: 70_000,
    });
    expect(loadConfig({ DB_STATEMENT_TIMEOUT_MS: '5000' }).dbSocketTimeoutMs).toBe(15_000);
    expect(loadConfig({ DB_SOCKET_TIMEOUT_MS: '90000' }).dbSocketTimeoutMs).toBe(90_000);
  });

  it('refuses a socket timeout no longer than the statement timeout, naming both', () => {
    const load = () =>
      loadConfig({ DB_STATEMENT_TIMEOUT_MS: '30000', DB_SOCKET_TIMEOUT_MS: '30000' });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(
      /DB_SOCKET_TIMEOUT_MS \(30000\) must be longer than DB_STATEMENT_TIMEOUT_MS \(30000\)/,
    );
  });

  it('lists every bad setting at once', () => {
    try {
      loadConfig({ PORT: 'eighty', DB_SOCKET_TIMEOUT_MS: '10', ROLE: 'boss' });
      throw new Error('accepted');
    } catch (error) {
      expect((error as ConfigError).problems).toEqual([
        'DB_SOCKET_TIMEOUT_MS must be a whole number from 1000 to 86460000 (got "10")',
        'PORT must be a whole number from 0 to 65535 (got "eighty")',
        'ROLE must be one of api, worker, all (got "boss")',
      ]);
    }
  });
});
