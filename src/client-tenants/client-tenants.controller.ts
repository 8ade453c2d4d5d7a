import { Body, Controller, Get, Param, Patch, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles } from '../access/access.decorators.js';
import type { Principal } from '../access/roles.js';
import { ApiJsonResponse, pageOf } from '../common/response-schemas.js';
import { CLIENT_TENANT_SCHEMA } from './client-tenants.responses.js';
import { ClientTenantsService } from './client-tenants.service.js';
import { ListClientTenantsQueryDto, UpdateClientTenantDto } from './dto/client-tenant.dto.js';

@ApiTags('client tenants')
@ApiBearerAuth()
@Roles('partner', 'underwriter', 'admin')
@Controller('v1/client-tenants')
export class ClientTenantsController {
  constructor(private readonly clientTenants: ClientTenantsService) {}

  @Get()
  @ApiJsonResponse({
    status: 200,
    description: 'Client tenants by id; a partner sees only its own',
    schema: pageOf(CLIENT_TENANT_SCHEMA),
  })
  list(@CurrentPrincipal() principal: Principal, @Query() query: ListClientTenantsQueryDto) {
    return this.clientTenants.list(principal, query);
  }

  @Get(':id')
  @ApiJsonResponse({ status: 200, description: 'The client tenant', schema: CLIENT_TENANT_SCHEMA })
  get(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    return this.clientTenants.get(principal, id);
  }

  @Patch(':id')
  @ApiJsonResponse({
    status: 200,
    description: 'The updated client tenant',
    schema: CLIENT_TENANT_SCHEMA,
  })
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Body() body: UpdateClientTenantDto,
  ) {
    return this.clientTenants.update(principal, id, body);
  }
}
