import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AccessGuard } from './access.guard.js';
import { AccessService } from './access.service.js';

@Module({
  // The guard is also a provider of its own: the HTTP layer authenticates a request that carries
  // a body before reading it (app.factory), with the same limits.
  providers: [AccessService, AccessGuard, { provide: APP_GUARD, useExisting: AccessGuard }],
  exports: [AccessService, AccessGuard],
})
export class AccessModule {}
