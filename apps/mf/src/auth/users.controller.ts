import { Body, Controller, Get, Param, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { AuditRead } from '../http/audited.decorator';
import { CreateUserDto, UpdateUserDto } from './auth.dto';
import { CurrentUser, Roles } from './decorators';
import { actorOf, Principal } from './roles';
import { UsersService, UserView } from './users.service';

/** User administration (admin only). Users are disabled, never deleted. */
@ApiTags('users')
@ApiBearerAuth()
@Roles('admin')
@Controller('api/v1/users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @AuditRead('user.list')
  list(): Promise<UserView[]> {
    return this.users.list();
  }

  @Get(':name')
  @AuditRead('user.read', (req) => ({ object: `user/${String(req.params.name)}` }))
  get(@Param('name') name: string): Promise<UserView> {
    return this.users.get(name);
  }

  @Post()
  create(@Body() dto: CreateUserDto, @CurrentUser() me: Principal): Promise<UserView> {
    return this.users.create(
      { name: dto.name, role: dto.role, password: dto.password ?? null },
      actorOf(me),
    );
  }

  @Patch(':name')
  update(
    @Param('name') name: string,
    @Body() dto: UpdateUserDto,
    @CurrentUser() me: Principal,
  ): Promise<UserView> {
    return this.users.update(name, dto, actorOf(me));
  }
}
