import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';

export class IngestQueryDto {
  @ApiPropertyOptional({
    enum: ['true', 'false'],
    description:
      'Loading history: lifts the snapshot age limit (SNAPSHOT_MAX_AGE_DAYS, 90 by default). Recorded in the audit log.',
  })
  @IsOptional()
  @IsIn(['true', 'false'])
  backfill?: 'true' | 'false';
}
