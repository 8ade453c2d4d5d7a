import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { DomainError } from '../common/errors/domain-error.js';
import { compileTable, type CompiledTable } from '../rating/rate.js';
import { checkDocument } from './table-document.js';
import { TableVersionCache } from './table-version-cache.js';
import type { TableStatus } from './weighting-table-version.entity.js';
import { WeightingTableVersionEntity } from './weighting-table-version.entity.js';
import { assertAddressable, utcDay } from './weighting-table-views.js';

/** A table version ready to rate with. */
export interface ResolvedTable {
  name: string;
  version: string;
  status: TableStatus;
  sha256: string;
  effectiveFrom: string;
  effectiveTo: string | null;
  compiled: CompiledTable;
}

export interface TableReference {
  name: string;
  version?: string;
}

export interface ResolveOptions {
  /** A draft named explicitly may be used (impact tests, actuaries trying a draft). */
  allowDraft?: boolean;
  /** Where the reference stands in the request, for the violation (default `/table`). */
  pointer?: string;
}

/** A published version's interval in force, as read on `certainUntil` (a UTC day). */
interface PublishedInterval {
  version: string;
  from: string;
  /** Exclusive: the day it is superseded from, else its own `effectiveTo`. */
  to: string | null;
  certainUntil: string;
}

/**
 * Which table version rates at a given instant, compiled. Published versions never change and never
 * overlap, so a compiled published version is exact for the life of the process. Their intervals
 * in force can only end earlier, by a supersession from a day not yet begun (another replica's,
 * perhaps): an interval read on day D answers for days up to D (a supersession published since
 * begins after D), and later days are read again. Only "nothing in force", days after the
 * last read and drafts go to the database every time.
 */
@Injectable()
export class TableResolver {
  private readonly compiled = new TableVersionCache<ResolvedTable>(256);
  private readonly intervals = new Map<string, PublishedInterval[]>();

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async resolve(
    reference: TableReference | null,
    asOf: Date,
    options: ResolveOptions = {},
  ): Promise<ResolvedTable> {
    const pointer = options.pointer ?? '/table';
    if (reference?.version !== undefined)
      return this.named(reference.name, reference.version, options.allowDraft ?? false, pointer);
    const day = utcDay(asOf);
    if (reference === null) return this.onlyOneInForce(day, pointer);
    const known = this.intervals
      .get(reference.name)
      ?.find((i) => day <= i.certainUntil && contains(i, day));
    if (known) return this.version(reference.name, known.version);
    const [row]: { version: string; from: string; to: string | null }[] =
      await this.dataSource.query(
        `SELECT version, effective_from::text AS "from",
           COALESCE(superseded_from, effective_to)::text AS "to"
       FROM weighting_table_versions
       WHERE name = $1 AND status = 'published'
         AND daterange(effective_from, COALESCE(superseded_from, effective_to), '[)') @> $2::date`,
        [reference.name, day],
      );
    if (!row) {
      const [known] = await this.dataSource.query(
        `SELECT 1 FROM weighting_table_versions WHERE name = $1 LIMIT 1`,
        [reference.name],
      );
      if (!known) {
        const message = `No weighting table is named ${reference.name}`;
        throw new DomainError('no-table-in-force', message, [
          { pointer: `${pointer}/name`, message },
        ]);
      }
      throw notInForce(`of ${reference.name} `, day, `${pointer}/name`);
    }
    this.remember(reference.name, { ...row, certainUntil: utcDay(new Date()) });
    return this.version(reference.name, row.version);
  }

  /** Exactly this version, compiled (published ones from the cache); 404 when it does not exist. */
  async version(name: string, version: string): Promise<ResolvedTable> {
    const cached = this.compiled.get(name, version);
    if (cached) return cached;
    assertAddressable(name, version);
    const row = await this.dataSource.manager.findOneBy(WeightingTableVersionEntity, {
      name,
      version,
    });
    if (!row) throw DomainError.notFound(`Weighting table ${name} version ${version}`);
    return this.compile(row);
  }

  private async named(
    name: string,
    version: string,
    allowDraft: boolean,
    pointer: string,
  ): Promise<ResolvedTable> {
    const cached = this.compiled.get(name, version);
    if (cached) return cached;
    const row = await this.dataSource.manager.findOneBy(WeightingTableVersionEntity, {
      name,
      version,
    });
    if (!row || (row.status === 'draft' && !allowDraft)) {
      const message = `Weighting table ${name} version ${version} ${row ? 'is a draft, not a published version' : 'does not exist'}`;
      throw new DomainError('no-table-in-force', message, [
        { pointer: `${pointer}/version`, message },
      ]);
    }
    return this.compile(row);
  }

  /** Without a name: the one table name with a version in force (never cached: a name may join). */
  private async onlyOneInForce(day: string, pointer: string): Promise<ResolvedTable> {
    const rows: { name: string; version: string }[] = await this.dataSource.query(
      `SELECT name, version FROM weighting_table_versions
       WHERE status = 'published'
         AND daterange(effective_from, COALESCE(superseded_from, effective_to), '[)') @> $1::date
       ORDER BY name LIMIT 2`,
      [day],
    );
    if (rows.length === 0) throw notInForce('', day, pointer);
    if (rows.length > 1) {
      throw DomainError.validation(
        [{ pointer, message: 'Several weighting tables are in force; name one' }],
        'Name the weighting table to rate with',
      );
    }
    return this.version(rows[0].name, rows[0].version);
  }

  private compile(row: WeightingTableVersionEntity): ResolvedTable {
    const resolved: ResolvedTable = {
      name: row.name,
      version: row.version,
      status: row.status,
      sha256: row.sha256,
      effectiveFrom: row.effectiveFrom,
      effectiveTo: row.effectiveTo,
      compiled: compileTable(checkDocument(row.document).table, row.sha256),
    };
    if (row.status === 'published') {
      this.compiled.set(row.name, row.version, resolved);
      this.remember(row.name, {
        version: row.version,
        from: row.effectiveFrom,
        to: row.supersededFrom ?? row.effectiveTo,
        certainUntil: utcDay(new Date()),
      });
    }
    return resolved;
  }

  /** The interval as just read, in place of what was known of it. */
  private remember(name: string, interval: PublishedInterval): void {
    const known = (this.intervals.get(name) ?? []).filter((i) => i.version !== interval.version);
    known.push(interval);
    this.intervals.set(name, known);
  }
}

/** [from, to) holds `day`; `YYYY-MM-DD` strings order as the dates they name. */
function contains(interval: PublishedInterval, day: string): boolean {
  return interval.from <= day && (interval.to === null || day < interval.to);
}

function notInForce(which: string, day: string, pointer: string): DomainError {
  const message = `No published weighting table version ${which}is in force on ${day}`;
  return new DomainError('no-table-in-force', message, [{ pointer, message }]);
}
