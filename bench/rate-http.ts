import fs from 'node:fs';
import path from 'node:path';
import {
  rateAgainstTarget,
  Figure,
  measureLoad,
  startBenchService,
  type BenchServer,
} from './support.js';

const CONNECTIONS = 32;
/** The target for `rate.http` / `http.auth-noop`. */
const RATIO_TARGET = 0.4;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);

/**
 * `rate.http`: `POST /v1/rate` with the real 68-control heimdall snapshot and a published table
 * named (so the version in force is looked up per request), as a ratio to the authenticated no-op
 * `GET /v1/me` measured against the same server. Target: 0.4 or more. `rate.http.cpu`: the CPU
 * each request cost, by process, beside what the cores allow a request at that target.
 */
export async function benchRateHttp(): Promise<Figure[]> {
  const { database, server } = await startBenchService();
  try {
    await publishTable(server);
    const authorization = `Bearer ${server.adminKey}`;
    const { rate: noop } = await measureLoad({
      url: `${server.url}/v1/me`,
      connections: CONNECTIONS,
      seconds: SECONDS,
      headers: { authorization },
    });
    const rating = await measureLoad(
      {
        url: `${server.url}/v1/rate`,
        connections: CONNECTIONS,
        seconds: SECONDS,
        method: 'POST',
        headers: { authorization, 'content-type': 'application/json' },
        body: JSON.stringify({
          snapshot: (
            readShared('fixtures/securescore/heimdall2.secureScore.json') as { value: unknown[] }
          ).value[0],
          table: { name: 'sme-cyber' },
          asOf: '2024-01-20T00:00:00Z',
          industry: 'healthcare',
        }),
      },
      server.process.pid,
    );
    return rateAgainstTarget(
      { name: 'rate.http', unit: 'req/s', rate: rating.rate },
      noop,
      { cpu: rating.cpu!, requests: rating.requests },
      RATIO_TARGET,
    );
  } finally {
    await server.stop();
    await database.stop();
  }
}

/** The example table, published under a version in force on the snapshot's dates. */
async function publishTable(server: BenchServer): Promise<void> {
  const document = {
    ...(readShared('examples/weighting-table.sme-cyber-2027.1.json') as object),
    version: 'bench.1',
    effectiveFrom: '2020-01-01',
  };
  const headers = {
    authorization: `Bearer ${server.adminKey}`,
    'content-type': 'application/json',
  };
  const base = `${server.url}/v1/weighting-tables`;
  for (const [url, body] of [
    [base, JSON.stringify(document)],
    [`${base}/sme-cyber/versions/bench.1/publish`, undefined],
  ] as const) {
    const response = await fetch(url, {
      method: 'POST',
      headers: body ? headers : { authorization: headers.authorization },
      body,
    });
    if (!response.ok) throw new Error(`${url}: ${response.status} ${await response.text()}`);
  }
}

function readShared(file: string): unknown {
  return JSON.parse(fs.readFileSync(path.resolve('../shared', file), 'utf8')) as unknown;
}
