import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { PageQueryDto } from '../common/dto/page-query.dto.js';
import { CurrentPrincipal, Roles } from './access.decorators.js';
import { AccessService } from './access.service.js';
import { CreateApiKeyDto } from './dto/create-api-key.dto.js';
import type { Principal } from './roles.js';

@ApiTags('access')
@ApiBearerAuth()
@Roles('admin')
@Controller('v1/api-keys')
export class ApiKeysController {
  constructor(private readonly access: AccessService) {}

  /** The response carries the key itself; it is never shown again. */
  @Post()
  @HttpCode(201)
  create(@CurrentPrincipal() principal: Principal, @Body() body: CreateApiKeyDto) {
    return this.access.createApiKey(principal, body);
  }

  @Get()
  list(@Query() query: PageQueryDto) {
    return this.access.listApiKeys(query);
  }

  @Post(':id/revoke')
  @HttpCode(200)
  revoke(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string) {
    return this.access.revokeApiKey(principal, id);
  }
}
