import { describe, expect, it } from '@jest/globals';
import { QueryFailedError } from 'typeorm';
import { problemStatus } from './domain-error.js';
import { toDomainError } from './problem.filter.js';

/** A query failure as TypeORM throws it: the driver's error, with its SQLSTATE, inside. */
function queryFailed(code: string): QueryFailedError {
  return new QueryFailedError('INSERT …', [], Object.assign(new Error('failed'), { code }));
}

describe('database failures as problems', () => {
  it.each([
    ['40P01', 'a deadlock'],
    ['40001', 'a serialization failure'],
  ])('answers %s (%s) with a 503 to retry, not a 500', (code) => {
    const error = toDomainError(queryFailed(code));
    expect(error.code).toBe('concurrent-conflict');
    expect(problemStatus(error.code)).toBe(503);
    expect(error.message).toContain('retry it');
  });

  it('answers a connection the database refused with database-unavailable', () => {
    expect(toDomainError(queryFailed('57P03')).code).toBe('database-unavailable');
  });

  it('keeps any other database failure a 500, logged', () => {
    expect(toDomainError(queryFailed('23505')).code).toBe('internal');
  });
});
