import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AccessGuard } from './access.guard.js';
import { AccessService } from './access.service.js';
import { ApiKeysController } from './api-keys.controller.js';
import { MeController } from './me.controller.js';
import { PartnersController } from './partners.controller.js';

@Module({
  controllers: [PartnersController, ApiKeysController, MeController],
  providers: [AccessService, { provide: APP_GUARD, useClass: AccessGuard }],
  exports: [AccessService],
})
export class AccessModule {}
