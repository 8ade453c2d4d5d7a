import {
  arrayOf,
  BOOLEAN,
  closedObject,
  DECIMAL_TEXT,
  described,
  INSTANT,
  INTEGER,
  nullable,
  SHA256,
  TEXT,
  UUID,
  type JsonSchema,
} from '../common/response-schemas.js';
import { CONTROL_WARNING_CODES, MAX_WARNINGS_LISTED } from './catalog/control-warnings.js';
import { SOURCE_SHAPES } from './graph/secure-score.types.js';

const CONTROL_WARNING = closedObject(
  {
    code: { type: 'string', enum: [...CONTROL_WARNING_CODES] },
    control: TEXT,
    pointer: described(TEXT, 'The control score in the snapshot (RFC 6901), when there is one'),
    detail: TEXT,
  },
  { optional: ['pointer'] },
);

/** `warnings` and `warningsOmitted`, as every response that lists control warnings has them. */
export const LISTED_WARNINGS: Record<string, JsonSchema> = {
  warnings: arrayOf(
    CONTROL_WARNING,
    `Controls accepted but worth knowing about, at most ${MAX_WARNINGS_LISTED}`,
  ),
  warningsOmitted: described(INTEGER, 'How many more warnings there were; absent when none'),
};

export const INGEST_RESULT_SCHEMA = closedObject({
  snapshots: arrayOf(
    closedObject(
      {
        id: UUID,
        clientTenantId: UUID,
        azureTenantId: TEXT,
        createdDateTime: INSTANT,
        duplicate: described(BOOLEAN, 'Already stored with the same content'),
        ...LISTED_WARNINGS,
      },
      { optional: ['warningsOmitted'] },
    ),
    'One per snapshot of the body, in its order',
  ),
});

const STORED_CONTROL_SCORE = closedObject({
  controlName: TEXT,
  controlCategory: nullable(TEXT),
  score: nullable(DECIMAL_TEXT),
  scoreInPercentage: nullable(DECIMAL_TEXT),
  maxScore: described(
    nullable(DECIMAL_TEXT),
    "The control score's own maxScore (2017 report rows)",
  ),
});

export const SNAPSHOT_SCHEMA = closedObject(
  {
    id: UUID,
    clientTenantId: UUID,
    createdDateTime: INSTANT,
    graphId: described(nullable(TEXT), "Graph's id of the snapshot, when it had one"),
    sourceShape: { type: 'string', enum: [...SOURCE_SHAPES] },
    currentScore: nullable(DECIMAL_TEXT),
    maxScore: nullable(DECIMAL_TEXT),
    activeUserCount: nullable(INTEGER),
    licensedUserCount: nullable(INTEGER),
    enabledServices: arrayOf(TEXT),
    averageComparativeScores: arrayOf(
      {
        type: 'object',
        description:
          'As Graph sent it, but for `basis` and `averageScore`, normalised (the 2018 `scope` is `basis`, its -1 a null average): an open type whose members vary by basis and release',
        properties: {
          basis: nullable(TEXT),
          averageScore: described(nullable(DECIMAL_TEXT), 'Decimal text, as every score here'),
        },
        required: ['basis', 'averageScore'],
        additionalProperties: true,
      },
      "The client tenant's own comparative scores",
    ),
    controlCount: INTEGER,
    contentSha256: described(SHA256, 'SHA-256 of the RFC 8785 canonical JSON of the snapshot'),
    receivedAt: INSTANT,
    ...LISTED_WARNINGS,
    controlScores: arrayOf(STORED_CONTROL_SCORE, 'With `?include=controls`, in payload order'),
  },
  { optional: ['warningsOmitted', 'controlScores'] },
);

export const CONTROL_PROFILES_RESULT_SCHEMA = closedObject({
  profiles: described(INTEGER, 'Profiles read'),
  catalogUpdated: described(
    BOOLEAN,
    "False for a partner key's push: kept in the history, not applied to the shared catalog",
  ),
  controlStates: described(INTEGER, "Profiles that carried a client tenant's control state"),
  clientTenants: described(INTEGER, 'Client tenants those control states are of'),
});
