import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles } from '../../access/access.decorators.js';
import type { Principal } from '../../access/roles.js';
import { ApiJsonResponse } from '../../common/response-schemas.js';
import { CONTROL_PROFILES_RESULT_SCHEMA } from '../secure-scores.responses.js';
import { graphListEnvelope, toOpenApiSchema } from '../../common/openapi-schema.js';
import { PROFILE_SCHEMAS } from '../graph/control-profile.schema.js';
import { LIMITS } from '../graph/graph-limits.js';
import { ControlCatalogService } from './control-catalog.service.js';

/**
 * The body as published: the validator's own schemas (the limits documented are the enforced
 * ones), in an array or a Graph list envelope. Profiles are open types: other members are kept.
 */
// anyOf: a current profile (with an id and a title) also reads as a 2018 one.
const PROFILE = {
  anyOf: [
    { ...(toOpenApiSchema(PROFILE_SCHEMAS.current) as object), description: 'A current profile' },
    {
      ...(toOpenApiSchema(PROFILE_SCHEMAS.legacy2018) as object),
      description: 'A 2018 beta profile: `title` is the control id, `controlName` its title',
    },
  ],
};
const PROFILES_BODY_SCHEMA = {
  oneOf: [
    { type: 'array', minItems: 1, maxItems: LIMITS.profiles, items: PROFILE },
    graphListEnvelope(PROFILE, LIMITS.profiles),
  ],
} as unknown as Extract<Parameters<typeof ApiBody>[0], { schema: unknown }>['schema'];

@ApiTags('secure scores')
@ApiBearerAuth()
@Roles('partner', 'underwriter', 'admin')
@Controller('v1/control-profiles')
export class ControlProfilesController {
  constructor(private readonly catalog: ControlCatalogService) {}

  /** `secureScoreControlProfile` objects, as an array or a Graph envelope; links are not followed. */
  @Post()
  @HttpCode(200)
  @ApiJsonResponse({
    status: 200,
    description: 'The profiles were recorded',
    schema: CONTROL_PROFILES_RESULT_SCHEMA,
  })
  @ApiBody({ schema: PROFILES_BODY_SCHEMA })
  ingest(@CurrentPrincipal() principal: Principal, @Body() body: unknown) {
    return this.catalog.ingestProfiles(principal, body);
  }
}
