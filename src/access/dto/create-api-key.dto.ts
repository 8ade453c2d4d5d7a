import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, Length } from 'class-validator';
import { IsInstant } from '../../common/instant.validator.js';
import { ROLES, type Role } from '../roles.js';

export class CreateApiKeyDto {
  @ApiProperty({ example: 'northwind ingestion', minLength: 1, maxLength: 200 })
  @IsString()
  @Length(1, 200)
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
