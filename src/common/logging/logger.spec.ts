import { describe, expect, it } from '@jest/globals';
import { redactKeys, redactLiterally, redactUrl } from './logger.js';

const KEY = 'ssk_0a1b2c3d_Zm9vYmFyLWJhei1xdXV4LXNlY3JldC1wYXJ0LW9mLWtleQ';

describe('redactUrl', () => {
  it.each([
    ['/v1/me?api_key=operator-chosen-bootstrap-secret', '/v1/me?api_key=[redacted]'],
    ['/v1/me?api%5Fk%65y=operator-chosen-secret&x=1', '/v1/me?api%5Fk%65y=[redacted]&x=1'],
    ['/v1/me?access_token=abc&limit=5', '/v1/me?access_token=[redacted]&limit=5'],
    ['/v1/me?Authorization=Bearer+abc', '/v1/me?Authorization=[redacted]'],
    [`/v1/me?${KEY}`, '/v1/me?ssk_0a1b2c3d_[redacted]'],
    [`/v1/me;api_key=${KEY}`, '/v1/me;api_key=ssk_0a1b2c3d_[redacted]'],
    [`/v1/x/${KEY.replace(/_/g, '%5F')}`, '/v1/x/ssk%5F0a1b2c3d%5F[redacted]'],
    ['/v1/client-tenants?limit=5&cursor=abc', '/v1/client-tenants?limit=5&cursor=abc'],
    ['/v1/me?bad=%E0%A4%A', '/v1/me?bad=%E0%A4%A'],
  ])('logs %s as %s', (url, logged) => {
    expect(redactUrl(url)).toBe(logged);
  });

  it('redacts keys by shape in any text, keeping their public prefix', () => {
    expect(redactKeys(`Cannot GET /v1/${KEY}/x`)).toBe('Cannot GET /v1/ssk_0a1b2c3d_[redacted]/x');
  });

  it('redacts a secret of no shape of ours literally, however a URL escapes it', () => {
    const secret = "operator's:bootstrap(key)~with!*/chars";
    redactLiterally(secret);
    const escaped = encodeURIComponent(secret);
    const strict = escaped.replace(/[!'()*~]/g, (c) => `%${c.charCodeAt(0).toString(16)}`);
    for (const form of [secret, escaped, escaped.toLowerCase(), strict, strict.toUpperCase()]) {
      expect(redactUrl(`/v1/me?${form}`)).toBe('/v1/me?[redacted]');
    }
  });
});
