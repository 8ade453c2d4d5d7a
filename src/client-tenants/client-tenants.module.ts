import { Module } from '@nestjs/common';
import { ClientTenantsService } from './client-tenants.service.js';

@Module({
  providers: [ClientTenantsService],
  exports: [ClientTenantsService],
})
export class ClientTenantsModule {}
