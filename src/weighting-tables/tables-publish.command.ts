import { Command, CommandRunner, Option } from 'nest-commander';
import { SYSTEM_PRINCIPAL } from '../access/roles.js';
import { DomainError } from '../common/errors/domain-error.js';
import { asCliError, readDocumentFile } from './cli-input.js';
import type { TableVersionView } from './weighting-table-views.js';
import { checkDocument } from './table-document.js';
import { WeightingTablesService } from './weighting-tables.service.js';

@Command({
  name: 'tables:publish',
  arguments: '<file>',
  description:
    'Create (or update) the draft of a weighting table document and publish it, superseding a published version with --supersedes',
})
export class TablesPublishCommand extends CommandRunner {
  constructor(private readonly tables: WeightingTablesService) {
    super();
  }

  async run([file]: string[], options: { supersedes?: string } = {}): Promise<void> {
    try {
      const document = readDocumentFile(file);
      const { table, sha256 } = checkDocument(document);
      const existing = await this.existing(table.name, table.version);
      if (existing?.status === 'published') {
        if (existing.sha256 !== sha256) {
          throw new Error(
            `${table.name} ${table.version} is already published with different content ` +
              `(sha256 ${existing.sha256}); published versions never change: publish a new version`,
          );
        }
        process.stdout.write(
          `${table.name} ${table.version} is already published (sha256 ${sha256})\n`,
        );
        return;
      }
      if (!existing) await this.tables.create(SYSTEM_PRINCIPAL, document);
      else if (existing.sha256 !== sha256) {
        await this.tables.replace(SYSTEM_PRINCIPAL, table.name, table.version, document);
      }
      const published = await this.tables.publish(SYSTEM_PRINCIPAL, table.name, table.version, {
        supersedes: options.supersedes,
      });
      const superseding = options.supersedes
        ? `, superseding ${options.supersedes} from ${published.effectiveFrom}`
        : '';
      process.stdout.write(
        `published ${published.name} ${published.version}, effective [${published.effectiveFrom}, ` +
          `${published.effectiveTo ?? 'open'})${superseding}, sha256 ${published.sha256}\n`,
      );
    } catch (error) {
      throw asCliError(error);
    }
  }

  @Option({
    flags: '--supersedes <version>',
    description:
      'A published version of the same table to supersede from the day this one begins (not yet begun, UTC)',
  })
  parseSupersedes(value: string): string {
    return value;
  }

  private async existing(name: string, version: string): Promise<TableVersionView | null> {
    try {
      return await this.tables.get(name, version);
    } catch (error) {
      if (error instanceof DomainError && error.code === 'not-found') return null;
      throw error;
    }
  }
}
