import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsBoolean,
  IsIn,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  MinLength,
  ValidateIf,
} from 'class-validator';
import { IsOmittable } from '../http/optional';
import { USER_NAME_PATTERN } from '../config/mf-config';
import { ROLES, Role } from './roles';

/** Passwords: 12..1024 characters (NIST SP 800-63B §5.1.1.2 asks for at least 8). */
export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 1024;

export class LoginDto {
  @ApiProperty({ example: 'alice' })
  @IsString()
  @MaxLength(64)
  name!: string;

  @ApiProperty({ format: 'password' })
  @IsString()
  @MaxLength(PASSWORD_MAX)
  password!: string;
}

export class TokenResponse {
  @ApiProperty() accessToken!: string;
  @ApiProperty({ example: 'Bearer' }) tokenType!: 'Bearer';
  @ApiProperty({ description: 'seconds' }) expiresIn!: number;
  @ApiProperty({ enum: ROLES }) role!: Role;
}

export class CreateUserDto {
  @ApiProperty({ example: 'bob' })
  @Matches(USER_NAME_PATTERN, { message: 'name: letters, digits, ".", "_", "-"; 1..64' })
  name!: string;

  @ApiProperty({ enum: ROLES })
  @IsIn(ROLES)
  role!: Role;

  @ApiPropertyOptional({ format: 'password', description: 'omit for a certificate-only user' })
  @IsOptional()
  @IsString()
  @MinLength(PASSWORD_MIN)
  @MaxLength(PASSWORD_MAX)
  password?: string;
}

export class UpdateUserDto {
  @ApiPropertyOptional({ enum: ROLES })
  @IsOmittable()
  @IsIn(ROLES)
  role?: Role;

  @ApiPropertyOptional()
  @IsOmittable()
  @IsBoolean()
  enabled?: boolean;

  @ApiPropertyOptional({ format: 'password', nullable: true, description: 'null removes it' })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsString()
  @MinLength(PASSWORD_MIN)
  @MaxLength(PASSWORD_MAX)
  password?: string | null;
}
