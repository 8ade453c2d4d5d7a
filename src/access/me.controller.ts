import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ApiJsonResponse } from '../common/response-schemas.js';
import { CurrentPrincipal } from './access.decorators.js';
import { PRINCIPAL_SCHEMA } from './access.responses.js';
import type { Principal } from './roles.js';

@ApiTags('access')
@ApiBearerAuth()
@Controller('v1/me')
export class MeController {
  /** Who this key is: lets an integration check its key and role without side effects. */
  @Get()
  @ApiJsonResponse({ status: 200, description: 'The caller', schema: PRINCIPAL_SCHEMA })
  me(@CurrentPrincipal() principal: Principal) {
    return principal;
  }
}
