import {
  arrayOf,
  closedObject,
  DECIMAL_TEXT,
  described,
  INSTANT,
  nullable,
  SHA256,
  TEXT,
  type JsonSchema,
} from '../common/response-schemas.js';
import { DECISIONS } from '../rating/rating-plan.js';
import { LISTED_WARNINGS } from '../secure-scores/secure-scores.responses.js';

export const DECISION: JsonSchema = { type: 'string', enum: [...DECISIONS] };

/** A rating (rating-spec.md §5): decimals are text with exactly the places the table rounds to. */
export const RATING_MEMBERS: Record<string, JsonSchema> = {
  index: described(nullable(DECIMAL_TEXT), 'Weighted adoption, 0 to 100'),
  tier: nullable(TEXT),
  factor: described(nullable(DECIMAL_TEXT), 'The premium factor'),
  decision: DECISION,
  reasons: arrayOf(TEXT, 'Why the decision is what it is: gate and modifier reasons'),
  table: closedObject({ name: TEXT, version: TEXT, sha256: SHA256 }),
  asOf: INSTANT,
  snapshot: closedObject({
    id: described(nullable(TEXT), "Ours for a stored snapshot, Graph's for one in a request"),
    createdDateTime: INSTANT,
  }),
  missingControls: arrayOf(TEXT, 'Weighted controls absent from the snapshot'),
  contributions: arrayOf(
    closedObject({
      control: TEXT,
      weight: DECIMAL_TEXT,
      adoption: DECIMAL_TEXT,
      contribution: described(DECIMAL_TEXT, 'Index points this control adds'),
      gap: described(DECIMAL_TEXT, 'Index points full adoption would add'),
    }),
  ),
  improvements: arrayOf(
    closedObject({
      control: TEXT,
      index: nullable(DECIMAL_TEXT),
      tier: nullable(TEXT),
      factor: nullable(DECIMAL_TEXT),
      decision: DECISION,
    }),
    'The result were each control not yet fully adopted turned on, best factor first',
  ),
};

/** `POST /v1/rate`: the rating and what it says of the snapshot's controls. */
export const EXPLAINED_RATING_SCHEMA = closedObject(
  { ...RATING_MEMBERS, ...LISTED_WARNINGS },
  { optional: ['warningsOmitted'] },
);
