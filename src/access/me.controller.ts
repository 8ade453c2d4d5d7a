import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from './access.decorators.js';
import type { Principal } from './roles.js';

@ApiTags('access')
@ApiBearerAuth()
@Controller('v1/me')
export class MeController {
  /** Who this key is: lets an integration check its key and role without side effects. */
  @Get()
  me(@CurrentPrincipal() principal: Principal) {
    return principal;
  }
}
