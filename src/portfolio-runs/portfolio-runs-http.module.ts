import { Module } from '@nestjs/common';
import { PortfolioRunsController } from './portfolio-runs.controller.js';
import { PortfolioRunsModule } from './portfolio-runs.module.js';

/**
 * Portfolio runs over HTTP: the controllers on PortfolioRunsModule. The CLI imports
 * PortfolioRunsModule alone, without the HTTP layer (its DTOs and OpenAPI decorators).
 */
@Module({ imports: [PortfolioRunsModule], controllers: [PortfolioRunsController] })
export class PortfolioRunsHttpModule {}
