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
import { negotiate } from '../common/content-negotiation.js';
import { PageQueryDto } from '../common/dto/page-query.dto.js';
import { IDEMPOTENCY_KEY_HEADER, idempotentRequest } from '../common/idempotency/idempotency.js';
import { ApiJsonResponse, pageOf, TEXT } from '../common/response-schemas.js';
import {
  ASSESSMENT_HISTORY_ITEM_SCHEMA,
  ASSESSMENT_SCHEMA,
  REPLAY_RESULT_SCHEMA,
} from './assessments.responses.js';
import { AssessmentsService } from './assessments.service.js';
import { CreateAssessmentDto } from './dto/create-assessment.dto.js';

const WORKSHEET_POLICY =
  "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

@ApiTags('assessments')
@ApiBearerAuth()
@Roles('partner', 'underwriter', 'admin')
@Controller('v1')
export class AssessmentsController {
  constructor(private readonly assessments: AssessmentsService) {}

  @Post('client-tenants/:id/assessments')
  @HttpCode(201)
  @ApiJsonResponse({
    status: 201,
    description: 'The filed assessment',
    schema: ASSESSMENT_SCHEMA,
    headers: {
      Location: { description: 'The assessment: `/v1/assessments/{id}`' },
      'Idempotent-Replayed': { description: '`true` on a replay of an Idempotency-Key' },
    },
  })
  @ApiHeader(IDEMPOTENCY_KEY_HEADER)
  async create(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Body() body: CreateAssessmentDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const filed = await this.assessments.create(
      principal,
      id,
      body,
      idempotentRequest(principal, idempotencyKey, request),
    );
    void reply.header('location', `/v1/assessments/${filed.body.id}`);
    if (filed.replayed) void reply.header('idempotent-replayed', 'true');
    return filed.body;
  }

  @Get('client-tenants/:id/assessments')
  @ApiJsonResponse({
    status: 200,
    description: "The client tenant's assessments, newest first",
    schema: pageOf(ASSESSMENT_HISTORY_ITEM_SCHEMA),
  })
  history(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Query() query: PageQueryDto,
  ) {
    return this.assessments.history(principal, id, query);
  }

  /** JSON by default; `Accept: text/html` gives the printable rating worksheet. */
  @Get('assessments/:id')
  @ApiJsonResponse({
    status: 200,
    description: 'The assessment, or with `Accept: text/html` its printable worksheet',
    schema: ASSESSMENT_SCHEMA,
    alternatives: { 'text/html': TEXT },
  })
  async get(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    if (negotiate(accept, ['application/json', 'text/html']) === 'text/html') {
      // A page of escaped data and its own inline styles: it loads nothing, runs nothing, and
      // is framed by no other site.
      void reply
        .header('content-type', 'text/html; charset=utf-8')
        .header('content-security-policy', WORKSHEET_POLICY);
      return this.assessments.worksheet(principal, id);
    }
    return this.assessments.get(principal, id);
  }

  @Post('assessments/:id/replay')
  @HttpCode(200)
  @ApiJsonResponse({
    status: 200,
    description: 'Whether the filed rating is reproduced from its stored inputs',
    schema: REPLAY_RESULT_SCHEMA,
  })
  replay(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    return this.assessments.replay(principal, id);
  }
}
