import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { PageQueryDto } from '../common/dto/page-query.dto.js';
import { ApiJsonResponse, pageOf } from '../common/response-schemas.js';
import { CurrentPrincipal, Roles } from './access.decorators.js';
import { CREATED_PARTNER_SCHEMA, PARTNER_SCHEMA } from './access.responses.js';
import { AccessService } from './access.service.js';
import { CreatePartnerDto } from './dto/create-partner.dto.js';
import type { Principal } from './roles.js';

@ApiTags('access')
@ApiBearerAuth()
@Roles('admin')
@Controller('v1/partners')
export class PartnersController {
  constructor(private readonly access: AccessService) {}

  @Post()
  @HttpCode(201)
  @ApiJsonResponse({ status: 201, description: 'The partner', schema: CREATED_PARTNER_SCHEMA })
  create(@CurrentPrincipal() principal: Principal, @Body() body: CreatePartnerDto) {
    return this.access.createPartner(principal, body.name.trim());
  }

  @Get()
  @ApiJsonResponse({ status: 200, description: 'Partners by id', schema: pageOf(PARTNER_SCHEMA) })
  list(@Query() query: PageQueryDto) {
    return this.access.listPartners(query);
  }
}
