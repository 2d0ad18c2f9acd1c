/**
 * One structured log entry. Callers put only non-secret fields here: ids, identities of KMS
 * users (never of LI targets), error codes, counts. Never keys, salts, tickets or MIKEY bodies.
 */
export interface KmsLogEntry {
  event: string;
  [field: string]: string | number | boolean | undefined;
}

export type KmsLogger = (entry: KmsLogEntry) => void;

/** Default logger: one JSON line per entry on stderr, with the time and the KMS identity. */
export function jsonLineLogger(kms: string): KmsLogger {
  return (entry) => {
    process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), kms, ...entry })}\n`);
  };
}
