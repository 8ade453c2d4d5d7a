import { Command, CommandRunner, Option } from 'nest-commander';
import { ProgressBar } from '../../common/cli/progress.js';
import { terminalText } from '../../common/cli/terminal-text.js';
import { IMPORTABLE_FILES, openImportInput } from './import-sources.js';
import { MAX_FINDINGS_KEPT, SnapshotImporter } from './snapshot-importer.js';

interface ImportCommandOptions {
  batchSize?: number;
}

@Command({
  name: 'import',
  arguments: '<source>',
  description:
    'Bulk-import Secure Score JSON files, envelopes and NDJSON, gzipped or not, and pages of control profiles among them (a file, a folder, or - for stdin)',
})
export class ImportCommand extends CommandRunner {
  constructor(private readonly importer: SnapshotImporter) {
    super();
  }

  async run([source]: string[], options: ImportCommandOptions): Promise<void> {
    const input = openImportInput(source);
    if (input.skipped.length > 0) {
      // Said first: a long import the user meant to include them in can be stopped at once.
      const shown = input.skipped.slice(0, 20).map(terminalText).join(', ');
      const more = input.skipped.length > 20 ? `, and ${input.skipped.length - 20} more` : '';
      process.stdout.write(
        `skipping ${input.skipped.length} file(s) that are not ${IMPORTABLE_FILES}: ${shown}${more}\n`,
      );
    }
    const progress = new ProgressBar('import');
    const started = Date.now();
    const summary = await this.importer.run(input.records, {
      batchSize: options.batchSize,
      onProgress: (s) =>
        progress.update(
          s.stored + s.duplicates,
          input.totalBytes ? input.bytesRead() / input.totalBytes : null,
          `rejected ${s.rejected.length}`,
        ),
    });
    const done = summary.stored + summary.duplicates;
    progress.finish(done, `rejected ${summary.rejected.length}`);
    const seconds = (Date.now() - started) / 1000;
    process.stdout.write(
      `stored ${summary.stored}, duplicates ${summary.duplicates}, rejected ${summary.rejected.length} ` +
        `in ${seconds.toFixed(1)} s (${Math.round(done / Math.max(seconds, 0.001))} snapshots/s)\n`,
    );
    const { profiles, documents } = summary.controlProfiles;
    if (documents > 0)
      process.stdout.write(
        `control profiles: ${profiles} applied to the catalog from ${documents} document(s)\n`,
      );
    printFindings('not in the control catalog', summary.unknownControls);
    printFindings('deprecated in the control catalog', summary.deprecatedControls);
    for (const rejection of summary.rejected.filter(Boolean)) {
      process.stdout.write(
        terminalText(`rejected ${rejection.origin}: ${rejection.reason}`) + '\n',
      );
    }
    if (summary.readError !== null)
      throw new Error(`stopped reading the input: ${terminalText(summary.readError)}`);
    if (summary.rejected.length > 0)
      throw new Error(`${summary.rejected.length} record(s) rejected`);
  }

  @Option({ flags: '--batch-size <n>', description: 'Snapshots per transaction (default 500)' })
  parseBatchSize(value: string): number {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1 || n > 10_000)
      throw new Error('--batch-size must be 1 to 10000');
    return n;
  }
}

/** Accepted, stored and rated as the table says, but worth an underwriter's attention. */
function printFindings(what: string, counts: ReadonlyMap<string, number>): void {
  if (counts.size === 0) return;
  const names = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const shown = names.slice(0, 20).map(([name, n]) => `${terminalText(name)} (${n})`);
  const more = names.length > 20 ? `, and ${names.length - 20} more` : '';
  // The importer stops counting new names at its cap.
  const atLeast = names.length >= MAX_FINDINGS_KEPT ? 'at least ' : '';
  process.stdout.write(
    `warning: ${atLeast}${names.length} control(s) ${what} (snapshots naming each): ${shown.join(', ')}${more}\n`,
  );
}
