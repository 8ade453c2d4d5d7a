import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { PageQueryDto } from '../../common/dto/page-query.dto.js';

export class SnapshotHistoryQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: ['controls'], description: "Add each snapshot's control scores" })
  @IsOptional()
  @IsIn(['controls'])
  include?: 'controls';
}
