import { benchHttpBaseline } from './http-baseline.js';
import { benchIngest } from './ingest.js';
import { benchPortfolio } from './portfolio.js';
import { benchRateHttp } from './rate-http.js';
import { benchRatePure } from './rate-pure.js';
import type { Figure } from './support.js';

/**
 * `npm run bench [-- [--json] [name prefix ...]]`. Each benchmark prints its figures, and ratios
 * against a baseline measured in the same run; `--json` prints one JSON object per figure.
 */
interface Benchmark {
  /** The figure names it produces; a prefix filter selects the benchmark by any of them. */
  names: string[];
  run(): Promise<Figure[]>;
}

const BENCHMARKS: Benchmark[] = [
  { names: ['http.live', 'http.auth-noop'], run: benchHttpBaseline },
  { names: ['ingest.http', 'ingest.bulk'], run: benchIngest },
  { names: ['rate.http'], run: benchRateHttp },
  { names: ['rate.pure'], run: benchRatePure },
  { names: ['portfolio.run'], run: benchPortfolio },
];

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const prefixes = args.filter((arg) => !arg.startsWith('--'));
  const selected = BENCHMARKS.filter(
    (bench) =>
      prefixes.length === 0 || bench.names.some((name) => prefixes.some((p) => name.startsWith(p))),
  );
  if (selected.length === 0) throw new Error(`No benchmark matches ${prefixes.join(', ')}`);
  for (const bench of selected) {
    const figures = await bench.run();
    for (const figure of figures) {
      if (prefixes.length > 0 && !prefixes.some((p) => figure.name.startsWith(p))) continue;
      process.stdout.write(json ? `${JSON.stringify(figure)}\n` : `${describe(figure)}\n`);
    }
  }
}

function describe(figure: Figure): string {
  const value = `${figure.name.padEnd(20)} ${figure.value.toLocaleString('en-US').padStart(12)} ${figure.unit}`;
  if (figure.parts !== undefined) {
    const parts = Object.entries(figure.parts)
      .map(([part, microseconds]) => `${part} ${microseconds.toLocaleString('en-US')}`)
      .join(', ');
    return `${value}   (${parts}; the cores allow ${figure.budget?.toLocaleString('en-US')} at the target ratio)`;
  }
  return figure.ratio === undefined
    ? value
    : `${value}   (baseline ${figure.baseline?.toLocaleString('en-US')}, ratio ${figure.ratio})`;
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
