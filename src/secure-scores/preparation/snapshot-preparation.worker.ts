import { parentPort, workerData } from 'node:worker_threads';
import { prepareSecureScoreBody } from './snapshot-preparation.js';

/** An ingest thread: prepares Secure Score bodies sent by SnapshotPreparer, one at a time. */
export interface PreparationRequest {
  id: number;
  text: string;
}

const { maxDepth } = workerData as { maxDepth: number };

parentPort!.on('message', ({ id, text }: PreparationRequest) => {
  try {
    parentPort!.postMessage({ id, result: prepareSecureScoreBody(text, maxDepth) });
  } catch (error) {
    // A bug, not bad input: the caller turns it into a 500 with this message in the log.
    parentPort!.postMessage({ id, failure: String((error as Error)?.stack ?? error) });
  }
});
