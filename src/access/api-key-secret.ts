import { createHash, randomBytes } from 'node:crypto';

const KEY_PREFIX = 'ssk_';

export interface NewKeySecret {
  /** The whole key, shown once: `ssk_<8 hex public id>_<32 random bytes, base64url>`. */
  key: string;
  /** The non-secret part kept for display and support: `ssk_<8 hex>`. */
  prefix: string;
  hash: Buffer;
}

export function generateKeySecret(): NewKeySecret {
  const publicId = randomBytes(4).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  const key = `${KEY_PREFIX}${publicId}_${secret}`;
  return { key, prefix: `${KEY_PREFIX}${publicId}`, hash: hashKey(key) };
}

/** SHA-256 is right for 256-bit random keys: a slow password hash would add latency, not safety. */
export function hashKey(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

/** A display prefix for a bootstrap secret chosen by the operator, revealing none of it. */
export function bootstrapPrefix(hash: Buffer): string {
  return `boot_${hash.subarray(0, 4).toString('hex')}`;
}

/** Cheap shape check before any database work, so garbage keys cost no query. */
export function looksLikeKey(candidate: string): boolean {
  return candidate.length >= 24 && candidate.length <= 256 && /^[\x21-\x7e]+$/.test(candidate);
}
