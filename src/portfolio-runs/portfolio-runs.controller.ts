import { Readable } from 'node:stream';
import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Param,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentPrincipal, Roles } from '../access/access.decorators.js';
import type { Principal } from '../access/roles.js';
import { csvLine } from '../common/csv.js';
import { DomainError } from '../common/errors/domain-error.js';
import { IDEMPOTENCY_KEY_HEADER, idempotentRequest } from '../common/idempotency/idempotency.js';
import { ApiJsonResponse, pageOf } from '../common/response-schemas.js';
import { CreatePortfolioRunDto } from './dto/create-portfolio-run.dto.js';
import { RunListQueryDto } from './dto/run-list-query.dto.js';
import { RunResultsQueryDto } from './dto/run-results-query.dto.js';
import {
  PORTFOLIO_RUN_SCHEMA,
  QUEUED_RUN_SCHEMA,
  RUN_RESULT_SCHEMA,
  RUN_RESULTS_CSV_SCHEMA,
} from './portfolio-runs.responses.js';
import { PortfolioRunsService, RESULT_COLUMNS } from './portfolio-runs.service.js';

@ApiTags('portfolio runs')
@ApiBearerAuth()
@Roles('underwriter', 'actuary', 'admin')
@Controller('v1/portfolio-runs')
export class PortfolioRunsController {
  constructor(private readonly runs: PortfolioRunsService) {}

  @Post()
  @HttpCode(202)
  @ApiJsonResponse({
    status: 202,
    description: 'The run is queued',
    schema: QUEUED_RUN_SCHEMA,
    headers: {
      Location: { description: 'The run, with its progress: `/v1/portfolio-runs/{id}`' },
      'Idempotent-Replayed': { description: '`true` on a replay of an Idempotency-Key' },
    },
  })
  @ApiHeader(IDEMPOTENCY_KEY_HEADER)
  async create(
    @CurrentPrincipal() principal: Principal,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Body() body: CreatePortfolioRunDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const created = await this.runs.create(
      principal,
      body,
      idempotentRequest(principal, idempotencyKey, request),
    );
    // 202: the run is queued; its progress is read at the run's own address.
    void reply.header('location', `/v1/portfolio-runs/${created.body.id}`);
    if (created.replayed) void reply.header('idempotent-replayed', 'true');
    return created.body;
  }

  @Get()
  @ApiJsonResponse({
    status: 200,
    description:
      'Runs newest first (an actuary sees the impact tests it may read), with their progress and summaries',
    schema: pageOf(PORTFOLIO_RUN_SCHEMA),
  })
  list(@CurrentPrincipal() principal: Principal, @Query() query: RunListQueryDto) {
    return this.runs.list(principal, query);
  }

  @Get(':id')
  @ApiJsonResponse({
    status: 200,
    description: 'The run and its progress',
    schema: PORTFOLIO_RUN_SCHEMA,
  })
  get(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    return this.runs.get(principal, id);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @ApiJsonResponse({
    status: 200,
    description: 'The run, cancelled unless it had already finished',
    schema: PORTFOLIO_RUN_SCHEMA,
  })
  cancel(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    return this.runs.cancel(principal, id);
  }

  @Get(':id/results')
  @ApiJsonResponse({
    status: 200,
    description:
      'Results by client tenant id; `?format=csv` exports them all as CSV, once the run has finished (409 before, unless `partial=true`)',
    headers: {
      'Portfolio-Run-Status': {
        description: 'With format=csv: the status of the run when the export began',
      },
    },
    schema: pageOf(RUN_RESULT_SCHEMA),
    alternatives: { 'text/csv': RUN_RESULTS_CSV_SCHEMA },
  })
  async results(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Query() query: RunResultsQueryDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    if (query.format !== 'csv') return this.runs.results(principal, id, query);
    // The export is every result from the first: a cursor would be ignored, so it is refused.
    if (query.cursor !== undefined) {
      throw DomainError.validation([
        { pointer: '/cursor', message: 'format=csv streams every result; cursor pages JSON only' },
      ]);
    }
    const run = await this.runs.exportable(principal, id, query.partial === 'true');
    const rows = this.runs.allResults(principal, id);
    const first = await rows.next(); // a database error still answers a problem, before any CSV
    async function* lines() {
      yield csvLine(RESULT_COLUMNS);
      for (let row = first; !row.done; row = await rows.next()) {
        yield csvLine(RESULT_COLUMNS.map((column) => row.value[column]));
      }
    }
    // The file name says when the export is not the whole book: a run partial, failed, cancelled.
    const open = run.status === 'queued' || run.status === 'running';
    const name = run.status === 'succeeded' ? run.id : `${run.id}-${open ? 'partial' : run.status}`;
    void reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="portfolio-run-${name}.csv"`)
      .header('portfolio-run-status', run.status);
    return Readable.from(lines());
  }
}
