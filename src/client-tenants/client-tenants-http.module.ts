import { Module } from '@nestjs/common';
import { ClientTenantsController } from './client-tenants.controller.js';
import { ClientTenantsModule } from './client-tenants.module.js';

/**
 * Client tenants over HTTP: the controllers on ClientTenantsModule. The CLI imports
 * ClientTenantsModule alone, without the HTTP layer (its DTOs and OpenAPI decorators).
 */
@Module({ imports: [ClientTenantsModule], controllers: [ClientTenantsController] })
export class ClientTenantsHttpModule {}
