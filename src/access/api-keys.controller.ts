import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { PageQueryDto } from '../common/dto/page-query.dto.js';
import { ApiJsonResponse, pageOf } from '../common/response-schemas.js';
import { CurrentPrincipal, Roles } from './access.decorators.js';
import { API_KEY_SCHEMA, CREATED_API_KEY_SCHEMA } from './access.responses.js';
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
  @ApiJsonResponse({
    status: 201,
    description: 'The key, with its secret this once',
    schema: CREATED_API_KEY_SCHEMA,
  })
  create(@CurrentPrincipal() principal: Principal, @Body() body: CreateApiKeyDto) {
    return this.access.createApiKey(principal, body);
  }

  @Get()
  @ApiJsonResponse({ status: 200, description: 'Keys by id', schema: pageOf(API_KEY_SCHEMA) })
  list(@Query() query: PageQueryDto) {
    return this.access.listApiKeys(query);
  }

  @Post(':id/revoke')
  @HttpCode(200)
  @ApiJsonResponse({
    status: 200,
    description: 'The revoked key (revoking twice changes nothing)',
    schema: API_KEY_SCHEMA,
  })
  revoke(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    return this.access.revokeApiKey(principal, id);
  }
}
