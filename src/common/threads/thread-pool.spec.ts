import { afterEach, describe, expect, it, jest } from '@jest/globals';
import type { Logger } from '@nestjs/common';
import { ThreadPool } from './thread-pool.js';

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
      if (request === 'throw') parentPort.postMessage({ id, failure: 'Error: thrown' });
      else parentPort.postMessage({ id, result: request * 2 });
    });
  `)}`,
);

const logger = { error: jest.fn() } as unknown as Logger;
const pools: ThreadPool<unknown, number>[] = [];

function pool(size: number, inline = (request: unknown) => -Number(request)) {
  const created = new ThreadPool<unknown, number>({
    script: doubler,
    size,
    workerData: null,
    logger,
    kind: 'test',
    inline,
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
