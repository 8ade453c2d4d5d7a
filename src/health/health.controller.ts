import { Controller, Get, HttpCode } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Public } from '../access/access.decorators.js';
import { DomainError } from '../common/errors/domain-error.js';
import { ApiJsonResponse, closedObject, type JsonSchema } from '../common/response-schemas.js';
import { ShutdownState } from './shutdown-state.js';

const OK: JsonSchema = { type: 'string', enum: ['ok'] };

@ApiTags('operations')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly shutdown: ShutdownState,
  ) {}

  /** The process is up and serving HTTP. */
  @Get('live')
  @HttpCode(200)
  @ApiJsonResponse({ status: 200, description: 'Up', schema: closedObject({ status: OK }) })
  live() {
    return { status: 'ok' };
  }

  /** The process can serve traffic: not draining, and the database answers. */
  @Get('ready')
  @ApiJsonResponse({
    status: 200,
    description: 'Ready; else a 503 problem',
    schema: closedObject({ status: OK, database: OK }),
  })
  async ready() {
    if (this.shutdown.draining) {
      throw new DomainError('shutting-down', 'The service is shutting down');
    }
    await this.dataSource.query('SELECT 1');
    return { status: 'ok', database: 'ok' };
  }
}
