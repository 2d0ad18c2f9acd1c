import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ThrottlerModule } from '@nestjs/throttler';
import { MF_CONFIG } from '../config/config.module';
import { MfConfig } from '../config/mf-config';
import { ApiAuthGuard } from './api-auth.guard';
import { AuthController } from './auth.controller';
import { JwtStrategy } from './jwt.strategy';
import { PasswordHasher } from './password-hasher';
import { TokenService } from './token.service';
import { UserEntity } from './user.entity';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';

/** Users and passwords; shared by the HTTP app and the `npm run user` CLI. */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([UserEntity])],
  providers: [PasswordHasher, UsersService],
  exports: [PasswordHasher, UsersService],
})
export class UsersModule {}

/** The deny-by-default guard (global) and bearer tokens; loaded on every HTTP instance. */
@Module({
  imports: [PassportModule],
  providers: [TokenService, JwtStrategy, { provide: APP_GUARD, useClass: ApiAuthGuard }],
  exports: [TokenService],
})
export class AuthModule {}

/** Login, who-am-I and user administration routes (MF_ROLES includes `api`). */
@Module({
  imports: [
    AuthModule,
    ThrottlerModule.forRootAsync({
      inject: [MF_CONFIG],
      useFactory: (c: MfConfig) => ({
        throttlers: [
          { name: 'login', ttl: c.AUTH_LOGIN_RATE_WINDOW_MS, limit: c.AUTH_LOGIN_RATE_LIMIT },
        ],
      }),
    }),
  ],
  controllers: [AuthController, UsersController],
})
export class AuthApiModule {}
