import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, Matches } from 'class-validator';
import { PageQueryDto } from '../../common/dto/page-query.dto.js';
import { TABLE_NAME_PATTERN } from '../../common/identifiers.js';
import { PORTFOLIO_RUN_STATUSES, type PortfolioRunStatus } from '../portfolio-run.entity.js';

/** `GET /v1/portfolio-runs`: newest first, by status and table name. */
export class RunListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: [...PORTFOLIO_RUN_STATUSES] })
  @IsOptional()
  @IsIn([...PORTFOLIO_RUN_STATUSES])
  status?: PortfolioRunStatus;

  @ApiPropertyOptional({ example: 'sme-cyber', description: 'Runs on any version of this table' })
  @IsOptional()
  @Matches(TABLE_NAME_PATTERN, { message: 'table must be a weighting table name' })
  table?: string;
}
