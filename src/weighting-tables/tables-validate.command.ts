import { Command, CommandRunner } from 'nest-commander';
import { canonicalSha256 } from '../common/canonical-json.js';
import { validateWeightingTable } from '../rating/weighting-table.validation.js';
import { readDocumentFile, violations } from './cli-input.js';

@Command({
  name: 'tables:validate',
  arguments: '<file>',
  description:
    'Check a weighting table document (JSON, or YAML by extension); lists every violation',
})
export class TablesValidateCommand extends CommandRunner {
  async run([file]: string[]): Promise<void> {
    const document = readDocumentFile(file);
    const result = validateWeightingTable(document);
    if (!result.ok) {
      process.stdout.write(`${violations(result.errors)}\n`);
      throw new Error(`${file}: ${result.errors.length} violation(s)`);
    }
    const { name, version, effectiveFrom, effectiveTo } = result.table;
    process.stdout.write(
      `${file}: valid, ${name} ${version}, effective [${effectiveFrom}, ${effectiveTo ?? 'open'}), ` +
        `sha256 ${canonicalSha256(document)}\n`,
    );
  }
}
