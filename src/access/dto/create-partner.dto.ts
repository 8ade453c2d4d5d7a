import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches, MaxLength } from 'class-validator';

export class CreatePartnerDto {
  @ApiProperty({ example: 'Northwind Brokers', minLength: 1, maxLength: 200 })
  @IsString()
  // Blank (empty included) is one violation, not a length and a blank one.
  @MaxLength(200)
  @Matches(/\S/, { message: 'name must not be blank' })
  name: string;
}
