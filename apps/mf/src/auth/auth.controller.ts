import {
  Body,
  Controller,
  Get,
  HttpCode,
  Post,
  Req,
  UnauthorizedException,
  UseGuards,
} from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags, ApiTooManyRequestsResponse } from '@nestjs/swagger';
import { ThrottlerGuard } from '@nestjs/throttler';
import { AuditService } from '../audit/audit.service';
import { ApiRequest, clientIp, markAudited } from '../http/api-request';
import { AuditRead } from '../http/audited.decorator';
import { LoginDto, TokenResponse } from './auth.dto';
import { CurrentUser, Public, Roles } from './decorators';
import { actorOf, Principal, ROLES } from './roles';
import { TokenService } from './token.service';
import { UsersService } from './users.service';

/** Password login (rate-limited) and "who am I". */
@ApiTags('auth')
@Controller('api/v1/auth')
export class AuthController {
  constructor(
    private readonly users: UsersService,
    private readonly tokens: TokenService,
    private readonly audit: AuditService,
  ) {}

  /** Exchanges name and password for a bearer token; every attempt is audited. */
  @Post('login')
  @Public()
  @UseGuards(ThrottlerGuard)
  @HttpCode(200)
  @ApiOkResponse({ type: TokenResponse })
  @ApiTooManyRequestsResponse({ description: 'AUTH_LOGIN_RATE_LIMIT exceeded' })
  async login(@Body() dto: LoginDto, @Req() req: ApiRequest): Promise<TokenResponse> {
    const user = await this.users.checkPassword(dto.name, dto.password);
    const base = { action: 'auth.login', object: `user/${dto.name}`.slice(0, 300) };
    if (!user) {
      await this.audit.append({
        ...base,
        actor: 'anonymous',
        outcome: 'denied',
        details: { method: 'password', reason: 'bad credentials', ip: clientIp(req) },
      });
      markAudited(req);
      throw new UnauthorizedException('invalid name or password');
    }
    await this.audit.append({
      ...base,
      actor: actorOf(user),
      outcome: 'success',
      details: { method: 'password', ip: clientIp(req) },
    });
    return {
      accessToken: this.tokens.issue({ sub: user.id, name: user.name, role: user.role }),
      tokenType: 'Bearer',
      expiresIn: this.tokens.ttlSeconds,
      role: user.role,
    };
  }

  @Get('me')
  @Roles(...ROLES)
  @ApiBearerAuth()
  @AuditRead('auth.whoami')
  me(@CurrentUser() user: Principal): { name: string; role: string; via: string } {
    return { name: user.name, role: user.role, via: user.via };
  }
}
