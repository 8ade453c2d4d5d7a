import { afterEach, describe, expect, it, jest } from '@jest/globals';
import type { Logger } from '@nestjs/common';
import { type DomainError, problemStatus } from '../errors/domain-error.js';
import { ownedBytes, ThreadPool } from './thread-pool.js';

/**
 * A thread speaking serveThreadRequests' protocol, as a data: URL (the tests run TypeScript
 * sources, which a worker thread cannot load): doubles a number, throws on "throw", and exits
 * on "exit" like a thread that crashed.
 */
const doubler = new URL(
  `data:text/javascript,${encodeURIComponent(`
    import { parentPort } from 'node:worker_threads';
    parentPort.on('message', ({ id, request }) => {
      if (request === 'exit') process.exit(3);
      if (typeof request === 'object') {
        const until = Date.now() + request.busyMs;
        while (Date.now() < until);
        parentPort.postMessage({ id, result: request.value * 2 });
        return;
      }
      if (request === 'throw') parentPort.postMessage({ id, failure: 'Error: thrown' });
      else parentPort.postMessage({ id, result: request * 2 });
    });
  `)}`,
);

const logger = { error: jest.fn() } as unknown as Logger;
const pools: ThreadPool<unknown, number>[] = [];

function pool(
  size: number,
  inline = (request: unknown) => -Number(request),
  callerRunsWhenBusy?: number,
) {
  const created = new ThreadPool<unknown, number>({
    script: doubler,
    size,
    workerData: null,
    logger,
    kind: 'test',
    inline,
    callerRunsWhenBusy,
  });
  pools.push(created);
  return created;
}

afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});

describe('ThreadPool', () => {
  it('runs requests inline when its size is zero, rejecting on a throw', async () => {
    const inline = pool(0, (request) => {
      if (request === 'throw') throw new Error('inline');
      return -Number(request);
    });
    await expect(inline.run(4)).resolves.toBe(-4);
    await expect(inline.run('throw')).rejects.toThrow('inline');
  });

  it('answers each request with its own result across its threads', async () => {
    const threaded = pool(2);
    const requests = Array.from({ length: 40 }, (_, i) => i);
    await expect(Promise.all(requests.map((r) => threaded.run(r)))).resolves.toEqual(
      requests.map((r) => r * 2),
    );
  });

  it('keeps each thread two ahead and runs the rest on the caller, one per turn', async () => {
    const busy = (value: number, busyMs: number) => ({ value, busyMs });
    const inline = (request: unknown) => {
      const { value, busyMs } = request as { value: number; busyMs: number };
      const until = Date.now() + busyMs;
      while (Date.now() < until);
      return -value;
    };
    const helped = pool(1, inline, 2);
    // The thread holds two requests for 400 ms: the third runs on the caller (negated).
    await expect(
      Promise.all([busy(1, 200), busy(2, 200), busy(3, 0)].map((r) => helped.run(r))),
    ).resolves.toEqual([2, 4, -3]);
    // Many: both sides take a share, and every request gets its own answer.
    const many = Array.from({ length: 60 }, (_, i) => busy(i + 1, 3));
    const answers = await Promise.all(many.map((r) => helped.run(r)));
    expect(answers.map(Math.abs)).toEqual(
      many.map((r) => r.value * (answers[r.value - 1] > 0 ? 2 : 1)),
    );
    expect(answers.filter((a) => a > 0).length).toBeGreaterThan(5);
    expect(answers.filter((a) => a < 0).length).toBeGreaterThan(5);
    // Without the option, every request goes to a thread.
    const unhelped = pool(1);
    await expect(Promise.all([1, 2, 3].map((r) => unhelped.run(r)))).resolves.toEqual([2, 4, 6]);
  });

  it('fails the requests still waiting in the pool when it closes', async () => {
    const helped = pool(1, (request) => -Number(request), 1);
    const held = helped.run({ value: 1, busyMs: 300 }).catch((error: DomainError) => error);
    const waiting = Promise.allSettled([helped.run(2), helped.run(3)]);
    await helped.close();
    // One of the two may already have run on the caller; the other was still waiting.
    expect((await waiting).some((s) => s.status === 'rejected')).toBe(true);
    // And the one the thread held fails too, rather than never settling: a 503, since only a
    // request whose client left during a shutdown can still be in hand.
    expect(await held).toMatchObject({ code: 'shutting-down', message: 'The test pool is closed' });
    expect(problemStatus(((await held) as DomainError).code)).toBe(503);
  });

  it('rejects a request whose handler failed, and keeps serving', async () => {
    const threaded = pool(1);
    await expect(threaded.run('throw')).rejects.toThrow('thrown');
    await expect(threaded.run(5)).resolves.toBe(10);
  });

  it('fails what a dead thread held, logs it, and replaces the thread', async () => {
    const threaded = pool(1);
    await expect(threaded.run('exit')).rejects.toThrow(
      'A thread of the test pool exited with code 3',
    );
    expect(logger.error).toHaveBeenCalled();
    await expect(threaded.run(21)).resolves.toBe(42);
  });
});

describe('ownedBytes', () => {
  it('keeps bytes that fill their own buffer, and copies a view of a larger one', () => {
    const own = Buffer.alloc(10_000, 7);
    expect(ownedBytes(own)).toBe(own);
    const whole = Buffer.alloc(10_000, 7);
    const view = whole.subarray(10, 5_000);
    const copy = ownedBytes(view);
    expect(copy.buffer.byteLength).toBe(view.byteLength);
    expect(Buffer.from(copy).equals(view)).toBe(true);
    // Moving the copy's buffer leaves the larger one, and the view of it, as they were.
    structuredClone(copy, { transfer: [copy.buffer] });
    expect([copy.byteLength, whole.byteLength, view.byteLength]).toEqual([0, 10_000, 4_990]);
    // A Buffer under 4 KB is a view of Node's shared pool: copied too.
    const pooled = Buffer.from('{"snapshot": [');
    expect(ownedBytes(pooled).buffer.byteLength).toBe(pooled.byteLength);
  });
});
