import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { Client, FTPError } from 'basic-ftp';

/** Where and how to reach one FTPS LEA. The password is passed in opened, never logged. */
export interface FtpsTarget {
  host: string;
  port: number;
  user: string;
  password: string;
  /** CA certificate(s) that must have issued the LEA server's certificate. */
  caFile: string;
  /** Optional client certificate and key, when the LEA wants one. */
  certFile?: string;
  keyFile?: string;
  /** Upload directory (entered with CWD; not created). */
  directory?: string;
  timeoutMs: number;
}

/** The LEA refused a file with a permanent reply (5xx) on STOR, RNFR or RNTO. */
export class FtpsRejection extends Error {
  constructor(
    readonly step: 'STOR' | 'RNFR/RNTO',
    readonly code: number,
    message: string,
  ) {
    super(`${step} refused (${code}): ${message}`);
    this.name = 'FtpsRejection';
  }
}

/** Result of delivering one file. */
export type FileOutcome = 'uploaded' | 'already-present';

function isPermanent(e: unknown): e is FTPError {
  return e instanceof FTPError && e.code >= 500 && e.code < 600;
}

/**
 * One FTPS control connection to a LEA (basic-ftp): explicit FTPS (AUTH TLS, RFC 4217) with
 * the server certificate verified against the destination's CA and its name (TLS ≥ 1.2), then
 * PBSZ 0 and PROT P, both required to succeed so that no data connection goes out in clear.
 *
 * A file is made visible atomically: STOR `<name>.part`, then RNFR/RNTO to `<name>`. Before
 * that, an existing `<name>` means an earlier attempt got as far as the rename (crash before it
 * was recorded), so nothing is sent again; a stale `<name>.part` from a broken attempt is
 * deleted first.
 */
export class FtpsUploader {
  private client?: Client;

  constructor(private readonly target: FtpsTarget) {}

  get connected(): boolean {
    return !!this.client && !this.client.closed;
  }

  async connect(): Promise<void> {
    this.close();
    const t = this.target;
    const client = new Client(t.timeoutMs);
    this.client = client;
    await client.access({
      host: t.host,
      port: t.port,
      user: t.user,
      password: t.password,
      secure: true,
      secureOptions: {
        ca: readFileSync(t.caFile),
        cert: t.certFile ? readFileSync(t.certFile) : undefined,
        key: t.keyFile ? readFileSync(t.keyFile) : undefined,
        minVersion: 'TLSv1.2',
        rejectUnauthorized: true,
      },
    });
    await client.send('PBSZ 0');
    await client.send('PROT P');
    if (t.directory) await client.cd(t.directory);
  }

  /** Stores `body` as `name`, atomically (see the class comment). */
  async deliver(name: string, body: Buffer): Promise<FileOutcome> {
    const client = this.client;
    if (!client || client.closed) throw new Error('FTPS session not connected');
    if (await this.exists(client, name)) return 'already-present';
    const part = `${name}.part`;
    await client.remove(part, true);
    try {
      await client.uploadFrom(Readable.from([body]), part);
    } catch (e) {
      if (isPermanent(e)) throw new FtpsRejection('STOR', e.code, e.message);
      throw e;
    }
    try {
      await client.rename(part, name);
    } catch (e) {
      if (isPermanent(e)) throw new FtpsRejection('RNFR/RNTO', e.code, e.message);
      throw e;
    }
    return 'uploaded';
  }

  /** Closes the connection at once (also aborts a transfer in flight). */
  close(): void {
    this.client?.close();
    this.client = undefined;
  }

  private async exists(client: Client, name: string): Promise<boolean> {
    try {
      await client.size(name);
      return true;
    } catch (e) {
      if (e instanceof FTPError && e.code === 550) return false;
      throw e;
    }
  }
}
