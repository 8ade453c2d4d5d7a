import fs from 'node:fs';
import { Command, CommandRunner, Option } from 'nest-commander';
import { SYSTEM_PRINCIPAL } from '../access/roles.js';
import { asCliError, parseTableReference, readDocumentFile } from './cli-input.js';
import { RateService } from './rate.service.js';
import { renderRatingWorksheet } from './rating-worksheet.text.js';

interface RateCommandOptions {
  table: string;
  asOf?: string;
  industry?: string;
  json?: boolean;
}

@Command({
  name: 'rate',
  arguments: '<snapshot>',
  description:
    'Rate one Secure Score snapshot file with a table file or a stored name[@version]; prints a worksheet',
})
export class RateCommand extends CommandRunner {
  constructor(private readonly rating: RateService) {
    super();
  }

  /** The same checks and maths as `POST /v1/rate`, as the system principal (drafts allowed). */
  async run([snapshotFile]: string[], options: RateCommandOptions): Promise<void> {
    try {
      const body = {
        snapshot: readDocumentFile(snapshotFile),
        table: tableArgument(options.table),
        ...(options.asOf === undefined ? {} : { asOf: options.asOf }),
        ...(options.industry === undefined ? {} : { industry: options.industry }),
      };
      const rating = await this.rating.rate(SYSTEM_PRINCIPAL, body);
      process.stdout.write(
        options.json ? `${JSON.stringify(rating, null, 2)}\n` : renderRatingWorksheet(rating),
      );
    } catch (error) {
      throw asCliError(error);
    }
  }

  @Option({
    flags: '-t, --table <file|name@version>',
    description:
      'A table document file, or a stored table: name (the version in force) or name@version',
    required: true,
  })
  parseTable(value: string): string {
    return value;
  }

  @Option({
    flags: '--as-of <instant>',
    description: 'ISO-8601 date-time with a time zone (default: now)',
  })
  parseAsOf(value: string): string {
    return value;
  }

  @Option({
    flags: '--industry <slug>',
    description: "The insured organisation's industry, e.g. healthcare",
  })
  parseIndustry(value: string): string {
    return value;
  }

  @Option({ flags: '--json', description: 'Print the rating as JSON instead of a worksheet' })
  parseJson(): boolean {
    return true;
  }
}

/** An existing file is a document; anything else names a stored table, `name` or `name@version`. */
function tableArgument(value: string): unknown {
  return fs.existsSync(value) ? readDocumentFile(value) : parseTableReference('--table', value);
}
