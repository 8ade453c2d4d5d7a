import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsObject,
  IsOptional,
  IsUUID,
  Matches,
  ValidateNested,
} from 'class-validator';
import { TableReferenceDto } from '../../assessments/dto/create-assessment.dto.js';
import { INDUSTRY_SLUG } from '../../common/identifiers.js';
import { IsInstant } from '../../common/instant.validator.js';

export class PortfolioFilterDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  partnerId?: string;

  @ApiPropertyOptional({ example: 'healthcare' })
  @IsOptional()
  @Matches(INDUSTRY_SLUG, { message: 'industry must be a lowercase slug' })
  industry?: string;

  @ApiPropertyOptional({ type: [String], format: 'uuid' })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1, {
    message:
      'clientTenantIds must name at least one client tenant (leave it out for the whole book)',
  })
  @ArrayMaxSize(100_000)
  @IsUUID('all', { each: true })
  clientTenantIds?: string[];
}

export class CompareToDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Compare with the results of this run' })
  @IsOptional()
  @IsUUID()
  runId?: string;

  @ApiPropertyOptional({
    type: TableReferenceDto,
    description: 'Or rate the same book with this table version too',
  })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => TableReferenceDto)
  table?: TableReferenceDto;
}

export class CreatePortfolioRunDto {
  @ApiProperty({
    type: TableReferenceDto,
    description: 'A draft version makes an impact test: results only',
  })
  @IsObject()
  @ValidateNested()
  @Type(() => TableReferenceDto)
  table: TableReferenceDto;

  @ApiPropertyOptional({
    format: 'date-time',
    description: 'With its time zone (Z or ±HH:MM). Default: now',
  })
  @IsOptional()
  @IsInstant()
  asOf?: string;

  @ApiPropertyOptional({ type: PortfolioFilterDto })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => PortfolioFilterDto)
  filter?: PortfolioFilterDto;

  @ApiPropertyOptional({ type: CompareToDto })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => CompareToDto)
  compareTo?: CompareToDto;
}
