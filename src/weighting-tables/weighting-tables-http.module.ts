import { Module } from '@nestjs/common';
import { RateController } from './rate.controller.js';
import { WeightingTablesController } from './weighting-tables.controller.js';
import { WeightingTablesModule } from './weighting-tables.module.js';

/**
 * Weighting tables and `POST /v1/rate` over HTTP: the controllers on WeightingTablesModule. The CLI imports
 * WeightingTablesModule alone, without the HTTP layer (its DTOs and OpenAPI decorators).
 */
@Module({
  imports: [WeightingTablesModule],
  controllers: [WeightingTablesController, RateController],
})
export class WeightingTablesHttpModule {}
