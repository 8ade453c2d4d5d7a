import { workerData } from 'node:worker_threads';
import { serveThreadRequests } from '../common/threads/thread-pool.js';
import { checkRateBody } from './rate-request.js';
import type { RateBodyCheck } from './rate-request-checker.js';

/** A rate thread: checks the `POST /v1/rate` bodies RateRequestChecker sends it. */
const { maxDepth } = workerData as { maxDepth: number };

serveThreadRequests(({ body, now }: RateBodyCheck) => checkRateBody(body, maxDepth, new Date(now)));
