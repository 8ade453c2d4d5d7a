import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** OpenAPI description of `POST /v1/rate`; the body itself is checked by `parseRateRequest`. */
export class RateRequestDto {
  @ApiProperty({
    description:
      'One Microsoft Graph secureScore (or an envelope or legacy shape holding exactly one)',
    type: 'object',
    additionalProperties: true,
  })
  snapshot: Record<string, unknown>;

  @ApiProperty({
    description:
      '{name, version?}: the published version in force at asOf, or exactly the version named ' +
      '(a draft only for actuaries and admins); or a whole table document, rated as written',
    type: 'object',
    additionalProperties: true,
    example: { name: 'sme-cyber' },
  })
  table: Record<string, unknown>;

  @ApiPropertyOptional({ format: 'date-time', description: 'Default: now' })
  asOf?: string;

  @ApiPropertyOptional({ type: String, example: 'healthcare', nullable: true })
  industry?: string | null;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: {
      type: 'string',
      enum: ['Default', 'Ignored', 'ThirdParty', 'Reviewed'],
    },
    example: { AdminMFAV2: 'ThirdParty' },
  })
  controlStates?: Record<string, string>;
}
