import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { DELIVERY_MODES, TARGET_KINDS, WARRANT_STATES } from './warrant.dto';
import type { DeliveryMode, TargetKind, WarrantEntity, WarrantState } from './warrant.entity';

export class TargetView {
  @ApiPropertyOptional({ description: 'absent in the auditor view' }) id?: string;
  @ApiProperty({ enum: TARGET_KINDS }) kind!: TargetKind;
  @ApiPropertyOptional({ description: 'absent in the auditor view' }) value?: string;
  @ApiPropertyOptional({ description: 'absent in the auditor view' }) normalized?: string;
  @ApiPropertyOptional({ nullable: true, description: 'absent in the auditor view' })
  xid?: string | null;
}

export class DestinationRef {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
}

export class WarrantView {
  @ApiProperty() id!: string;
  @ApiProperty() liid!: string;
  @ApiProperty() authorityRef!: string;
  @ApiProperty({ enum: WARRANT_STATES }) state!: WarrantState;
  @ApiProperty() validFrom!: string;
  @ApiProperty() validUntil!: string;
  @ApiProperty({ enum: DELIVERY_MODES }) deliveryMode!: DeliveryMode;
  @ApiProperty({ type: [String] }) nationalParameters!: string[];
  @ApiProperty({ type: [TargetView] }) targets!: TargetView[];
  @ApiProperty({ type: [DestinationRef] }) destinations!: DestinationRef[];
  @ApiProperty() createdBy!: string;
  @ApiProperty({ nullable: true, type: String }) activationRequestedBy!: string | null;
  @ApiProperty({ nullable: true, type: String }) approvedBy!: string | null;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
  @ApiProperty() version!: number;
}

export class WarrantPage {
  @ApiProperty({ type: [WarrantView] }) items!: WarrantView[];
  @ApiProperty() total!: number;
  @ApiProperty() offset!: number;
  @ApiProperty() limit!: number;
}

/**
 * API form of a warrant. `metadataOnly` (auditors) leaves out the target identities and
 * XIDs: auditors check who provisioned and approved what and when, not whom it targets.
 */
export function warrantView(w: WarrantEntity, metadataOnly = false): WarrantView {
  const targets = [...w.targets].sort((a, b) => a.value.localeCompare(b.value));
  return {
    id: w.id,
    liid: w.liid,
    authorityRef: w.authorityRef,
    state: w.state,
    validFrom: w.validFrom,
    validUntil: w.validUntil,
    deliveryMode: w.deliveryMode,
    nationalParameters: w.nationalParameters ? (JSON.parse(w.nationalParameters) as string[]) : [],
    targets: targets.map((t) =>
      metadataOnly
        ? { kind: t.kind }
        : { id: t.id, kind: t.kind, value: t.value, normalized: t.normalized, xid: t.xid },
    ),
    destinations: [...w.destinations]
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((d) => ({ id: d.id, name: d.name })),
    createdBy: w.createdBy,
    activationRequestedBy: w.activationRequestedBy,
    approvedBy: w.approvedBy,
    createdAt: w.createdAt,
    updatedAt: w.updatedAt,
    version: w.version,
  };
}
