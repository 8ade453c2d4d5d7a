import { Controller, Get, HttpCode } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Public } from '../access/access.decorators.js';
import { DomainError } from '../common/errors/domain-error.js';
import { ShutdownState } from './shutdown-state.js';

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
  live() {
    return { status: 'ok' };
  }

  /** The process can serve traffic: not draining, and the database answers. */
  @Get('ready')
  async ready() {
    if (this.shutdown.draining) {
      throw new DomainError('database-unavailable', 'The service is shutting down');
    }
    await this.dataSource.query('SELECT 1');
    return { status: 'ok', database: 'ok' };
  }
}
