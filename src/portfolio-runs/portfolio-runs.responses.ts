import {
  arrayOf,
  BOOLEAN,
  closedObject,
  DECIMAL_TEXT,
  described,
  INSTANT,
  INTEGER,
  mapOf,
  nullable,
  SHA256,
  TEXT,
  UUID,
} from '../common/response-schemas.js';
import { DECISION } from '../weighting-tables/rating.responses.js';
import { PORTFOLIO_RUN_STATUSES } from './portfolio-run.entity.js';

const TABLE = closedObject({ name: TEXT, version: TEXT, sha256: SHA256 });

/** A finished run's book at a glance, or why it failed. An empty book's is `{}`. */
const SUMMARY = closedObject(
  {
    tiers: mapOf(INTEGER, 'Rated members by tier'),
    decisions: mapOf(INTEGER, 'Rated members by decision'),
    factor: closedObject({
      mean: nullable(DECIMAL_TEXT),
      median: nullable(DECIMAL_TEXT),
      p90: nullable(DECIMAL_TEXT),
      rated: INTEGER,
    }),
    accumulation: arrayOf(
      closedObject({
        control: TEXT,
        clients: INTEGER,
        percent: nullable(DECIMAL_TEXT),
        statement: TEXT,
      }),
      'The controls most often lacking across the book',
    ),
    comparison: closedObject({
      tierMigration: mapOf(mapOf(INTEGER), 'Members by tier before, then tier after'),
      meanFactorChange: nullable(DECIMAL_TEXT),
      compared: INTEGER,
    }),
    error: described(TEXT, 'Why the run failed'),
    chunk: described(nullable(INTEGER), 'The chunk whose failure failed the run'),
  },
  {
    optional: ['tiers', 'decisions', 'factor', 'accumulation', 'comparison', 'error', 'chunk'],
  },
);

export const PORTFOLIO_RUN_SCHEMA = closedObject({
  id: UUID,
  status: { type: 'string', enum: [...PORTFOLIO_RUN_STATUSES] },
  table: closedObject({
    name: TEXT,
    version: TEXT,
    sha256: SHA256,
    published: described(BOOLEAN, 'False for an impact test of a draft: results only'),
  }),
  asOf: INSTANT,
  filter: closedObject(
    { partnerId: UUID, industry: TEXT, clientTenantIds: arrayOf(UUID) },
    { optional: ['partnerId', 'industry', 'clientTenantIds'] },
  ),
  compareTo: nullable(
    closedObject({ runId: UUID, table: TABLE }, { optional: ['runId', 'table'] }),
  ),
  total: described(INTEGER, 'Members pinned when the run was created'),
  done: INTEGER,
  failed: INTEGER,
  createdAt: INSTANT,
  startedAt: nullable(INSTANT),
  finishedAt: nullable(INSTANT),
  summary: described(nullable(SUMMARY), 'Set when the run succeeds or fails'),
});

/** A run just created: its progress is read at its own address (`Location`). */
export const QUEUED_RUN_SCHEMA = closedObject({ id: UUID });

export const RUN_RESULT_SCHEMA = closedObject({
  clientTenantId: UUID,
  azureTenantId: TEXT,
  name: nullable(TEXT),
  industry: nullable(TEXT),
  snapshotId: nullable(UUID),
  index: nullable(DECIMAL_TEXT),
  tier: nullable(TEXT),
  factor: nullable(DECIMAL_TEXT),
  decision: nullable(DECISION),
  reasons: arrayOf(TEXT),
  previousTier: nullable(TEXT),
  previousFactor: nullable(DECIMAL_TEXT),
  missingControls: arrayOf(TEXT),
  error: described(nullable(TEXT), 'Why the member has no rating (no snapshot, a rating failure)'),
  assessmentId: described(nullable(UUID), 'The assessment filed (runs on a published table)'),
});

/** The CSV export: a header row of the JSON members' names, then one row per member. */
export const RUN_RESULTS_CSV_SCHEMA = { type: 'string', description: 'RFC 4180 CSV, UTF-8' };
