import { Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { CurrentPrincipal } from '../access/access.decorators.js';
import type { Principal } from '../access/roles.js';
import type { RequestWithBodyBytes } from '../common/json/hardened-json.parser.js';
import { ApiJsonResponse } from '../common/response-schemas.js';
import { RateRequestDto } from './dto/rate-request.dto.js';
import { EXPLAINED_RATING_SCHEMA } from './rating.responses.js';
import { RateService } from './rate.service.js';

@ApiTags('rating')
@ApiBearerAuth()
@Controller('v1/rate')
export class RateController {
  constructor(private readonly rating: RateService) {}

  /**
   * Any role. The body is checked by `parseRateRequest` (every violation listed, the snapshot as
   * ingestion checks it), not by the DTO pipe: the DTO only documents the shape.
   */
  @Post()
  @HttpCode(200)
  @ApiBody({ type: RateRequestDto })
  @ApiJsonResponse({
    status: 200,
    description: 'The rating, with warnings about the controls it read; nothing is stored',
    schema: EXPLAINED_RATING_SCHEMA,
  })
  rate(
    @CurrentPrincipal() principal: Principal,
    @Req() request: FastifyRequest & RequestWithBodyBytes,
  ) {
    // The JSON parser leaves this route's body as bytes (DEFERRED_JSON_ROUTES): a rate thread
    // decodes, parses and checks them. No body at all is checked as absent.
    const body = request.bodyBytes;
    return body === undefined
      ? this.rating.rate(principal, undefined)
      : this.rating.rateBody(principal, body);
  }
}
