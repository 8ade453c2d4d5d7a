import { workerData } from 'node:worker_threads';
import { serveThreadRequests } from '../../common/threads/thread-pool.js';
import { prepareSecureScoreBody } from './snapshot-preparation.js';

/** An ingest thread: prepares the Secure Score bodies SnapshotPreparer sends it (text or bytes). */
const { maxDepth } = workerData as { maxDepth: number };

serveThreadRequests(
  (body: Uint8Array) => prepareSecureScoreBody(body, maxDepth),
  // The rows and archives move to the main thread; each has a buffer of its own (prepareSnapshot).
  (result) =>
    result.kind === 'prepared'
      ? result.snapshots.flatMap((snapshot) => [
          snapshot.row.buffer as ArrayBuffer,
          snapshot.rawGzip.buffer as ArrayBuffer,
        ])
      : [],
);
