import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { PsHeaderConfig } from '@app/hi2';
import { MfConfig } from '../../config/mf-config';

/** What the delivery workers need from the MF configuration (README.md, "HI2 delivery"). */
export interface DeliverySettings {
  operatorId: string;
  /** Owner name of destination leases: host, pid and a random suffix (unique per process). */
  instanceId: string;
  pollIntervalMs: number;
  /**
   * SQLite, delivery without ingest in this process: how often to look for commits of the
   * ingest process (OutboxCommitWatch); absent when this process enqueues the rows itself.
   */
  sqliteWakePollMs?: number;
  batchSize: number;
  fileMaxRecords: number;
  fileMaxWaitMs: number;
  tlsWindow: number;
  keepAliveIdleMs: number;
  keepAliveTimeoutMs: number;
  keepAliveLiid: string;
  connectTimeoutMs: number;
  retryBaseMs: number;
  retryMaxMs: number;
  maxAttempts: number;
  backlogAlarmThreshold: number;
  leaseTtlMs: number;
  retentionDays: number;
  purgeIntervalMs: number;
  /** The MF's own certificate: the TLS client certificate unless a destination names another. */
  clientCertFile: string;
  clientKeyFile: string;
  psHeader: PsHeaderConfig;
}

export function deliverySettings(c: MfConfig): DeliverySettings {
  return {
    operatorId: c.OPERATOR_ID,
    instanceId: `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`,
    pollIntervalMs: c.HI2_POLL_INTERVAL_MS,
    ...(c.MF_ROLES.includes('ingest') ? {} : { sqliteWakePollMs: c.HI2_WAKE_POLL_MS }),
    batchSize: c.HI2_BATCH_SIZE,
    fileMaxRecords: c.HI2_FTPS_FILE_MAX_RECORDS,
    fileMaxWaitMs: c.HI2_FTPS_FILE_MAX_WAIT_MS,
    tlsWindow: c.HI2_TLS_WINDOW,
    keepAliveIdleMs: c.HI2_TLS_KEEPALIVE_IDLE_MS,
    keepAliveTimeoutMs: c.HI2_TLS_KEEPALIVE_TIMEOUT_MS,
    keepAliveLiid: c.HI2_TLS_KEEPALIVE_LIID,
    connectTimeoutMs: c.HI2_CONNECT_TIMEOUT_MS,
    retryBaseMs: c.HI2_RETRY_BASE_MS,
    retryMaxMs: c.HI2_RETRY_MAX_MS,
    maxAttempts: c.HI2_MAX_ATTEMPTS,
    backlogAlarmThreshold: c.HI2_BACKLOG_ALARM_THRESHOLD,
    leaseTtlMs: c.HI2_LEASE_TTL_MS,
    retentionDays: c.HI2_RETENTION_DAYS,
    purgeIntervalMs: c.HI2_PURGE_INTERVAL_MS,
    clientCertFile: c.TLS_CERT_FILE,
    clientKeyFile: c.TLS_KEY_FILE,
    psHeader: {
      operatorIdentifier: c.OPERATOR_ID,
      networkElementIdentifier: c.HI2_NETWORK_ELEMENT_ID,
      authorizationCountryCode: c.HI2_COUNTRY_CODE,
      deliveryCountryCode: c.HI2_COUNTRY_CODE,
    },
  };
}
