import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Principal } from '../../access/roles.js';
import { DomainError, type FieldViolation } from '../../common/errors/domain-error.js';
import { ControlCatalogService } from '../catalog/control-catalog.service.js';
import { catalogFindings } from '../catalog/control-warnings.js';
import { SnapshotPreparer } from '../preparation/snapshot-preparer.js';
import { type StorableSnapshot, writeSnapshots } from '../snapshot-writer.js';
import type { SourceRecord } from './import-sources.js';

export interface ImportRejection {
  origin: string;
  reason: string;
}

export interface ImportSummary {
  stored: number;
  duplicates: number;
  rejected: ImportRejection[];
  /** Stored and duplicate snapshots naming controls the catalog does not know, by control. */
  unknownControls: Map<string, number>;
  /** The same for controls the catalog marks deprecated. */
  deprecatedControls: Map<string, number>;
  /** Control profiles applied to the catalog, and the documents (files, lines) that held them. */
  controlProfiles: { profiles: number; documents: number };
  /** Why reading the input stopped before its end (a gzip stream cut short ...), if it did. */
  readError: string | null;
}

export interface ImportOptions {
  batchSize?: number;
  /** Called after each batch is written. */
  onProgress?: (summary: ImportSummary) => void;
}

interface Pending extends StorableSnapshot {
  origin: string;
}

/** Who the audit rows of an import name. */
const IMPORT_PRINCIPAL: Principal = { keyId: 'cli:import', role: 'admin', partnerId: null };
const DEFAULT_BATCH = 500;
const PREPARE_AHEAD = 32;
/** Batches that may wait behind the one being written. */
const WRITES_AHEAD = 2;
const MAX_REJECTIONS_KEPT = 10_000;
/** Distinct control names counted per finding: a feed of random names must not grow memory. */
export const MAX_FINDINGS_KEPT = 1_000;

/**
 * The bulk path: the same validator and writer as `POST /v1/secure-scores`, with one
 * transaction and one statement per step per batch. Parsing and compression of the next batch
 * overlap the database write of the previous one. A bad record is rejected on its own; a
 * conflicting snapshot is rejected with its reason; the rest of the batch is stored.
 */
