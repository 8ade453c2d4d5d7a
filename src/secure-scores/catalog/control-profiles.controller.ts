import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles } from '../../access/access.decorators.js';
import type { Principal } from '../../access/roles.js';
import { ApiJsonResponse } from '../../common/response-schemas.js';
import { CONTROL_PROFILES_RESULT_SCHEMA } from '../secure-scores.responses.js';
import { ControlCatalogService } from './control-catalog.service.js';

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
  @ApiBody({ schema: { oneOf: [{ type: 'array' }, { type: 'object' }] } })
  ingest(@CurrentPrincipal() principal: Principal, @Body() body: unknown) {
    return this.catalog.ingestProfiles(principal, body);
  }
}
