import {
  arrayOf,
  BOOLEAN,
  closedObject,
  DECIMAL_TEXT,
  described,
  INSTANT,
  mapOf,
  nullable,
  TEXT,
  UUID,
  type JsonSchema,
} from '../common/response-schemas.js';
import { LISTED_WARNINGS } from '../secure-scores/secure-scores.responses.js';
import { CONTROL_STATES } from '../weighting-tables/rate-request.js';
import { DECISION, RATING_MEMBERS } from '../weighting-tables/rating.responses.js';

const CONTROL_STATE: JsonSchema = {
  type: 'string',
  enum: [...CONTROL_STATES],
};

/** A filed rating with the inputs it was computed from. */
export const ASSESSMENT_SCHEMA = closedObject(
  {
    id: UUID,
    clientTenantId: UUID,
    ...RATING_MEMBERS,
    ...LISTED_WARNINGS,
    createdAt: INSTANT,
    createdBy: described(TEXT, 'The API key id that filed it (`system` for a CLI run)'),
    portfolioRunId: described(nullable(UUID), 'The portfolio run that filed it, if one did'),
    inputs: closedObject({
      industry: nullable(TEXT),
      controlStates: mapOf(CONTROL_STATE, "The client tenant's control states, by control name"),
    }),
  },
  { optional: ['warningsOmitted'] },
);

export const ASSESSMENT_HISTORY_ITEM_SCHEMA = closedObject({
  id: UUID,
  snapshotId: UUID,
  table: closedObject({ name: TEXT, version: TEXT }),
  asOf: INSTANT,
  index: nullable(DECIMAL_TEXT),
  tier: nullable(TEXT),
  factor: nullable(DECIMAL_TEXT),
  decision: DECISION,
  portfolioRunId: nullable(UUID),
  createdAt: INSTANT,
  previousTier: described(nullable(TEXT), "The tier of the client tenant's assessment before"),
  tierChange: described(BOOLEAN, 'The tier differs from the assessment before'),
});

export const REPLAY_RESULT_SCHEMA = closedObject({
  matches: described(BOOLEAN, 'The recomputed rating equals the filed one, field for field'),
  differences: arrayOf(
    closedObject(
      {
        pointer: described(TEXT, 'Where, in the rating (RFC 6901)'),
        stored: { description: 'The filed value (any JSON); absent if the filed rating has none' },
        recomputed: {
          description: 'The recomputed value (any JSON); absent if the recomputed rating has none',
        },
      },
      { optional: ['stored', 'recomputed'] },
    ),
  ),
});
