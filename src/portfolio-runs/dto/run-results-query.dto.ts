import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { PageQueryDto } from '../../common/dto/page-query.dto.js';

export class RunResultsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    enum: ['json', 'csv'],
    default: 'json',
    description: 'csv streams every result',
  })
  @IsOptional()
  @IsIn(['json', 'csv'])
  format?: 'json' | 'csv';

  @ApiPropertyOptional({
    enum: ['true', 'false'],
    default: 'false',
    description:
      'With format=csv: export the results so far of a run still queued or running (without it, a 409)',
  })
  @IsOptional()
  @IsIn(['true', 'false'])
  partial?: 'true' | 'false';
}
