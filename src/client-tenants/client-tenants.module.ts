import { Module } from '@nestjs/common';
import { ClientTenantsController } from './client-tenants.controller.js';
import { ClientTenantsService } from './client-tenants.service.js';

@Module({
  controllers: [ClientTenantsController],
  providers: [ClientTenantsService],
  exports: [ClientTenantsService],
})
export class ClientTenantsModule {}
