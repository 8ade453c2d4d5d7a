import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches } from 'class-validator';
import { TABLE_VERSION_PATTERN, TABLE_VERSION_RULE } from '../../common/identifiers.js';

/** `POST .../publish`: nothing, or the published version this one supersedes. */
export class PublishTableVersionDto {
  @ApiPropertyOptional({
    type: String,
    example: '2027.1',
    description:
      'A published version of the same table, in force on the day this one begins: it is superseded from that day (its document and interval stay as published). The day must not have begun yet (UTC)',
  })
  @IsOptional()
  @IsString()
  @Matches(TABLE_VERSION_PATTERN, { message: `supersedes must be ${TABLE_VERSION_RULE}` })
  supersedes?: string;
}