@Injectable()
export class SnapshotImporter {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly preparer: SnapshotPreparer,
    private readonly catalog: ControlCatalogService,
  ) {}

  async run(
    records: AsyncIterable<SourceRecord>,
    options: ImportOptions = {},
  ): Promise<ImportSummary> {
    const batchSize = options.batchSize ?? DEFAULT_BATCH;
    const summary: ImportSummary = {
      stored: 0,
      duplicates: 0,
      rejected: [],
      unknownControls: new Map(),
      deprecatedControls: new Map(),
      controlProfiles: { profiles: 0, documents: 0 },
      readError: null,
    };
    // Records are prepared on the ingest threads while earlier batches are written; a batch
    // holds each snapshot as its row (a few KB), not its parsed payload.
    let batch: Promise<Pending[]>[] = [];
    // Batches handed to the writer, oldest first: each is written once the one before it is and
    // its own records are prepared, in order, on one connection.
    const written: Promise<void>[] = [];
    let lastWrite: Promise<void> = Promise.resolve();
    // Settles once the record before the next one has been checked against the catalog (or, a
    // page of control profiles, applied to it): snapshots are checked in input order, so a
    // snapshot read after a page of profiles is checked against the catalog that page made.
    let previousChecked: Promise<unknown> = Promise.resolve();
    const flush = () => {
      const prepared = batch;
      batch = [];
      lastWrite = lastWrite.then(async () => {
        await this.write((await Promise.all(prepared)).flat(), summary);
        options.onProgress?.(summary);
      });
      // Awaited (and so thrown) in turn; until then a failed write must not be an unhandled
      // rejection, which kills the process with a stack trace instead of a message.
      lastWrite.catch(() => undefined);
      written.push(lastWrite);
    };
    for await (const record of untilReadError(records, summary)) {
      // A bounded read-ahead: a body waiting its turn on a thread survives young-generation
      // collections and is promoted, so a whole batch of waiting bodies (12 MB) grew the old
      // generation, and the RSS, by hundreds of MB. A short window keeps the threads fed.
      if (batch.length >= PREPARE_AHEAD) await batch[batch.length - PREPARE_AHEAD];
      const prepared = this.prepare(record, summary, previousChecked);
      previousChecked = prepared;
      // Awaited in turn; when an earlier one throws first, this one's failure must not become
      // an unhandled rejection (which ends the process with a stack trace, not a message).
      prepared.catch(() => undefined);
      batch.push(prepared);
      if (batch.length >= batchSize) {
        flush();
        // Reading goes on while a batch is written and others wait behind it, so the threads
        // do not wait for the database; it pauses only when WRITES_AHEAD batches wait already
        // (more would only hold memory).
        if (written.length > WRITES_AHEAD) await written.shift();
      }
    }
    flush();
    await Promise.all(written);
    return summary;
  }

  private async prepare(
    record: SourceRecord,
    summary: ImportSummary,
    previousChecked: Promise<unknown>,
  ): Promise<Pending[]> {
    const result = await this.preparer.prepare(record.body);
    await previousChecked;
    if (result.kind === 'control-profiles') {
      await this.applyControlProfiles(record.origin, result.document, summary);
      return [];
    }
    if (result.kind === 'malformed-json') {
      const { code, message } = result.error;
      reject(summary, record.origin, code === 'encoding' ? message : `malformed JSON: ${message}`);
      return [];
    }
    if (result.kind === 'invalid') {
      reject(summary, record.origin, violations(result.errors));
      return [];
    }
    const { snapshots } = result;
    const catalog = await this.catalog.catalog();
    // The control names are dropped once checked: a batch waiting for the database would keep
    // a hundred strings per snapshot alive through collections for nothing.
    return snapshots.map(({ controlNames, ...snapshot }) => ({
      ...snapshot,
      findings: catalogFindings(controlNames, catalog),
      origin: snapshots.length > 1 ? `${record.origin}#${snapshot.pointer}` : record.origin,
    }));
  }

  /**
   * A page of control profiles in the input (a Graph export holds both lists): applied to the
   * catalog as `POST /v1/control-profiles` applies an admin's, in a transaction of its own.
   */
  private async applyControlProfiles(
    origin: string,
    document: unknown,
    summary: ImportSummary,
  ): Promise<void> {
    try {
      const result = await this.catalog.ingestProfiles(IMPORT_PRINCIPAL, document);
      summary.controlProfiles.profiles += result.profiles;
      summary.controlProfiles.documents++;
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      const reason = error.errors.length > 0 ? violations(error.errors) : error.message;
      reject(summary, origin, `control profiles: ${reason}`);
    }
  }

  private async write(items: Pending[], summary: ImportSummary): Promise<void> {
    if (items.length === 0) return;
    const outcomes = await this.dataSource.transaction((manager) =>
      writeSnapshots(manager, items, {
        partnerId: null,
        receivedBy: null,
        actor: IMPORT_PRINCIPAL,
        // The importer is the backfill path: history older than Graph's 90 days is its purpose.
        backfill: true,
      }),
    );
    outcomes.forEach((outcome, index) => {
      if (outcome.kind === 'stored' || outcome.kind === 'duplicate') {
        if (outcome.kind === 'stored') summary.stored++;
        else summary.duplicates++;
        count(summary.unknownControls, items[index].findings.unknownControls);
        count(summary.deprecatedControls, items[index].findings.deprecatedControls);
      } else if (outcome.kind === 'conflict') {
        reject(
          summary,
          items[index].origin,
          `a different snapshot for ${outcome.snapshot.createdDateTime} is already stored (${outcome.existingId})`,
        );
      }
    });
  }
}

function reject(summary: ImportSummary, origin: string, reason: string): void {
  if (summary.rejected.length < MAX_REJECTIONS_KEPT) summary.rejected.push({ origin, reason });
  else summary.rejected.length++; // counted, not kept: memory stays bounded on a bad multi-GB input
}

/**
 * The records until the input fails (not their content: a file cut short, unreadable), noted in
 * the summary: what was read before is still written, and the summary tells what was stored.
 */
async function* untilReadError<T>(records: AsyncIterable<T>, summary: ImportSummary) {
  try {
    yield* records;
  } catch (error) {
    summary.readError = (error as Error).message;
  }
}

/** A rejection's reason: how many violations, and the first three. */
function violations(errors: readonly FieldViolation[]): string {
  const first = errors.slice(0, 3).map((e) => `${e.pointer || '/'}: ${e.message}`);
  return `${errors.length} violation(s): ${first.join('; ')}`;
}

function count(counts: Map<string, number>, names: readonly string[]): void {
  for (const name of names) {
    const seen = counts.get(name);
    if (seen !== undefined) counts.set(name, seen + 1);
    else if (counts.size < MAX_FINDINGS_KEPT) counts.set(name, 1);
  }
}
