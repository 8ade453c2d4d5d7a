import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../access/access.decorators.js';
import type { Principal } from '../access/roles.js';
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
  rate(@CurrentPrincipal() principal: Principal, @Body() body: unknown) {
    return this.rating.rate(principal, body);
  }
}
