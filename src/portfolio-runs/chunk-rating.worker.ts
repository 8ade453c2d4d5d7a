import { serveThreadRequests } from '../common/threads/thread-pool.js';
import { rateChunk } from './chunk-rating.js';

/** A rating thread: rates the portfolio-run chunks ChunkRater sends it. */
serveThreadRequests(rateChunk);
