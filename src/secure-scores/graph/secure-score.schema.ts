import type { ValidateFunction } from 'ajv';
import { AZURE_TENANT_ID_PATTERN, LIMITS } from './graph-limits.js';
import { compileSchema } from './schema-validation.js';
import type { SourceShape } from './secure-score.types.js';

/**
 * The member names each snapshot shape uses for the same facts. One schema builder and one
 * mapper read them, so every shape gets exactly the same rules.
 */
export interface SnapshotFields {
  shape: SourceShape;
  tenantId: 'azureTenantId' | 'tenantId';
  created: 'createdDateTime' | 'createdDate';
  currentScore: 'currentScore' | 'secureScore';
  maxScore: 'maxScore' | 'maxSecureScore';
  controlName: 'controlName' | 'referenceId';
  /** The averages list and its basis member; the 2017 rows carry point averages instead. */
  comparative: { list: string; basis: string } | null;
}

export const SNAPSHOT_FIELDS: Record<SourceShape, SnapshotFields> = {
  'graph-v1': {
    shape: 'graph-v1',
    tenantId: 'azureTenantId',
    created: 'createdDateTime',
    currentScore: 'currentScore',
    maxScore: 'maxScore',
    controlName: 'controlName',
    comparative: { list: 'averageComparativeScores', basis: 'basis' },
  },
  'graph-beta-2018': {
    shape: 'graph-beta-2018',
    tenantId: 'azureTenantId',
    created: 'createdDateTime',
    currentScore: 'currentScore',
    maxScore: 'maxScore',
    controlName: 'controlName',
    comparative: { list: 'averageScoreByScopes', basis: 'scope' },
  },
  'o365-report-2017': {
    shape: 'o365-report-2017',
    tenantId: 'tenantId',
    created: 'createdDate',
    currentScore: 'secureScore',
    maxScore: 'maxSecureScore',
    controlName: 'referenceId',
    comparative: null,
  },
};

const optionalText = (maxLength: number) => ({ type: ['string', 'null'], maxLength });
const name = {
  type: 'string',
  minLength: 1,
  maxLength: LIMITS.nameLength,
  pattern: '\\S',
  patternMessage: 'must not be blank',
};
const count = { type: ['integer', 'null'], minimum: 0, maximum: LIMITS.int32 };
const controlPoints = { type: 'number', minimum: 0, maximum: LIMITS.controlScore };

export const azureTenantIdSchema = {
  type: 'string',
  minLength: 1,
  maxLength: LIMITS.tenantIdLength,
  pattern: AZURE_TENANT_ID_PATTERN,
  patternMessage: 'may contain only letters, digits, ".", "_" and "-"',
};

// Graph types are open (OpenType="true"): only the members we map are checked, and nothing
// else is rejected. Strings standing for numbers (count, total, on, SeatSizeRange*Value, the
// 2018 DeviceScore/DataScore/AccountScore) are left as received because we do not map them;
// every member we do map as a number must be a JSON number in every shape.
function controlScoreSchema(fields: SnapshotFields) {
  const properties: Record<string, unknown> = {
    [fields.controlName]: name,
    controlCategory: optionalText(LIMITS.nameLength),
    description: optionalText(LIMITS.descriptionLength),
    score: controlPoints,
    scoreInPercentage: { type: ['number', 'null'], minimum: 0, maximum: 100 },
    // Its own maximum: the 2017 rows give one for every control; a Graph control score (an
    // open type) that carries one has it kept, for the rating reads it before the catalog's.
    maxScore: { ...controlPoints, type: ['number', 'null'] },
  };
  return { type: 'object', required: [fields.controlName, 'score'], properties };
}

function comparativeSchema(basis: string) {
  return {
    type: ['array', 'null'],
    maxItems: LIMITS.comparativeScores,
    items: {
      type: 'object',
      // The sign rule (only the 2018 sentinel -1 may be negative) is checked in code.
      properties: {
        [basis]: optionalText(LIMITS.nameLength),
        averageScore: { type: ['number', 'null'], maximum: LIMITS.totalScore },
      },
    },
  };
}

function snapshotSchema(fields: SnapshotFields) {
  const properties: Record<string, unknown> = {
    id: { type: ['string', 'null'], minLength: 1, maxLength: LIMITS.nameLength },
    [fields.tenantId]: azureTenantIdSchema,
    [fields.created]: { type: 'string', maxLength: 64 }, // the calendar is checked in code
    [fields.currentScore]: { type: 'number', minimum: 0, maximum: LIMITS.totalScore },
    // A zero maximum leaves nothing to rate (reliability checklist INPUT-06).
    [fields.maxScore]: { type: 'number', exclusiveMinimum: 0, maximum: LIMITS.totalScore },
    activeUserCount: count,
    licensedUserCount: count,
    enabledServices: {
      type: ['array', 'null'],
      maxItems: LIMITS.enabledServices,
      items: { type: 'string', maxLength: LIMITS.nameLength },
    },
    controlScores: {
      type: 'array',
      maxItems: LIMITS.controls,
      items: controlScoreSchema(fields),
    },
  };
  if (fields.comparative) {
    properties[fields.comparative.list] = comparativeSchema(fields.comparative.basis);
  }
  return {
    type: 'object',
    required: [
      fields.tenantId,
      fields.created,
      fields.currentScore,
      fields.maxScore,
      'controlScores',
    ],
    properties,
  };
}

/** The JSON Schema of each shape: compiled for validation, and published in the OpenAPI document. */
export const SNAPSHOT_SCHEMAS: Record<SourceShape, Record<string, unknown>> = {
  'graph-v1': snapshotSchema(SNAPSHOT_FIELDS['graph-v1']),
  'graph-beta-2018': snapshotSchema(SNAPSHOT_FIELDS['graph-beta-2018']),
  'o365-report-2017': snapshotSchema(SNAPSHOT_FIELDS['o365-report-2017']),
};

/** Compiled once, at module load: the hot path only calls them. */
export const SNAPSHOT_VALIDATORS: Record<SourceShape, ValidateFunction> = {
  'graph-v1': compileSchema(SNAPSHOT_SCHEMAS['graph-v1']),
  'graph-beta-2018': compileSchema(SNAPSHOT_SCHEMAS['graph-beta-2018']),
  'o365-report-2017': compileSchema(SNAPSHOT_SCHEMAS['o365-report-2017']),
};
