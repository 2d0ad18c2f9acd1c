/** KMS simulator (ARCHITECTURE.md §6) for in-process use by tests and the lab. */
export { startKmsSim, type KmsSim, type KmsSimRuntime } from './kms-sim';
export {
  loadKmsSimConfig,
  parseKmsSimConfig,
  KmsSimConfigError,
  type KmsSimConfig,
  type KmsSimConfigInput,
} from './config';
export type { KmsLogEntry, KmsLogger } from './kms-log';
export type { ResolveSummary } from './resolve-log';
export { KMS_ERRORS, type KmsErrorCode } from './kms-errors';
export {
  httpsPost,
  HttpsClientError,
  type HttpsClientTls,
  type HttpsResponse,
} from './https-client';
