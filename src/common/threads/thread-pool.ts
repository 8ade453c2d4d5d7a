import type { Logger } from '@nestjs/common';
import { DomainError } from '../errors/domain-error.js';
import {
  parentPort,
  type ResourceLimits,
  type TransferListItem,
  Worker,
} from 'node:worker_threads';

interface Pending<Result> {
  resolve(result: Result): void;
  reject(error: Error): void;
}

interface Thread<Result> {
  worker: Worker;
  pending: Map<number, Pending<Result>>;
}

interface Answer<Result> {
  id: number;
  result?: Result;
  failure?: string;
}

export interface ThreadPoolOptions<Request, Result> {
  /** The thread's script, which calls `serveThreadRequests` with the same handler as `inline`. */
  script: URL;
  /** Zero runs every request inline on the caller's thread. */
  size: number;
  workerData: unknown;
  /** V8 heap limits of each thread; V8's defaults when absent. */
  resourceLimits?: ResourceLimits;
  logger: Logger;
  /** Names the threads in logs, e.g. "ingest". */
  kind: string;
  /**
   * The handler itself, for `size: 0`: the in-process tests run TypeScript sources, which a
   * worker thread cannot load.
   */
  inline: (request: Request) => Result;
  /**
   * The caller's thread works too: each thread is kept this many requests ahead, and the rest
   * wait in the pool, where the caller takes one per turn of its event loop (the turns between
   * let the threads' answers in, and their next requests out). For a caller with little else to
   * do (the importer): its own core does a thread's work without a thread's heap. Never for a
   * server's event loop, which must stay free for requests.
   */
  callerRunsWhenBusy?: number;
}

interface Queued<Request, Result> extends Pending<Result> {
  request: Request;
  transfer: TransferListItem[];
}

/**
 * A fixed number of worker threads running one script (see `serveThreadRequests`), started on
 * first use, or none (`size: 0`), when requests run inline. Each request goes to the thread with
 * the fewest waiting. A thread is referenced while it holds work (an awaited answer must keep a
 * CLI process alive) and unreferenced when idle (an idle pool must not); one that dies fails
 * what it held and is replaced.
 */
export class ThreadPool<Request, Result> {
  private readonly threads: Thread<Result>[] = [];
  private nextId = 0;
  private closing = false;
  private readonly queue: Queued<Request, Result>[] = [];
  private callerTurnScheduled = false;

  constructor(private readonly options: ThreadPoolOptions<Request, Result>) {}

  /** `transfer`: buffers of the request moved to the thread, not copied (unusable here after). */
  run(request: Request, transfer: TransferListItem[] = []): Promise<Result> {
    // A terminated thread never answers: a request after close() must fail, not hang.
    if (this.closing) return Promise.reject(this.closedError());
    // A throw inside the executor rejects, as a failed thread's request does.
    if (this.options.size === 0)
      return new Promise((resolve) => resolve(this.options.inline(request)));
    if (this.options.callerRunsWhenBusy === undefined)
      return this.send(this.leastBusyThread(), request, transfer);
    return new Promise((resolve, reject) => {
      this.queue.push({ request, transfer, resolve, reject });
      this.dispatchQueued();
    });
  }

  /** With callerRunsWhenBusy: the threads take what they may, the caller the next in turn. */
  private dispatchQueued(): void {
    const ahead = this.options.callerRunsWhenBusy!;
    while (this.queue.length > 0 && !this.closing) {
      const thread = this.leastBusyThread();
      if (thread.pending.size >= ahead) break;
      const { request, transfer, resolve, reject } = this.queue.shift()!;
      this.send(thread, request, transfer).then(resolve, reject);
    }
    if (this.queue.length === 0 || this.callerTurnScheduled) return;
    this.callerTurnScheduled = true;
    setImmediate(() => {
      this.callerTurnScheduled = false;
      const queued = this.queue.shift();
      if (!queued) return;
      try {
        queued.resolve(this.options.inline(queued.request));
      } catch (error) {
        queued.reject(error as Error);
      }
      this.dispatchQueued();
    });
  }

