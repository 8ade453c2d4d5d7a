import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, IsUUID, Length, Matches, ValidateIf } from 'class-validator';
import { PageQueryDto } from '../../common/dto/page-query.dto.js';
import { INDUSTRY_SLUG } from '../../common/identifiers.js';

export class ListClientTenantsQueryDto extends PageQueryDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 128)
  azureTenantId?: string;

  @ApiPropertyOptional({ example: 'healthcare' })
  @IsOptional()
  @Matches(INDUSTRY_SLUG, { message: 'industry must be a lowercase slug' })
  industry?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  partnerId?: string;
}

export class UpdateClientTenantDto {
  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 200 })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsString()
  @Length(1, 200)
  @Matches(/\S/, { message: 'name must not be blank' })
  name?: string | null;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: 'healthcare',
    description: 'A lowercase slug',
  })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @Matches(INDUSTRY_SLUG, {
    message: 'industry must be a lowercase slug like "financial-services"',
  })
  industry?: string | null;

  @ApiPropertyOptional({
    type: String,
    format: 'uuid',
    nullable: true,
    description:
      "Admins only: move the client tenant to another partner (a change of broker), or to none (null: the insurer's own); its whole history goes with it. Others may send only its current value",
  })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsUUID()
  partnerId?: string | null;
}
