import { Body, Controller, Get, Param, Patch, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles } from '../access/access.decorators.js';
import type { Principal } from '../access/roles.js';
import { ClientTenantsService } from './client-tenants.service.js';
import { ListClientTenantsQueryDto, UpdateClientTenantDto } from './dto/client-tenant.dto.js';

@ApiTags('client tenants')
@ApiBearerAuth()
@Roles('partner', 'underwriter', 'admin')
@Controller('v1/client-tenants')
export class ClientTenantsController {
  constructor(private readonly clientTenants: ClientTenantsService) {}

  @Get()
  list(@CurrentPrincipal() principal: Principal, @Query() query: ListClientTenantsQueryDto) {
    return this.clientTenants.list(principal, query);
  }

  @Get(':id')
  get(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    return this.clientTenants.get(principal, id);
  }

  @Patch(':id')
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Body() body: UpdateClientTenantDto,
  ) {
    return this.clientTenants.update(principal, id, body);
  }
}
