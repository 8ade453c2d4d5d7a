import { randomUUID } from 'node:crypto';
import { assessmentCopyLine, assessmentRecord } from '../assessments/assessment-record.js';
import { type ClientTenantRatingInputs, toRatingSnapshot } from '../assessments/rating-inputs.js';
import { compileTable, type CompiledTable, rate } from '../rating/rate.js';
import type { Rating, WeightingTable } from '../rating/rating.types.js';

/**
 * Everything the rating of one chunk reads, as plain data: it crosses to a rating thread by
 * structured clone (see ChunkRater), so tables travel as their validated documents, not compiled.
 */
export interface ChunkRatingRequest {
  run: {
    id: string;
    asOf: string;
    /** A published table's run files an assessment per rated member; a draft's files none. */
    filesAssessments: boolean;
  };
  table: TableDocument;
  /** `compareTo: {table}`: each member is rated under it too, as its "previous". */
  compareTable: TableDocument | null;
  catalogMaxScores: ReadonlyMap<string, string>;
  members: ChunkMember[];
}

export interface TableDocument {
  table: WeightingTable;
  sha256: string;
}

export interface ChunkMember {
  inputs: ClientTenantRatingInputs;
  /** `compareTo: {runId}`: that run's result for this member. */
  previous: Previous | null;
}

type Previous = { tier: string | null; factor: string | null };

/**
 * One member's result, already in the form its writes take: the rating itself is not kept, so a
 * chunk in flight holds two strings and a list of control names per member rather than every
 * rating's object graph (which survived young-generation collections and grew the worker's heap).
 */
export interface Outcome {
  clientTenantId: string;
  /** Why the member has no rating; null when rated. */
  error: string | null;
  /** Its portfolio_run_results row as a JSON object. */
  result: string;
  /** Its assessment as a COPY line (ASSESSMENT_COPY's columns); null when none is filed. */
  assessment: string | null;
  /** The weighted controls it lacks (missing, or adopted below 1), for the book's accumulation. */
  lacking: string[];
}

/** The prefix of an outcome's error when rating threw (a bug or an input the core refuses). */
export const RATING_FAILED = 'rating failed';

/** Rates every member of a chunk; one that cannot be rated is an outcome with its reason. */
export function rateChunk(request: ChunkRatingRequest): Outcome[] {
  const table = compiled(request.table);
  const compareTable = request.compareTable ? compiled(request.compareTable) : null;
  const { run, catalogMaxScores } = request;
  const createdBy = `portfolio-run:${run.id}`;
  return request.members.map(({ inputs, previous }) => {
    const { clientTenantId, snapshot } = inputs;
    if (snapshot === null) return unrated(inputs, 'no snapshot at or before asOf');
    const context = {
      asOf: run.asOf,
      industry: inputs.industry,
      controlStates: inputs.controlStates,
      catalogMaxScores,
    };
    try {
      const ratingSnapshot = toRatingSnapshot(snapshot);
      const rating = rate(ratingSnapshot, table, context);
      const other = compareTable ? rate(ratingSnapshot, compareTable, context) : null;
      const before = other ? { tier: other.tier, factor: other.factor } : previous;
      const id = run.filesAssessments ? randomUUID() : null;
      const assessment =
        id === null
          ? null
          : assessmentCopyLine(
              id,
              assessmentRecord({
                inputs,
                snapshotId: snapshot.id,
                snapshot: ratingSnapshot,
                catalog: catalogMaxScores,
                rating,
                portfolioRunId: run.id,
                createdBy,
              }),
            );
      return {
        clientTenantId,
        error: null,
        result: resultRow(inputs, rating, before, id, null),
        assessment,
        lacking: lackingControls(rating),
      };
    } catch (error) {
      // One client tenant that cannot be rated is recorded and does not stop its chunk.
      return unrated(
        inputs,
        `${RATING_FAILED}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  });
}

// Compiled tables by sha256: a rating thread serves every chunk of a run with one compilation.
const compiledTables = new Map<string, CompiledTable>();

function compiled({ table, sha256 }: TableDocument): CompiledTable {
  let found = compiledTables.get(sha256);
  if (found === undefined) {
    if (compiledTables.size >= 16) compiledTables.clear();
    found = compileTable(table, sha256);
    compiledTables.set(sha256, found);
  }
  return found;
}

function unrated(inputs: ClientTenantRatingInputs, error: string): Outcome {
  const result = resultRow(inputs, null, null, null, error);
  return { clientTenantId: inputs.clientTenantId, error, result, assessment: null, lacking: [] };
}

function resultRow(
  inputs: ClientTenantRatingInputs,
  rating: Rating | null,
  previous: Previous | null,
  assessmentId: string | null,
  error: string | null,
): string {
  return JSON.stringify({
    client_tenant_id: inputs.clientTenantId,
    snapshot_id: inputs.snapshot?.id ?? null,
    industry: inputs.industry,
    index: rating?.index ?? null,
    tier: rating?.tier ?? null,
    factor: rating?.factor ?? null,
    decision: rating?.decision ?? null,
    reasons: rating?.reasons ?? [],
    missing_controls: rating?.missingControls ?? [],
    previous_tier: previous?.tier ?? null,
    previous_factor: previous?.factor ?? null,
    error,
    assessment_id: assessmentId,
  });
}

/**
 * The controls of W adopted below 1, exactly: the ones with an improvement (spec §5). Not the
 * contributions whose rounded adoption reads below "1.0000", which miss a(c) = 0.99996.
 */
function lackingControls(rating: Rating): string[] {
  return rating.improvements.map((improvement) => improvement.control);
}