  private send(thread: Thread<Result>, request: Request, transfer: TransferListItem[]) {
    const id = this.nextId++;
    return new Promise<Result>((resolve, reject) => {
      if (thread.pending.size === 0) thread.worker.ref();
      thread.pending.set(id, { resolve, reject });
      thread.worker.postMessage({ id, request }, transfer);
    });
  }

  /**
   * Ends the threads; what they held and what waited in the pool fails, rather than hangs. Its
   * owner calls it at application shutdown, once the requests and jobs that use it are done.
   */
  async close(): Promise<void> {
    this.closing = true;
    const closed = this.closedError();
    for (const queued of this.queue.splice(0)) queued.reject(closed);
    await Promise.all(this.threads.map((thread) => thread.worker.terminate()));
    for (const thread of this.threads) {
      for (const pending of thread.pending.values()) pending.reject(closed);
      thread.pending.clear();
    }
  }

  // A request of a client that left during a shutdown can still reach a closed pool (the HTTP
  // drain waits only for connected clients): a 503, not an unhandled error logged at each deploy.
  private closedError(): Error {
    return new DomainError('shutting-down', `The ${this.options.kind} pool is closed`);
  }

  private leastBusyThread(): Thread<Result> {
    while (this.threads.length < this.options.size) this.threads.push(this.startThread());
    return this.threads.reduce((best, t) => (t.pending.size < best.pending.size ? t : best));
  }

  private startThread(): Thread<Result> {
    const { workerData, resourceLimits } = this.options;
    const worker = new Worker(this.options.script, { workerData, resourceLimits });
    const thread: Thread<Result> = { worker, pending: new Map() };
    worker.unref();
    worker.on('message', (answer: Answer<Result>) => {
      const pending = thread.pending.get(answer.id);
      thread.pending.delete(answer.id);
      if (thread.pending.size === 0) thread.worker.unref();
      if (answer.failure !== undefined) pending?.reject(new Error(answer.failure));
      else pending?.resolve(answer.result!);
      if (this.queue.length > 0) this.dispatchQueued();
    });
    worker.on('error', (error) => this.retire(thread, error));
    worker.on('exit', (code) => {
      if (!this.closing)
        this.retire(
          thread,
          new Error(`A thread of the ${this.options.kind} pool exited with code ${code}`),
        );
    });
    return thread;
  }

  private retire(thread: Thread<Result>, error: Error): void {
    const index = this.threads.indexOf(thread);
    if (index < 0) return;
    this.threads.splice(index, 1);
    this.options.logger.error(
      { err: error },
      `A thread of the ${this.options.kind} pool failed; it is replaced`,
    );
    for (const pending of thread.pending.values()) pending.reject(error);
    thread.pending.clear();
    void thread.worker.terminate();
  }
}

/**
 * Bytes in an ArrayBuffer of their own, which can move to a thread (`run`'s `transfer`): a view of
 * a larger buffer is copied first, since moving that buffer would detach whatever else it holds.
 * (A Buffer under 4 KB is a view of Node's shared 8 KB pool, which Node 20 copies whole rather
 * than move, and later versions refuse to move.)
 */
export function ownedBytes(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
  return whole && bytes.buffer instanceof ArrayBuffer
    ? (bytes as Uint8Array<ArrayBuffer>)
    : new Uint8Array(bytes);
}

/**
 * The thread side of a ThreadPool: answers each request with `handle`, one at a time, moving
 * the buffers `transferOf` names to the caller rather than copying them. A throw is a bug, not
 * bad input: the caller's promise rejects with its stack.
 */
export function serveThreadRequests<Request, Result>(
  handle: (request: Request) => Result,
  transferOf: (result: Result) => TransferListItem[] = () => [],
): void {
  parentPort!.on('message', ({ id, request }: { id: number; request: Request }) => {
    try {
      const result = handle(request);
      parentPort!.postMessage({ id, result }, transferOf(result));
    } catch (error) {
      parentPort!.postMessage({ id, failure: String((error as Error)?.stack ?? error) });
    }
  });
}
