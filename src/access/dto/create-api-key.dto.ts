import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { IsInstant } from '../../common/instant.validator.js';
import { ROLES, type Role } from '../roles.js';

export class CreateApiKeyDto {
  @ApiProperty({ example: 'northwind ingestion', minLength: 1, maxLength: 200 })
  @IsString()
  // Blank (empty included) is one violation, not a length and a blank one.
  @MaxLength(200)
  @Matches(/\S/, { message: 'name must not be blank' })
  name: string;

  @ApiProperty({ enum: ROLES })
  @IsIn(ROLES)
  role: Role;

  @ApiPropertyOptional({ format: 'uuid', description: 'Required for, and only for, role partner' })
  @IsOptional()
  @IsUUID()
  partnerId?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'When the key stops working' })
  @IsOptional()
  @IsInstant({ future: true })
  expiresAt?: string;
}
