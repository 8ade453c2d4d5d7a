import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { Worker } from 'node:worker_threads';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/app-config.js';
import { type PreparationResult, prepareSecureScoreBody } from './snapshot-preparation.js';

interface Pending {
  resolve(result: PreparationResult): void;
  reject(error: Error): void;
}

interface IngestThread {
  worker: Worker;
  pending: Map<number, Pending>;
}

/**
 * Runs `prepareSecureScoreBody` on `INGEST_THREADS` worker threads, so parsing, hashing and
 * compressing a 50 KB snapshot (about 2 ms) does not hold the event loop that serves every
 * other request and drives the database. Each body goes to the thread with the fewest waiting.
 * With `INGEST_THREADS=0` it runs inline (the in-process tests run TypeScript sources, which a
 * worker thread cannot load).
 */
@Injectable()
export class SnapshotPreparer implements OnModuleDestroy {
  private readonly logger = new Logger(SnapshotPreparer.name);
  private readonly threads: IngestThread[] = [];
  private nextId = 0;
  private closing = false;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  prepare(text: string): Promise<PreparationResult> {
    if (this.config.ingestThreads === 0) {
      return Promise.resolve(prepareSecureScoreBody(text, this.config.jsonMaxDepth));
    }
    const thread = this.leastBusyThread();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      // Referenced while it holds work (an awaited answer must keep a CLI process alive),
      // unreferenced when idle (an idle pool must not).
      if (thread.pending.size === 0) thread.worker.ref();
      thread.pending.set(id, { resolve, reject });
      thread.worker.postMessage({ id, text });
    });
  }

  async onModuleDestroy(): Promise<void> {
    this.closing = true;
    await Promise.all(this.threads.map((thread) => thread.worker.terminate()));
  }

  private leastBusyThread(): IngestThread {
    while (this.threads.length < this.config.ingestThreads) this.threads.push(this.startThread());
    return this.threads.reduce((best, t) => (t.pending.size < best.pending.size ? t : best));
  }

  private startThread(): IngestThread {
    const worker = new Worker(new URL('./snapshot-preparation.worker.js', import.meta.url), {
      workerData: { maxDepth: this.config.jsonMaxDepth },
    });
    const thread: IngestThread = { worker, pending: new Map() };
    worker.unref();
    worker.on(
      'message',
      (message: { id: number; result?: PreparationResult; failure?: string }) => {
        const pending = thread.pending.get(message.id);
        thread.pending.delete(message.id);
        if (thread.pending.size === 0) thread.worker.unref();
        if (message.failure !== undefined) pending?.reject(new Error(message.failure));
        else pending?.resolve(message.result!);
      },
    );
    // A thread that dies (out of memory, a native fault) fails what it held and is replaced.
    worker.on('error', (error) => this.retire(thread, error));
    worker.on('exit', (code) => {
      if (!this.closing)
        this.retire(thread, new Error(`An ingest thread exited with code ${code}`));
    });
    return thread;
  }

  private retire(thread: IngestThread, error: Error): void {
    const index = this.threads.indexOf(thread);
    if (index < 0) return;
    this.threads.splice(index, 1);
    this.logger.error({ err: error }, 'An ingest thread failed; it is replaced');
    for (const pending of thread.pending.values()) pending.reject(error);
    thread.pending.clear();
    void thread.worker.terminate();
  }
}
