import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Patch,
  Post,
  Put,
  Query,
  Res,
} from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentPrincipal, Roles } from '../access/access.decorators.js';
import type { Principal } from '../access/roles.js';
import { PageQueryDto } from '../common/dto/page-query.dto.js';
import { toOpenApiSchema } from '../common/openapi-schema.js';
import { ApiEmptyResponse, ApiJsonResponse, pageOf } from '../common/response-schemas.js';
import {
  TABLE_DIFF_SCHEMA,
  TABLE_DOCUMENT_SCHEMA,
  TABLE_NAME_SCHEMA,
  TABLE_VERSION_SCHEMA,
  TABLE_VERSION_SUMMARY_SCHEMA,
} from './weighting-tables.responses.js';
import { PublishTableVersionDto } from './dto/publish-table-version.dto.js';
import { WeightingTablesService } from './weighting-tables.service.js';

const DOCUMENT_BODY = {
  description: 'A weighting table document (rating-spec.md §1), as JSON or YAML',
  schema: toOpenApiSchema(TABLE_DOCUMENT_SCHEMA) as Record<string, unknown>,
};

/** Reads are open to every role; drafting and publishing are for actuaries and admins. */
@ApiTags('weighting tables')
@ApiBearerAuth()
@Controller('v1/weighting-tables')
export class WeightingTablesController {
  constructor(private readonly tables: WeightingTablesService) {}

  @Post()
  @HttpCode(201)
  @Roles('actuary', 'admin')
  @ApiConsumes('application/json', 'application/yaml')
  @ApiBody(DOCUMENT_BODY)
  @ApiJsonResponse({
    status: 201,
    description: 'The draft version',
    schema: TABLE_VERSION_SCHEMA,
    headers: {
      Location: { description: 'The version: `/v1/weighting-tables/{name}/versions/{version}`' },
    },
  })
  async create(
    @CurrentPrincipal() principal: Principal,
    @Body() body: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const created = await this.tables.create(principal, body);
    void reply.header('location', tableVersionPath(created.name, created.version));
    return created;
  }

  @Get()
  @ApiJsonResponse({
    status: 200,
    description: 'Table names, each with its versions',
    schema: pageOf(TABLE_NAME_SCHEMA),
  })
  listNames(@Query() query: PageQueryDto) {
    return this.tables.listNames(query);
  }

  @Get(':name/versions')
  @ApiJsonResponse({
    status: 200,
    description: 'Versions by effectiveFrom, without their documents',
    schema: pageOf(TABLE_VERSION_SUMMARY_SCHEMA),
  })
  listVersions(@Param('name') name: string, @Query() query: PageQueryDto) {
    return this.tables.listVersions(name, query);
  }

  @Get(':name/versions/:version')
  @ApiJsonResponse({ status: 200, description: 'The version', schema: TABLE_VERSION_SCHEMA })
  get(@Param('name') name: string, @Param('version') version: string) {
    return this.tables.get(name, version);
  }

  /** Replaces a draft's document; a published version answers 409 `table-immutable`. */
  @Put(':name/versions/:version')
  @Roles('actuary', 'admin')
  @ApiConsumes('application/json', 'application/yaml')
  @ApiBody(DOCUMENT_BODY)
  @ApiJsonResponse({ status: 200, description: 'The replaced draft', schema: TABLE_VERSION_SCHEMA })
  replace(
    @CurrentPrincipal() principal: Principal,
    @Param('name') name: string,
    @Param('version') version: string,
    @Body() body: unknown,
  ) {
    return this.tables.replace(principal, name, version, body);
  }

  /** An RFC 7396 merge patch of a draft's document; a published version answers 409. */
  @Patch(':name/versions/:version')
  @Roles('actuary', 'admin')
  @ApiConsumes('application/merge-patch+json', 'application/json')
  @ApiBody({ schema: { type: 'object', additionalProperties: true } })
  @ApiJsonResponse({ status: 200, description: 'The patched draft', schema: TABLE_VERSION_SCHEMA })
  patch(
    @CurrentPrincipal() principal: Principal,
    @Param('name') name: string,
    @Param('version') version: string,
    @Body() body: unknown,
  ) {
    return this.tables.patch(principal, name, version, body);
  }

  @Delete(':name/versions/:version')
  @HttpCode(204)
  @ApiEmptyResponse(204, 'The draft is deleted; its version is never reused')
  @Roles('actuary', 'admin')
  async remove(
    @CurrentPrincipal() principal: Principal,
    @Param('name') name: string,
    @Param('version') version: string,
  ): Promise<void> {
    await this.tables.remove(principal, name, version);
  }

  @Post(':name/versions/:version/publish')
  @HttpCode(200)
  @Roles('actuary', 'admin')
  @ApiJsonResponse({
    status: 200,
    description: 'The published version',
    schema: TABLE_VERSION_SCHEMA,
  })
  publish(
    @CurrentPrincipal() principal: Principal,
    @Param('name') name: string,
    @Param('version') version: string,
    @Body() body: PublishTableVersionDto,
  ) {
    return this.tables.publish(principal, name, version, {
      // A member given as null is absent, as everywhere.
      supersedes: body?.supersedes ?? undefined,
    });
  }

  /** One entry per changed weight, tier, gate and modifier from version `a` to version `b`. */
  @Get(':name/versions/:a/diff/:b')
  @ApiJsonResponse({ status: 200, description: 'The changes', schema: TABLE_DIFF_SCHEMA })
  diff(@Param('name') name: string, @Param('a') a: string, @Param('b') b: string) {
    return this.tables.diff(name, a, b);
  }
}

export function tableVersionPath(name: string, version: string): string {
  return `/v1/weighting-tables/${encodeURIComponent(name)}/versions/${encodeURIComponent(version)}`;
}
