import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import { CurrentUser, Roles } from '../auth/decorators';
import { actorOf, Principal } from '../auth/roles';
import { AuditRead } from '../http/audited.decorator';
import { CreateDestinationDto, DestinationView, UpdateDestinationDto } from './destination.dto';
import { DestinationsService } from './destinations.service';

const uuid = new ParseUUIDPipe();

/**
 * LEA destinations. Admins manage them; operators, supervisors and auditors may read them
 * (warrants refer to destinations by id). The FTPS password is write-only.
 */
@ApiTags('destinations')
@ApiBearerAuth()
@Controller('api/v1/destinations')
export class DestinationsController {
  constructor(private readonly destinations: DestinationsService) {}

  @Get()
  @Roles('admin', 'operator', 'supervisor', 'auditor')
  @ApiOkResponse({ type: [DestinationView] })
  @AuditRead('destination.list')
  list(): Promise<DestinationView[]> {
    return this.destinations.list();
  }

  @Get(':id')
  @Roles('admin', 'operator', 'supervisor', 'auditor')
  @ApiOkResponse({ type: DestinationView })
  @AuditRead('destination.read', (req) => ({ object: `destination/${String(req.params.id)}` }))
  get(@Param('id', uuid) id: string): Promise<DestinationView> {
    return this.destinations.get(id);
  }

  @Post()
  @Roles('admin')
  @ApiConflictResponse({ description: 'name already used' })
  create(
    @Body() dto: CreateDestinationDto,
    @CurrentUser() me: Principal,
  ): Promise<DestinationView> {
    return this.destinations.create(dto, actorOf(me));
  }

  @Patch(':id')
  @Roles('admin')
  update(
    @Param('id', uuid) id: string,
    @Body() dto: UpdateDestinationDto,
    @CurrentUser() me: Principal,
  ): Promise<DestinationView> {
    return this.destinations.update(id, dto, actorOf(me));
  }

  @Delete(':id')
  @Roles('admin')
  @HttpCode(204)
  @ApiNoContentResponse()
  @ApiConflictResponse({ description: 'used by a warrant' })
  async remove(@Param('id', uuid) id: string, @CurrentUser() me: Principal): Promise<void> {
    await this.destinations.remove(id, actorOf(me));
  }
}
