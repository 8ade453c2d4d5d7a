import {
  arrayOf,
  CALENDAR_DAY,
  closedObject,
  DECIMAL_TEXT,
  described,
  INSTANT,
  INTEGER,
  mapOf,
  nullable,
  SHA256,
  TEXT,
  type JsonSchema,
} from '../common/response-schemas.js';
import { DECISION } from './rating.responses.js';
import { TABLE_STATUSES } from './weighting-table-version.entity.js';

const NUMERIC_INPUT: JsonSchema = {
  type: 'string',
  enum: ['activeUserCount', 'licensedUserCount', 'snapshotAgeDays'],
};
/** A decimal as a document may write it: a JSON number, or a numeric string such as "0.85". */
const DOCUMENT_DECIMAL: JsonSchema = { anyOf: [{ type: 'number' }, { type: 'string' }] };
const DOCUMENT_DECISION = DECISION;

/** The schema, or `null`, which a document may write for an optional member it leaves out. */
function orNull(schema: JsonSchema): JsonSchema {
  if (schema.type !== undefined) return nullable(schema);
  const alternatives = schema.anyOf as JsonSchema[];
  return { ...schema, anyOf: [...alternatives.slice(0, -1), nullable(alternatives.at(-1)!)] };
}

/** A document object: an optional member may also be written `null`, which counts as absent. */
function documentObject(
  required: Record<string, JsonSchema>,
  optional: Record<string, JsonSchema>,
  description?: string,
): JsonSchema {
  return closedObject(
    {
      ...required,
      ...Object.fromEntries(
        Object.entries(optional).map(([name, schema]) => [name, orNull(schema)]),
      ),
    },
    { optional: Object.keys(optional), ...(description === undefined ? {} : { description }) },
  );
}

/**
 * A weighting table document (rating-spec.md §1), as an actuary writes it: the service refuses
 * unknown members at every level, so the published shape is closed. The validator's other rules
 * (orderings, uniqueness, ranges) are the spec's and are not all repeated here.
 */
export const TABLE_DOCUMENT_SCHEMA = documentObject(
  {
    name: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,62}$' },
    version: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,32}$' },
    effectiveFrom: CALENDAR_DAY,
    tiers: arrayOf(
      documentObject(
        { tier: TEXT, minIndex: DOCUMENT_DECIMAL, factor: DOCUMENT_DECIMAL },
        { decision: DOCUMENT_DECISION },
      ),
      'Best first; `minIndex` strictly decreasing, the last one 0',
    ),
  },
  {
    effectiveTo: CALENDAR_DAY,
    description: TEXT,
    adoption: documentObject(
      {},
      {
        missing: { type: 'string', enum: ['zero', 'exclude'] },
        thirdPartyCredit: DOCUMENT_DECIMAL,
      },
    ),
    controls: arrayOf(
      documentObject({ name: TEXT, weight: DOCUMENT_DECIMAL }, { maxScore: DOCUMENT_DECIMAL }),
    ),
    categoryWeights: mapOf(DOCUMENT_DECIMAL, 'Weight by control category'),
    defaultWeight: DOCUMENT_DECIMAL,
    gates: arrayOf(
      documentObject(
        { control: TEXT, minAdoption: DOCUMENT_DECIMAL },
        { capTier: TEXT, decision: DOCUMENT_DECISION, reason: TEXT },
      ),
    ),
    modifiers: arrayOf(
      documentObject(
        {
          name: TEXT,
          input: {
            type: 'string',
            enum: ['activeUserCount', 'licensedUserCount', 'snapshotAgeDays', 'industry'],
          },
        },
        {
          default: DOCUMENT_DECIMAL,
          bands: arrayOf(
            documentObject(
              { factor: DOCUMENT_DECIMAL },
              { upTo: DOCUMENT_DECIMAL, decision: DOCUMENT_DECISION, reason: TEXT },
            ),
          ),
          values: mapOf(DOCUMENT_DECIMAL, 'Factor by industry slug'),
        },
      ),
    ),
    factorFloor: DOCUMENT_DECIMAL,
    factorCap: DOCUMENT_DECIMAL,
    rounding: documentObject({}, { index: DOCUMENT_DECIMAL, factor: DOCUMENT_DECIMAL }),
  },
  'A weighting table document (rating-spec.md §1)',
);

