import { Module } from '@nestjs/common';
import { AccessModule } from './access.module.js';
import { ApiKeysController } from './api-keys.controller.js';
import { MeController } from './me.controller.js';
import { PartnersController } from './partners.controller.js';

/**
 * Partners, API keys and `GET /v1/me` over HTTP: the controllers on AccessModule. The CLI imports
 * AccessModule alone, without the HTTP layer (its DTOs and OpenAPI decorators).
 */
@Module({
  imports: [AccessModule],
  controllers: [PartnersController, ApiKeysController, MeController],
})
export class AccessHttpModule {}
