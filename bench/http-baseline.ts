import { Figure, measureLoad, startBenchService, withRatio } from './support.js';

const CONNECTIONS = 32;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);

/** `http.live`: the bare route; `http.auth-noop`: an authenticated no-op, as a ratio to it. */
export async function benchHttpBaseline(): Promise<Figure[]> {
  const { database, server } = await startBenchService();
  try {
    const { rate: live } = await measureLoad({
      url: `${server.url}/health/live`,
      connections: CONNECTIONS,
      seconds: SECONDS,
    });
    const { rate: noop } = await measureLoad({
      url: `${server.url}/v1/me`,
      connections: CONNECTIONS,
      seconds: SECONDS,
      headers: { authorization: `Bearer ${server.adminKey}` },
    });
    return [
      { name: 'http.live', value: Math.round(live), unit: 'req/s' },
      withRatio(
        { name: 'http.auth-noop', value: Math.round(noop), unit: 'req/s' },
        Math.round(live),
      ),
    ];
  } finally {
    await server.stop();
    await database.stop();
  }
}