const SUMMARY_MEMBERS: Record<string, JsonSchema> = {
  name: TEXT,
  version: TEXT,
  status: { type: 'string', enum: [...TABLE_STATUSES] },
  sha256: described(SHA256, "SHA-256 of the document's RFC 8785 canonical JSON"),
  effectiveFrom: CALENDAR_DAY,
  effectiveTo: described(nullable(CALENDAR_DAY), 'Exclusive; `null` is open-ended'),
  createdBy: described(TEXT, 'The API key id that drafted it (`system` for the CLI)'),
  createdAt: INSTANT,
  updatedAt: INSTANT,
  publishedBy: nullable(TEXT),
  publishedAt: nullable(INSTANT),
  supersededFrom: described(
    nullable(CALENDAR_DAY),
    'The first day it is no longer in force, set by the publication of `supersededBy` (earlier than `effectiveTo`, which stays as published)',
  ),
  supersededBy: described(nullable(TEXT), 'The version whose publication superseded it'),
};

export const TABLE_VERSION_SUMMARY_SCHEMA = closedObject(SUMMARY_MEMBERS);

export const TABLE_VERSION_SCHEMA = closedObject({
  ...SUMMARY_MEMBERS,
  document: described(TABLE_DOCUMENT_SCHEMA, 'The document as received'),
});

export const TABLE_NAME_SCHEMA = closedObject({
  name: TEXT,
  versions: arrayOf(TABLE_VERSION_SUMMARY_SCHEMA),
});

// The entries a diff compares: validated, with every default filled and decimals canonical.
const VALIDATED_ENTRIES: JsonSchema[] = [
  closedObject({ name: TEXT, weight: DECIMAL_TEXT, maxScore: nullable(DECIMAL_TEXT) }),
  closedObject({ tier: TEXT, minIndex: DECIMAL_TEXT, factor: DECIMAL_TEXT, decision: DECISION }),
  closedObject({
    control: TEXT,
    minAdoption: DECIMAL_TEXT,
    capTier: nullable(TEXT),
    decision: DECISION,
    reason: TEXT,
  }),
  closedObject({
    name: TEXT,
    input: NUMERIC_INPUT,
    default: DECIMAL_TEXT,
    bands: arrayOf(
      closedObject({
        upTo: nullable(DECIMAL_TEXT),
        factor: DECIMAL_TEXT,
        decision: nullable(DECISION),
        reason: nullable(TEXT),
      }),
    ),
  }),
  closedObject({
    name: TEXT,
    input: { type: 'string', enum: ['industry'] },
    default: DECIMAL_TEXT,
    values: mapOf(DECIMAL_TEXT),
  }),
  described(nullable(TEXT), 'A decimal, a setting, or `null` for an absent entry'),
  INTEGER,
  arrayOf(TEXT),
];

const CHANGE_VALUE: JsonSchema = { anyOf: VALIDATED_ENTRIES };

export const TABLE_DIFF_SCHEMA = closedObject({
  name: TEXT,
  from: closedObject({ version: TEXT, sha256: SHA256 }),
  to: closedObject({ version: TEXT, sha256: SHA256 }),
  changes: arrayOf(
    closedObject({
      kind: {
        type: 'string',
        enum: ['control', 'categoryWeight', 'defaultWeight', 'tier', 'gate', 'modifier', 'setting'],
      },
      key: TEXT,
      before: described(CHANGE_VALUE, '`null` for an added entry'),
      after: described(CHANGE_VALUE, '`null` for a removed entry'),
    }),
    'One entry per changed weight, tier, gate, modifier or setting',
  ),
});
