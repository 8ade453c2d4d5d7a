import { Module } from '@nestjs/common';
import { ControlProfilesController } from './catalog/control-profiles.controller.js';
import { SecureScoresController } from './secure-scores.controller.js';
import { SecureScoresModule } from './secure-scores.module.js';

/**
 * Secure Score ingestion and history, and control profiles over HTTP: the controllers on SecureScoresModule. The CLI imports
 * SecureScoresModule alone, without the HTTP layer (its DTOs and OpenAPI decorators).
 */
@Module({
  imports: [SecureScoresModule],
  controllers: [SecureScoresController, ControlProfilesController],
})
export class SecureScoresHttpModule {}
