import { copyTextRow } from '../database/copy-text.js';
import type { Rating, RatingSnapshot } from '../rating/rating.types.js';
import { catalogSubset, type ClientTenantRatingInputs } from './rating-inputs.js';
import { toStoredRating } from './stored-rating.js';

/**
 * One filed assessment, column for column: every input its rating read, so that a replay years
 * later gives the same result bit for bit. Built in one place for both writers, the assessment
 * route (an entity insert) and a portfolio run (a COPY line per member).
 */
export interface AssessmentRecord {
  clientTenantId: string;
  snapshotId: string;
  tableName: string;
  tableVersion: string;
  tableSha256: string;
  /** ISO 8601. */
  asOf: string;
  industry: string | null;
  controlStates: ClientTenantRatingInputs['controlStates'];
  catalogMaxScores: Record<string, string>;
  rating: Rating;
  tier: string | null;
  factor: string | null;
  decision: Rating['decision'];
  portfolioRunId: string | null;
  createdBy: string;
}

export function assessmentRecord(filing: {
  inputs: ClientTenantRatingInputs;
  /** The stored snapshot rated (`inputs.snapshot`), and the same as the rating read it. */
  snapshotId: string;
  snapshot: RatingSnapshot;
  catalog: ReadonlyMap<string, string>;
  rating: Rating;
  portfolioRunId: string | null;
  createdBy: string;
}): AssessmentRecord {
  const { inputs, rating } = filing;
  return {
    clientTenantId: inputs.clientTenantId,
    snapshotId: filing.snapshotId,
    tableName: rating.table.name,
    tableVersion: rating.table.version,
    tableSha256: rating.table.sha256,
    asOf: rating.asOf,
    industry: inputs.industry,
    controlStates: inputs.controlStates,
    catalogMaxScores: catalogSubset(filing.catalog, filing.snapshot),
    rating,
    tier: rating.tier,
    factor: rating.factor,
    decision: rating.decision,
    portfolioRunId: filing.portfolioRunId,
    createdBy: filing.createdBy,
  };
}

export const ASSESSMENT_COPY = `COPY assessments (id, client_tenant_id, snapshot_id, table_name,
  table_version, table_sha256, as_of, industry, control_states, catalog_max_scores, rating, tier,
  factor, decision, portfolio_run_id, created_by) FROM STDIN`;

/** The record as a line of ASSESSMENT_COPY; `rating` in its stored layout, as the entity writes it. */
export function assessmentCopyLine(id: string, record: AssessmentRecord): string {
  return copyTextRow([
    id,
    record.clientTenantId,
    record.snapshotId,
    record.tableName,
    record.tableVersion,
    record.tableSha256,
    record.asOf,
    record.industry,
    JSON.stringify(record.controlStates),
    JSON.stringify(record.catalogMaxScores),
    JSON.stringify(toStoredRating(record.rating)),
    record.tier,
    record.factor,
    record.decision,
    record.portfolioRunId,
    record.createdBy,
  ]);
}
