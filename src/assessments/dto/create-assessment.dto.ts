import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsObject, IsOptional, IsUUID, Matches, ValidateIf, ValidateNested } from 'class-validator';
import {
  TABLE_NAME_PATTERN,
  TABLE_VERSION_PATTERN,
  TABLE_VERSION_RULE,
} from '../../common/identifiers.js';
import { IsInstant } from '../../common/instant.validator.js';

export class TableReferenceDto {
  @ApiProperty({ example: 'sme-cyber' })
  @Matches(TABLE_NAME_PATTERN, { message: 'name must be a weighting table name' })
  name: string;

  @ApiPropertyOptional({
    example: '2027.1',
    description: 'Without it: the version in force at asOf',
  })
  // Absent means the version in force; null is no version name (IsOptional would let it by).
  @ValidateIf((_, value) => value !== undefined)
  @Matches(TABLE_VERSION_PATTERN, {
    message: `version must be ${TABLE_VERSION_RULE}`,
  })
  version?: string;
}

export class CreateAssessmentDto {
  @ApiPropertyOptional({
    format: 'date-time',
    description: 'With its time zone (Z or ±HH:MM). Default: now',
  })
  @IsOptional()
  @IsInstant()
  asOf?: string;

  @ApiPropertyOptional({
    type: TableReferenceDto,
    description: 'Default: the one table name with a version in force',
  })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => TableReferenceDto)
  table?: TableReferenceDto;

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'Default: the latest snapshot at or before asOf',
  })
  @IsOptional()
  @IsUUID()
  snapshotId?: string;
}
