import { workerData } from 'node:worker_threads';
import { serveThreadRequests } from '../../common/threads/thread-pool.js';
import { prepareSecureScoreBody } from './snapshot-preparation.js';

/** An ingest thread: prepares the Secure Score bodies SnapshotPreparer sends it (a body's text). */
const { maxDepth } = workerData as { maxDepth: number };

serveThreadRequests((text: string) => prepareSecureScoreBody(text, maxDepth));
