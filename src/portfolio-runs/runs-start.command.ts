import { Command, CommandRunner, Option } from 'nest-commander';
import { SYSTEM_PRINCIPAL } from '../access/roles.js';
import { ProgressBar } from '../common/cli/progress.js';
import { DomainError } from '../common/errors/domain-error.js';
import { ChunkProcessor } from './chunk-processor.js';
import { JobQueue } from './job-queue.js';
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
    try {
      const { id } = await this.runs.create(SYSTEM_PRINCIPAL, {
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
        const run = await this.runs.get(id);
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
    return tableRef(value);
  }

  @Option({ flags: '--as-of <instant>', description: 'ISO-8601 instant (default now)' })
  parseAsOf(value: string) {
    if (Number.isNaN(Date.parse(value))) throw new Error('--as-of must be an ISO-8601 instant');
    return value;
  }

  @Option({ flags: '--industry <slug>', description: 'Only client tenants of this industry' })
  parseIndustry(value: string) {
    return value;
  }

  @Option({ flags: '--partner <id>', description: "Only this partner's client tenants" })
  parsePartner(value: string) {
    return value;
  }

  @Option({ flags: '--compare-run <id>', description: 'Compare with an earlier run' })
  parseCompareRun(value: string) {
    return value;
  }

  @Option({
    flags: '--compare-table <name@version>',
    description: 'Compare with another table version',
  })
  parseCompareTable(value: string) {
    return tableRef(value);
  }

  @Option({ flags: '-w, --wait', description: 'Wait for the run to finish, with a progress bar' })
  parseWait() {
    return true;
  }
}

function tableRef(value: string): { name: string; version?: string } {
  const [name, version] = value.split('@');
  return version ? { name, version } : { name };
}
