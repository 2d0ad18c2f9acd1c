import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { IsOmittable } from '../http/optional';
import type { DeliveryMode, TargetKind, WarrantState } from './warrant.entity';

export const TARGET_KINDS: readonly TargetKind[] = ['sip', 'tel', 'impu', 'impi'];
export const DELIVERY_MODES: readonly DeliveryMode[] = ['keys', 'decrypted'];
export const WARRANT_STATES: readonly WarrantState[] = [
  'draft',
  'pending_approval',
  'active',
  'suspended',
  'ended',
];

/**
 * LIID: TS 101 671 LawfulInterceptionIdentifier is OCTET STRING (SIZE (1..25)). We accept
 * 1..25 ASCII letters, digits, `-` and `.` (choice): it also names HI2 files
 * (`<operatorId>_<LIID>_…`, ARCHITECTURE.md §4), where `_` is the separator.
 */
export const LIID_PATTERN = /^[A-Za-z0-9.-]{1,25}$/;
/** Date-time with an explicit UTC offset; stored as UTC. */
const DATE_TIME =
  /^(?:[2-9]\d{3})-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;
const DATE_TIME_MSG =
  'must be an ISO 8601 date-time with a UTC offset (e.g. 2026-01-01T00:00:00Z), year 2000..9999';

export class TargetDto {
  @ApiProperty({ enum: TARGET_KINDS })
  @IsIn(TARGET_KINDS)
  kind!: TargetKind;

  @ApiProperty({ example: 'sip:alice@ims.example' })
  @IsString()
  @MinLength(1)
  @MaxLength(300)
  value!: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'XID the NE uses on X2; assigned (UUID v4) at approval when omitted',
  })
  @IsOptional()
  @IsUUID('all')
  xid?: string;
}

/** Fields shared by create and update. */
class WarrantFieldsDto {
  @ApiProperty({ example: 'court order 2026/123' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  authorityRef!: string;

  @ApiProperty({ type: [TargetDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => TargetDto)
  targets!: TargetDto[];

  @ApiProperty({ example: '2026-01-01T00:00:00Z' })
  @Matches(DATE_TIME, { message: `validFrom ${DATE_TIME_MSG}` })
  @IsISO8601({ strict: true, strictSeparator: true })
  validFrom!: string;

  @ApiProperty({ example: '2026-03-31T23:59:59Z' })
  @Matches(DATE_TIME, { message: `validUntil ${DATE_TIME_MSG}` })
  @IsISO8601({ strict: true, strictSeparator: true })
  validUntil!: string;

  @ApiProperty({ enum: DELIVERY_MODES })
  @IsIn(DELIVERY_MODES)
  deliveryMode!: DeliveryMode;

  @ApiProperty({ type: [String], format: 'uuid', description: 'LEA destination ids' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10)
  @ArrayUnique()
  @IsUUID('all', { each: true })
  destinations!: string[];

  @ApiPropertyOptional({
    type: [String],
    description: 'TS 101 671 National-Parameters: SET SIZE (1..40) OF OCTET STRING (SIZE (1..256))',
  })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(40)
  @IsString({ each: true })
  @MinLength(1, { each: true })
  @MaxLength(256, { each: true })
  nationalParameters?: string[];
}

export class CreateWarrantDto extends WarrantFieldsDto {
  @ApiProperty({ example: 'LIID-0001', description: '1..25 of A-Z a-z 0-9 . -' })
  @Matches(LIID_PATTERN, { message: 'liid must be 1..25 of A-Z a-z 0-9 . -' })
  liid!: string;
}

/** PATCH: any subset of the fields; only a draft can be changed. */
export class UpdateWarrantDto {
  @ApiPropertyOptional()
  @IsOmittable()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  authorityRef?: string;

  @ApiPropertyOptional({ type: [TargetDto], description: 'replaces all targets' })
  @IsOmittable()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => TargetDto)
  targets?: TargetDto[];

  @ApiPropertyOptional()
  @IsOmittable()
  @Matches(DATE_TIME, { message: `validFrom ${DATE_TIME_MSG}` })
  @IsISO8601({ strict: true, strictSeparator: true })
  validFrom?: string;

  @ApiPropertyOptional()
  @IsOmittable()
  @Matches(DATE_TIME, { message: `validUntil ${DATE_TIME_MSG}` })
  @IsISO8601({ strict: true, strictSeparator: true })
  validUntil?: string;

  @ApiPropertyOptional({ enum: DELIVERY_MODES })
  @IsOmittable()
  @IsIn(DELIVERY_MODES)
  deliveryMode?: DeliveryMode;

  @ApiPropertyOptional({ type: [String], format: 'uuid' })
  @IsOmittable()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10)
  @ArrayUnique()
  @IsUUID('all', { each: true })
  destinations?: string[];

  @ApiPropertyOptional({ type: [String], nullable: true, description: 'null removes them' })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(40)
  @IsString({ each: true })
  @MinLength(1, { each: true })
  @MaxLength(256, { each: true })
  nationalParameters?: string[] | null;
}

export class WarrantListQuery {
  @ApiPropertyOptional({ enum: WARRANT_STATES })
  @IsOptional()
  @IsIn(WARRANT_STATES)
  state?: WarrantState;

  @ApiPropertyOptional()
  @IsOptional()
  @Matches(LIID_PATTERN, { message: 'liid must be 1..25 of A-Z a-z 0-9 . -' })
  liid?: string;

  @ApiPropertyOptional({
    description: 'a target identity (sip:, tel: URI or IMPI), matched after normalisation',
  })
  @IsOptional()
  @IsString()
  @MaxLength(300)
  target?: string;

  @ApiPropertyOptional({ description: 'user name of the creator' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  createdBy?: string;

  @ApiPropertyOptional({ default: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  offset?: number;

  @ApiPropertyOptional({ default: 50, maximum: 200 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;
}

export class RejectDto {
  @ApiProperty({ description: 'why the activation was refused' })
  @IsString()
  @MinLength(1)
  @MaxLength(500)
  reason!: string;
}
