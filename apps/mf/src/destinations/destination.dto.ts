import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import type { LeaTransport } from '../handover/lea-destination.entity';
import { IsOmittable } from '../http/optional';

export const TRANSPORTS: readonly LeaTransport[] = ['ftps', 'tls'];
const NAME = /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,99}$/;
/** DNS name (RFC 1123 labels) or IPv4 / IPv6 literal. */
const HOST =
  /^(?:(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?|[0-9A-Fa-f:.]+)$/;
/** A file path on the MF host: printable characters (no NUL or other control characters). */
const PATH = /^[^\p{Cc}]{1,1024}$/u;

/** Non-secret transport settings (LeaDestinationSettings). */
export class DestinationSettingsDto {
  @ApiProperty({ description: 'CA file that verifies the LEA server certificate' })
  @Matches(PATH, { message: 'caFile must be a file path' })
  caFile!: string;

  @ApiPropertyOptional({ description: 'our client certificate (PEM file)' })
  @IsOptional()
  @Matches(PATH, { message: 'certFile must be a file path' })
  certFile?: string;

  @ApiPropertyOptional({ description: 'our client key (PEM file)' })
  @IsOptional()
  @Matches(PATH, { message: 'keyFile must be a file path' })
  keyFile?: string;

  @ApiPropertyOptional({ description: 'FTPS user' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  user?: string;

  @ApiPropertyOptional({ description: 'FTPS directory for IRI files' })
  @IsOptional()
  @Matches(PATH, { message: 'directory must be a path' })
  directory?: string;
}

export class CreateDestinationDto {
  @ApiProperty({ example: 'LEA-1 FTPS' })
  @Matches(NAME, { message: 'name: 1..100 of letters, digits, space . _ -' })
  name!: string;

  @ApiProperty({ enum: TRANSPORTS })
  @IsIn(TRANSPORTS)
  transport!: LeaTransport;

  @ApiProperty({ example: 'lemf.lea.example' })
  @MaxLength(255)
  @Matches(HOST, { message: 'host must be a DNS name or an IP address' })
  host!: string;

  @ApiProperty({ example: 990 })
  @IsInt()
  @Min(1)
  @Max(65535)
  port!: number;

  @ApiProperty({ type: DestinationSettingsDto })
  @ValidateNested()
  @Type(() => DestinationSettingsDto)
  settings!: DestinationSettingsDto;

  @ApiPropertyOptional({
    format: 'password',
    description: 'FTPS password; stored encrypted, never returned',
  })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  password?: string;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}

export class UpdateDestinationDto {
  @ApiPropertyOptional()
  @IsOmittable()
  @Matches(NAME, { message: 'name: 1..100 of letters, digits, space . _ -' })
  name?: string;

  @ApiPropertyOptional({ enum: TRANSPORTS })
  @IsOmittable()
  @IsIn(TRANSPORTS)
  transport?: LeaTransport;

  @ApiPropertyOptional()
  @IsOmittable()
  @MaxLength(255)
  @Matches(HOST, { message: 'host must be a DNS name or an IP address' })
  host?: string;

  @ApiPropertyOptional()
  @IsOmittable()
  @IsInt()
  @Min(1)
  @Max(65535)
  port?: number;

  @ApiPropertyOptional({ type: DestinationSettingsDto, description: 'replaces all settings' })
  @IsOmittable()
  @ValidateNested()
  @Type(() => DestinationSettingsDto)
  settings?: DestinationSettingsDto;

  @ApiPropertyOptional({ format: 'password', nullable: true, description: 'null removes it' })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  password?: string | null;

  @ApiPropertyOptional()
  @IsOmittable()
  @IsBoolean()
  enabled?: boolean;
}

export class DestinationView {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: TRANSPORTS }) transport!: LeaTransport;
  @ApiProperty() host!: string;
  @ApiProperty() port!: number;
  @ApiProperty({ type: DestinationSettingsDto }) settings!: DestinationSettingsDto;
  @ApiProperty({ description: 'an FTPS password is stored (it is never returned)' })
  hasPassword!: boolean;
  @ApiProperty() enabled!: boolean;
  @ApiProperty({ description: 'number of warrants that deliver to it' }) warrants!: number;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
}
