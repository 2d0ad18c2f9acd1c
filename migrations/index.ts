import { AuditLog1732300000000 } from './1732300000000-audit-log';
import { WarrantsDestinations1732300000001 } from './1732300000001-warrants-destinations';
import { Hi2Outbox1732300000500 } from './1732300000500-hi2-outbox';
import { Users1732300060000 } from './1732300060000-users';
import { DraftTargetXid1732300060001 } from './1732300060001-draft-target-xid';
import { CallSessions1732300090000 } from './1732300090000-call-sessions';
import { XkKeyJobs1732300100000 } from './1732300100000-xk-key-jobs';
import { Hi2OutboxBinaryPayload1732300110000 } from './1732300110000-hi2-outbox-binary-payload';

/** Every migration, in order. Each uses the QueryRunner schema API so it runs on SQLite and PostgreSQL. */
export const migrations = [
  AuditLog1732300000000,
  WarrantsDestinations1732300000001,
  Hi2Outbox1732300000500,
  Users1732300060000,
  DraftTargetXid1732300060001,
  CallSessions1732300090000,
  XkKeyJobs1732300100000,
  Hi2OutboxBinaryPayload1732300110000,
];
