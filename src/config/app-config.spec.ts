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

  it('reads TRUST_PROXY as the proxies whose X-Forwarded-For is believed, or none', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: ' ' }).trustProxy).toBe(false);
    expect(
      loadConfig({ TRUST_PROXY: '10.0.0.0/8, 192.168.1.7,loopback,fd00::/8, ::1' }).trustProxy,
    ).toEqual(['10.0.0.0/8', '192.168.1.7', 'loopback', 'fd00::/8', '::1']);
    for (const bad of [
      '2',
      'true',
      '10.0.0.0/33',
      '::/129',
      '10.0.0.1/8/1',
      'proxy.local',
      '10.0.0.0/',
    ]) {
      expect(() => loadConfig({ TRUST_PROXY: `loopback,${bad}` })).toThrow(
        `TRUST_PROXY must be a comma-separated list of IP addresses, CIDR ranges and loopback, linklocal, uniquelocal (not "${bad}")`,
      );
    }
  });

  it('reads HTTP_IDLE_TIMEOUT_MS within 1 s and 110 s, below the whole-request limit', () => {
    expect(loadConfig({}).httpIdleTimeoutMs).toBe(30_000);
    expect(loadConfig({ HTTP_IDLE_TIMEOUT_MS: '110000' }).httpIdleTimeoutMs).toBe(110_000);
    for (const bad of ['999', '110001', '30s']) {
      expect(() => loadConfig({ HTTP_IDLE_TIMEOUT_MS: bad })).toThrow(
        `HTTP_IDLE_TIMEOUT_MS must be a whole number from 1000 to 110000 (got "${bad}")`,
      );
    }
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
