import { Controller, Get, Headers, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiHeader, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentPrincipal, Roles } from '../access/access.decorators.js';
import type { Principal } from '../access/roles.js';
import { sha256Hex } from '../common/canonical-json.js';
import type { RequestWithBodyBytes } from '../common/json/hardened-json.parser.js';
import {
  IDEMPOTENCY_KEY_HEADER,
  validateIdempotencyKey,
} from '../common/idempotency/idempotency.js';
import { graphListEnvelope, toOpenApiSchema } from '../common/openapi-schema.js';
import { ApiJsonResponse, pageOf } from '../common/response-schemas.js';
import { IngestQueryDto } from './dto/ingest-query.dto.js';
import { LIMITS } from './graph/graph-limits.js';
import { SNAPSHOT_SCHEMAS } from './graph/secure-score.schema.js';
import { SnapshotHistoryQueryDto } from './dto/snapshot-history-query.dto.js';
import { INGEST_RESULT_SCHEMA, SNAPSHOT_SCHEMA } from './secure-scores.responses.js';
import { SecureScoresService } from './secure-scores.service.js';

/**
 * The body as published: the validator's own schemas, so the documented limits (maxItems,
 * maxLength, ranges) are the enforced ones. Graph types are open: other members are kept.
 */
const GRAPH_SNAPSHOT = toOpenApiSchema(SNAPSHOT_SCHEMAS['graph-v1']) as Record<string, unknown>;
type BodySchema = Extract<Parameters<typeof ApiBody>[0], { schema: unknown }>['schema'];
const INGEST_BODY_SCHEMA = {
  oneOf: [
    {
      ...GRAPH_SNAPSHOT,
      description: 'One Graph secureScore (the 2018 beta shape names averageScoreByScopes)',
    },
    graphListEnvelope(GRAPH_SNAPSHOT, LIMITS.snapshots),
    {
      type: 'array',
      description: 'Snapshots as an array, e.g. 2017 Office 365 report rows',
      minItems: 1,
      maxItems: LIMITS.snapshots,
      items: toOpenApiSchema(SNAPSHOT_SCHEMAS['o365-report-2017']),
    },
  ],
} as unknown as BodySchema;

@ApiTags('secure scores')
@ApiBearerAuth()
@Roles('partner', 'underwriter', 'admin')
@Controller('v1')
export class SecureScoresController {
  constructor(private readonly secureScores: SecureScoresService) {}

  /** One `secureScore`, a Graph list envelope `{value: [...]}`, or a legacy (2018, 2017) shape. */
  @Post('secure-scores')
  @ApiBody({ schema: INGEST_BODY_SCHEMA })
  @ApiJsonResponse({
    status: 201,
    description:
      'At least one snapshot was stored. Each snapshot lists `warnings`: controls accepted but not in the control catalog (`UNKNOWN_CONTROL`) or deprecated in it (`DEPRECATED_CONTROL`), each with the pointer of its control score',
    schema: INGEST_RESULT_SCHEMA,
    headers: { 'Idempotent-Replayed': { description: '`true` on a replay of an Idempotency-Key' } },
  })
  @ApiResponse({
    status: 422,
    description:
      'Invalid payload, or a snapshot older than SNAPSHOT_MAX_AGE_DAYS (90) whole days without `?backfill=true`',
  })
  @ApiJsonResponse({
    status: 200,
    description: 'Every snapshot was already stored (`duplicate: true`), or a replay',
    schema: INGEST_RESULT_SCHEMA,
    headers: { 'Idempotent-Replayed': { description: '`true` on a replay of an Idempotency-Key' } },
  })
  @ApiHeader(IDEMPOTENCY_KEY_HEADER)
  async ingest(
    @CurrentPrincipal() principal: Principal,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Query() query: IngestQueryDto,
    @Req() request: FastifyRequest & RequestWithBodyBytes,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const key = validateIdempotencyKey(idempotencyKey);
    // The JSON parser leaves this route's body as bytes (DEFERRED_JSON_ROUTES): an ingest thread
    // decodes and parses them, strictly, with the rest of the CPU work. No body is an empty one.
    const body = request.bodyBytes ?? Buffer.alloc(0);
    const result = await this.secureScores.ingest(principal, {
      // Hashed before the bytes move to the thread.
      bodySha256: key === null ? '' : sha256Hex(body),
      body,
      idempotencyKey: key,
      backfill: query.backfill === 'true',
    });
    void reply.status(result.status);
    if (result.replayed) void reply.header('idempotent-replayed', 'true');
    return result.body;
  }

  @Get('client-tenants/:id/secure-scores')
  @ApiJsonResponse({
    status: 200,
    description: 'Snapshots, newest first',
    schema: pageOf(SNAPSHOT_SCHEMA),
  })
  history(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Query() query: SnapshotHistoryQueryDto,
  ) {
    return this.secureScores.history(principal, id, {
      limit: query.limit,
      cursor: query.cursor,
      includeControls: query.include === 'controls',
    });
  }
}
