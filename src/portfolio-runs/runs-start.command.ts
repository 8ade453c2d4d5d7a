import { Command, CommandRunner, Option } from 'nest-commander';
import { SYSTEM_PRINCIPAL } from '../access/roles.js';
import { ProgressBar } from '../common/cli/progress.js';
import { DomainError } from '../common/errors/domain-error.js';
import { INDUSTRY_SLUG } from '../common/identifiers.js';
import { UUID_PATTERN } from '../common/paging.js';
import { isInstant } from '../common/instants.js';
import { ChunkProcessor } from './chunk-processor.js';
import { JobQueue } from './job-queue.js';
import { parseTableReference } from '../weighting-tables/cli-input.js';
import { PortfolioRunsService } from './portfolio-runs.service.js';

interface RunsStartOptions {
  table: { name: string; version?: string };
  asOf?: string;
  industry?: string;
  partner?: string;
  compareRun?: string;
  compareTable?: { name: string; version?: string };
  wait?: boolean;
}

const FINISHED = new Set(['succeeded', 'failed', 'cancelled']);

@Command({
  name: 'runs:start',
  description: 'Start a portfolio run; --wait shows progress and prints the summary',
})
export class RunsStartCommand extends CommandRunner {
  constructor(
    private readonly runs: PortfolioRunsService,
    private readonly jobs: JobQueue,
    private readonly processor: ChunkProcessor,
  ) {
    super();
  }

  async run(_args: string[], options: RunsStartOptions): Promise<void> {
    if (options.compareRun !== undefined && options.compareTable !== undefined)
      throw new Error('Compare with a run (--compare-run) or a table (--compare-table), not both');
    try {
      const {
        body: { id },
      } = await this.runs.create(SYSTEM_PRINCIPAL, {
        table: options.table,
        asOf: options.asOf,
        filter: { industry: options.industry, partnerId: options.partner },
        compareTo: options.compareRun
          ? { runId: options.compareRun }
          : options.compareTable
            ? { table: options.compareTable }
            : undefined,
      });
      process.stdout.write(`run ${id}\n`);
      if (!options.wait) return;
      // While it waits, this process works on the run too (beside any standing workers).
      await this.jobs.work(this.processor);
      const progress = new ProgressBar('run');
      for (;;) {
        const run = await this.runs.get(SYSTEM_PRINCIPAL, id);
        progress.update(
          run.done + run.failed,
          run.total > 0 ? (run.done + run.failed) / run.total : null,
          `failed ${run.failed}`,
        );
        if (FINISHED.has(run.status)) {
          progress.finish(run.done + run.failed, `failed ${run.failed}`);
          process.stdout.write(`${JSON.stringify(run, null, 2)}\n`);
          if (run.status !== 'succeeded') throw new Error(`The run ended ${run.status}`);
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      throw new Error(
        [error.message, ...error.errors.map((e) => `  ${e.pointer}: ${e.message}`)].join('\n'),
      );
    }
  }

  @Option({
    flags: '-t, --table <name[@version]>',
    description: 'The weighting table (a draft version makes an impact test)',
    required: true,
  })
  parseTable(value: string) {
    return parseTableReference('--table', value);
  }

  @Option({
    flags: '--as-of <instant>',
    description: 'RFC 3339 date-time with a time zone (default now)',
  })
  parseAsOf(value: string) {
    // The check the HTTP route's asOf gets (IsInstant): Date.parse also takes a bare date.
    if (!isInstant(value))
      throw new Error(`--as-of must be a date-time with a time zone, e.g. 2027-01-01T00:00:00Z`);
    return value;
  }

  @Option({ flags: '--industry <slug>', description: 'Only client tenants of this industry' })
  parseIndustry(value: string) {
    if (!INDUSTRY_SLUG.test(value)) throw new Error('--industry must be a lowercase slug');
    return value;
  }

  @Option({ flags: '--partner <id>', description: "Only this partner's client tenants" })
  parsePartner(value: string) {
    return uuid('--partner', value);
  }

  @Option({ flags: '--compare-run <id>', description: 'Compare with an earlier run' })
  parseCompareRun(value: string) {
    return uuid('--compare-run', value);
  }

  @Option({
    flags: '--compare-table <name@version>',
    description: 'Compare with another table version',
  })
  parseCompareTable(value: string) {
    return parseTableReference('--compare-table', value);
  }

  @Option({ flags: '-w, --wait', description: 'Wait for the run to finish, with a progress bar' })
  parseWait() {
    return true;
  }
}

// The options are checked as the HTTP route's body is (CreatePortfolioRunDto), which this
// process does not load: a bad filter would otherwise be stored with the run, or reach SQL.
function uuid(option: string, value: string): string {
  if (!UUID_PATTERN.test(value)) throw new Error(`${option} must be a UUID`);
  return value;
}
