import type { ValidateFunction } from 'ajv';
import { LIMITS } from './graph-limits.js';
import { compileSchema } from './schema-validation.js';
import { azureTenantIdSchema } from './secure-score.schema.js';

const optionalText = (maxLength: number) => ({ type: ['string', 'null'], maxLength });
const id = {
  type: 'string',
  minLength: 1,
  maxLength: LIMITS.nameLength,
  pattern: '\\S',
  patternMessage: 'must not be blank',
};
const points = { type: ['number', 'null'], minimum: 0, maximum: LIMITS.controlScore };

// Members shared by both profile shapes; like scores, profiles are open types: only what we map
// is checked. Casing of tier, userImpact, implementationCost and threats varies on the wire
// ("Medium"/"medium"/"Moderate"), so none of them is an enum.
const common = {
  azureTenantId: { ...azureTenantIdSchema, type: ['string', 'null'] },
  controlCategory: optionalText(LIMITS.nameLength),
  service: optionalText(LIMITS.nameLength),
  tier: optionalText(LIMITS.nameLength),
  actionType: optionalText(LIMITS.nameLength),
  userImpact: optionalText(LIMITS.nameLength),
  implementationCost: optionalText(LIMITS.nameLength),
  rank: { type: ['integer', 'null'], minimum: -LIMITS.int32 - 1, maximum: LIMITS.int32 },
  threats: {
    type: ['array', 'null'],
    maxItems: LIMITS.threats,
    items: { type: 'string', maxLength: LIMITS.nameLength },
  },
  deprecated: { type: ['boolean', 'null'] },
};

const currentProfile = {
  type: 'object',
  required: ['id'],
  properties: {
    ...common,
    id,
    title: optionalText(LIMITS.titleLength),
    maxScore: points,
    controlStateUpdates: {
      type: ['array', 'null'],
      maxItems: LIMITS.stateUpdates,
      items: {
        type: 'object',
        properties: {
          state: optionalText(64),
          updatedDateTime: optionalText(64), // the calendar is checked in code
          updatedBy: optionalText(LIMITS.nameLength),
        },
      },
    },
  },
};

// The 2018 beta: `title` held the id and `controlName` the human title; the state was a
// top-level `tenantSetState`; `maxScore` was documented as a String (the example sends numbers),
// so a decimal string is accepted here and only here.
const legacyProfile = {
  type: 'object',
  required: ['title'],
  properties: {
    ...common,
    title: id,
    controlName: optionalText(LIMITS.titleLength),
    maxScore: {
      ...points,
      type: ['number', 'string', 'null'],
      maxLength: 32,
      pattern: '^(0|[1-9][0-9]*)(\\.[0-9]+)?$',
      patternMessage: 'must be a non-negative decimal number',
    },
    tenantSetState: optionalText(64),
    updatedBy: optionalText(LIMITS.nameLength),
  },
};

/** The two profile shapes as JSON Schemas, for the validators and the OpenAPI document. */
export const PROFILE_SCHEMAS = { current: currentProfile, legacy2018: legacyProfile };

export const PROFILE_VALIDATORS: { current: ValidateFunction; legacy2018: ValidateFunction } = {
  current: compileSchema(currentProfile),
  legacy2018: compileSchema(legacyProfile),
};
