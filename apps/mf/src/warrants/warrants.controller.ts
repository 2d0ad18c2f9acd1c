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
  Query,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import { CurrentUser, Roles } from '../auth/decorators';
import { actorOf, Principal } from '../auth/roles';
import { AuditRead } from '../http/audited.decorator';
import { CreateWarrantDto, RejectDto, UpdateWarrantDto, WarrantListQuery } from './warrant.dto';
import { ChangedBy, WarrantService } from './warrant.service';
import { WarrantPage, WarrantView, warrantView } from './warrant.view';

const by = (p: Principal): ChangedBy => ({ user: p.name, actor: actorOf(p) });
const uuid = new ParseUUIDPipe();
const readable = (p: Principal, w: Parameters<typeof warrantView>[0]) =>
  warrantView(w, p.role === 'auditor');

/**
 * Warrant provisioning. Operators and supervisors provision; only supervisors approve
 * (four-eyes); auditors read metadata (no target identities or XIDs).
 */
@ApiTags('warrants')
@ApiBearerAuth()
@Controller('api/v1/warrants')
export class WarrantsController {
  constructor(private readonly warrants: WarrantService) {}

  @Get()
  @Roles('operator', 'supervisor', 'auditor')
  @ApiOkResponse({ type: WarrantPage })
  @AuditRead('warrant.list', (req, r) => ({
    // the filter identity itself stays out of the log, like target identities everywhere
    details: {
      query: { ...req.query, target: req.query.target === undefined ? undefined : '(given)' },
      returned: (r as WarrantPage).items.length,
    },
  }))
  async list(@Query() q: WarrantListQuery, @CurrentUser() me: Principal): Promise<WarrantPage> {
    const page = await this.warrants.list(q);
    return { ...page, items: page.items.map((w) => readable(me, w)) };
  }

  @Get(':id')
  @Roles('operator', 'supervisor', 'auditor')
  @ApiOkResponse({ type: WarrantView })
  @AuditRead('warrant.read', (_, r) => ({
    object: `warrant/${(r as WarrantView).id}`,
    liid: (r as WarrantView).liid,
  }))
  async get(@Param('id', uuid) id: string, @CurrentUser() me: Principal): Promise<WarrantView> {
    return readable(me, await this.warrants.get(id));
  }

  @Post()
  @Roles('operator', 'supervisor')
  @ApiConflictResponse({ description: 'LIID or XID already in use' })
  async create(@Body() dto: CreateWarrantDto, @CurrentUser() me: Principal): Promise<WarrantView> {
    return warrantView(await this.warrants.create(dto, by(me)));
  }

  @Patch(':id')
  @Roles('operator', 'supervisor')
  @ApiConflictResponse({ description: 'not a draft' })
  async update(
    @Param('id', uuid) id: string,
    @Body() dto: UpdateWarrantDto,
    @CurrentUser() me: Principal,
  ): Promise<WarrantView> {
    return warrantView(await this.warrants.update(id, dto, by(me)));
  }

  /** Requests activation: draft → pending_approval. A different supervisor must approve. */
  @Post(':id/activate')
  @Roles('operator', 'supervisor')
  @HttpCode(200)
  async activate(
    @Param('id', uuid) id: string,
    @CurrentUser() me: Principal,
  ): Promise<WarrantView> {
    return warrantView(await this.warrants.requestActivation(id, by(me)));
  }

  @Post(':id/approve')
  @Roles('supervisor')
  @HttpCode(200)
  @ApiForbiddenResponse({ description: 'four-eyes: approver is the requester or creator' })
  async approve(@Param('id', uuid) id: string, @CurrentUser() me: Principal): Promise<WarrantView> {
    return warrantView(await this.warrants.approve(id, by(me)));
  }

  @Post(':id/reject')
  @Roles('supervisor')
  @HttpCode(200)
  async reject(
    @Param('id', uuid) id: string,
    @Body() dto: RejectDto,
    @CurrentUser() me: Principal,
  ): Promise<WarrantView> {
    return warrantView(await this.warrants.reject(id, dto.reason, by(me)));
  }

  @Post(':id/suspend')
  @Roles('operator', 'supervisor')
  @HttpCode(200)
  async suspend(@Param('id', uuid) id: string, @CurrentUser() me: Principal): Promise<WarrantView> {
    return warrantView(await this.warrants.suspend(id, by(me)));
  }

  @Post(':id/resume')
  @Roles('operator', 'supervisor')
  @HttpCode(200)
  async resume(@Param('id', uuid) id: string, @CurrentUser() me: Principal): Promise<WarrantView> {
    return warrantView(await this.warrants.resume(id, by(me)));
  }

  @Post(':id/deactivate')
  @Roles('operator', 'supervisor')
  @HttpCode(200)
  async deactivate(
    @Param('id', uuid) id: string,
    @CurrentUser() me: Principal,
  ): Promise<WarrantView> {
    return warrantView(await this.warrants.deactivate(id, by(me)));
  }

  @Delete(':id')
  @Roles('operator', 'supervisor')
  @HttpCode(204)
  @ApiNoContentResponse()
  async remove(@Param('id', uuid) id: string, @CurrentUser() me: Principal): Promise<void> {
    await this.warrants.remove(id, by(me));
  }
}
