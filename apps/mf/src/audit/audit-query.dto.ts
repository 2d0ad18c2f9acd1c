import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import type { AuditOutcome } from './audit-chain';

export const OUTCOMES: readonly AuditOutcome[] = [
  'success',
  'failure',
  'denied',
  'dropped',
  'alarm',
];

/** Filters shared by the query and the export. Time range is [from, to). */
export class AuditFilterDto {
  @ApiPropertyOptional({ description: 'inclusive, ISO 8601 with offset' })
  @IsOptional()
  @IsISO8601({ strict: true, strictSeparator: true })
  from?: string;

  @ApiPropertyOptional({ description: 'exclusive, ISO 8601 with offset' })
  @IsOptional()
  @IsISO8601({ strict: true, strictSeparator: true })
  to?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(25)
  liid?: string;

  @ApiPropertyOptional({ example: 'user:alice' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  actor?: string;

  @ApiPropertyOptional({
    example: 'warrant.approve',
    description: 'exact, or a prefix ending in "*" (warrant.*)',
  })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  action?: string;

  @ApiPropertyOptional({ enum: OUTCOMES })
  @IsOptional()
  @IsIn(OUTCOMES)
  outcome?: AuditOutcome;
}

export class AuditQueryDto extends AuditFilterDto {
  @ApiPropertyOptional({ enum: ['asc', 'desc'], default: 'desc' })
  @IsOptional()
  @IsIn(['asc', 'desc'])
  order?: 'asc' | 'desc';

  @ApiPropertyOptional({ description: 'the nextCursor of the previous page' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  cursor?: number;

  @ApiPropertyOptional({ default: 100, maximum: 1000 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}

export class AuditExportDto extends AuditFilterDto {
  @ApiProperty({ enum: ['csv', 'json'] })
  @IsIn(['csv', 'json'])
  format!: 'csv' | 'json';
}

export class AuditEntryView {
  @ApiProperty() seq!: number;
  @ApiProperty() at!: string;
  @ApiProperty() actor!: string;
  @ApiProperty() action!: string;
  @ApiProperty({ nullable: true, type: String }) object!: string | null;
  @ApiProperty({ nullable: true, type: String }) liid!: string | null;
  @ApiProperty({ enum: OUTCOMES }) outcome!: AuditOutcome;
  @ApiProperty({ nullable: true, type: Object, description: 'parsed JSON details' })
  details!: unknown;
  @ApiProperty() prevHash!: string;
  @ApiProperty() hash!: string;
}

export class AuditPage {
  @ApiProperty({ type: [AuditEntryView] }) items!: AuditEntryView[];
  @ApiProperty({ nullable: true, type: Number, description: 'pass as cursor for the next page' })
  nextCursor!: number | null;
}

export class ChainBreakView {
  @ApiProperty() seq!: number;
  @ApiProperty({ enum: ['hash-mismatch', 'prev-hash-mismatch', 'sequence-gap'] }) reason!: string;
  @ApiProperty({ nullable: true, description: 'the stored entry at that seq, as found' })
  entry!: { at: string; actor: string; action: string; object: string | null } | null;
}

export class VerifyResult {
  @ApiProperty() ok!: boolean;
  @ApiProperty({ description: 'entries checked' }) checked!: number;
  @ApiProperty({ description: 'last seq checked (0 for an empty log)' }) lastSeq!: number;
  @ApiProperty({ description: 'hash of the last entry checked; keep it as an external anchor' })
  lastHash!: string;
  @ApiProperty({ type: ChainBreakView, nullable: true }) firstBreak!: ChainBreakView | null;
}
