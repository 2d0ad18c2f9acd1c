import { existsSync, mkdirSync, readdirSync, readFileSync, unlinkSync } from 'node:fs';
import { AddressInfo, Server, Socket } from 'node:net';
import { join } from 'node:path';
import { decodeEpsIrisContent, encodeEpsIriContent, recordParts } from '@app/hi2';
import { FileSystem, FtpConnection, FtpSrv } from 'ftp-srv';
import { ReceivedLog, ReceivedSnapshot } from './received-log';

export interface FtpsLeaOptions {
  /** Dev PKI directory: the server presents `lea.crt` / `lea.key`. */
  pkiDir: string;
  /** Directory the MF uploads into (created if missing). */
  root: string;
  user: string;
  password: string;
  host?: string;
  /** 0 (default): an ephemeral port; passive data ports are ephemeral too. */
  port?: number;
  outFile?: string;
  /** Files holding a record of one of these LIIDs are refused at RNTO with 550. */
  rejectLiids?: string[];
}

/** Faults a test can arm for the next upload (one-shot). */
export type FtpsFault =
  /** Both connections dropped after the first data octets of the STOR: a partial `.part` stays. */
  | 'drop-during-stor'
  /** The whole `.part` arrives, then the control connection drops instead of renaming it. */
  | 'drop-before-rename';

/** HI2 FTPS file names, ARCHITECTURE.md §4: `<operatorId>_<LIID>_<UTC yyyymmddHHMMss>_<seq 10 digits>.ber`. */
const FILE_NAME = /^([A-Za-z0-9-]+)_(.+)_(\d{14})_(\d{10})\.ber$/;

const SILENT_LOG = {
  child() {
    return SILENT_LOG;
  },
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  fatal: () => undefined,
};

/** ftp-srv internals used to work around its disconnect timer (see forgetClosedConnections). */
interface FtpSrvInternals {
  connections: Record<string, FtpConnection>;
  on(event: 'connect', l: (e: { id: string; connection: FtpConnection }) => void): void;
}

/**
 * ftp-srv 4.6.3 answers every closed control connection, and every one still open at close(),
 * with disconnectClient(), which arms a `timeout`-long timer it never clears (30 s here): it
 * would keep a test process alive after the server stopped. Taking the connection out of the
 * server's table first (on close, by a listener that runs before ftp-srv's own; at stop, for
 * those still open) makes disconnectClient return at once; nothing else reads the table.
 */
function forgetClosedConnections(server: FtpSrv): void {
  const internals = server as unknown as FtpSrvInternals;
  internals.on('connect', ({ id, connection }) => {
    const socket = (connection as unknown as { commandSocket: Socket }).commandSocket;
    socket.prependListener('close', () => delete internals.connections[id]);
  });
}

/** Closes the connections still open without ftp-srv's disconnect timer (see above). */
function dropConnections(server: FtpSrv): void {
  const internals = server as unknown as FtpSrvInternals;
  for (const [id, connection] of Object.entries(internals.connections)) {
    delete internals.connections[id];
    void connection.close(0, 0).catch(() => undefined);
  }
}

/**
 * A lab LEMF for HI2 over FTPS (ftp-srv; explicit AUTH TLS with the dev PKI `lea` certificate,
 * TLS ≥ 1.2; logins without TLS are refused). A file becomes visible only by RNTO, and the
 * receiver decodes the whole `.part` (an epsIRISequence, libs/hi2) before it renames it: an
 * undecodable file or one for a refused LIID gets 550 and is removed. It checks the file
 * number per LIID (1, 2, 3 …), records every record, duplicates and refusals, and can inject
 * the faults of `FtpsFault`. For a real server (vsftpd) see README.md.
 */
export class FtpsLeaServer {
  readonly log: ReceivedLog;
  private server?: FtpSrv;
  private boundPort: number;
  private readonly faults: FtpsFault[] = [];
  private stall?: { started: () => void };
  private readonly rejectLiids: Set<string>;
  uploads = 0;

  constructor(private readonly options: FtpsLeaOptions) {
    this.log = new ReceivedLog('ftps', options.outFile);
    this.boundPort = options.port ?? 0;
    this.rejectLiids = new Set(options.rejectLiids ?? []);
    mkdirSync(options.root, { recursive: true });
  }

  async start(): Promise<number> {
    const host = this.options.host ?? '127.0.0.1';
    const signals = ['SIGTERM', 'SIGINT', 'SIGQUIT'] as const;
    const before = signals.map((s) => process.listeners(s));
    const server = new FtpSrv({
      url: `ftp://${host}:${this.boundPort}`,
      pasv_url: host,
      pasv_min: 0,
      pasv_max: 0,
      greeting: 'lab LEMF',
      tls: {
        key: readFileSync(join(this.options.pkiDir, 'lea.key'), 'utf8'),
        cert: readFileSync(join(this.options.pkiDir, 'lea.crt'), 'utf8'),
        minVersion: 'TLSv1.2',
      },
      log: SILENT_LOG,
      timeout: 30_000,
    });
    // ftp-srv installs process-wide signal handlers that exit the process; a lab server must not.
    signals.forEach((s, i) =>
      process.listeners(s).forEach((l) => before[i].includes(l) || process.removeListener(s, l)),
    );
    forgetClosedConnections(server);
    server.on('login', ({ connection, username, password }, resolve, reject) => {
      if (!connection.secure) return reject(new Error('TLS required (AUTH TLS)'));
      if (username !== this.options.user || password !== this.options.password)
        return reject(new Error('bad credentials'));
      this.log.connection();
      resolve({ fs: new LeaFileSystem(connection, this.options.root, this) });
    });
    await server.listen();
    this.server = server;
    this.boundPort = (
      (server as unknown as { server: Server }).server.address() as AddressInfo
    ).port;
    return this.boundPort;
  }

  get port(): number {
    return this.boundPort;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (s) dropConnections(s);
    if (s) await s.close();
    this.log.flush();
  }

  read(): ReceivedSnapshot {
    return this.log.read();
  }

  /** Arms a one-shot fault for the next upload. */
  inject(fault: FtpsFault): void {
    this.faults.push(fault);
  }

  /** Holds the next upload after its first data octets; resolves when it is held. */
  stallNextUpload(): Promise<void> {
    return new Promise((started) => (this.stall = { started }));
  }

  /** The names a client could see in the upload directory now. */
  visibleFiles(): string[] {
    return existsSync(this.options.root) ? readdirSync(this.options.root).sort() : [];
  }

  /** @internal LeaFileSystem hooks. */
  takeFault(which: FtpsFault): boolean {
    const i = this.faults.indexOf(which);
    if (i < 0) return false;
    this.faults.splice(i, 1);
    return true;
  }

  /** @internal */
  takeStall(): { started: () => void } | undefined {
    const s = this.stall;
    this.stall = undefined;
    return s;
  }

  /** @internal Validates and accepts a complete `.part`; throws (→ 550) to refuse it. */
  accept(fsPath: string, name: string): void {
    const m = FILE_NAME.exec(name);
    if (!m) throw this.refuse(name, undefined, 'file name not in the agreed form');
    const liid = decodeURIComponent(m[2]);
    let records;
    try {
      records = decodeEpsIrisContent(readFileSync(fsPath));
    } catch (e) {
      throw this.refuse(name, liid, `undecodable: ${(e as Error).message}`);
    }
    const liids = new Set(
      records.map((r) => recordParts(r).parameters.lawfulInterceptionIdentifier.toString('utf8')),
    );
    if ([...liids].some((l) => l !== liid))
      throw this.refuse(name, liid, 'records of another LIID');
    if (this.rejectLiids.has(liid)) throw this.refuse(name, liid, 'LIID refused by this LEMF');
    const fileSeq = Number(m[4]);
    const fresh = this.log.sequence(`file/${liid}`, fileSeq, 1);
    this.log.file({ name, liid, fileSeq, records: records.length });
    records.forEach((r, index) =>
      this.log.record(
        { liid, iriType: recordParts(r).kind, file: name, index },
        encodeEpsIriContent(r),
        !fresh,
      ),
    );
  }

  private refuse(name: string, liid: string | undefined, reason: string): Error {
    this.log.rejected({ what: name, liid, reason });
    return Object.assign(new Error(reason), { code: 550 });
  }
}

/** The upload directory as the LEA's FTP users see it, with the receiver's checks and faults. */
class LeaFileSystem extends FileSystem {
  constructor(
    connection: FtpConnection,
    root: string,
    private readonly lea: FtpsLeaServer,
  ) {
    super(connection, { root, cwd: '/' });
  }

  override write(fileName: string, opts?: { append?: boolean; start?: unknown }): unknown {
    const result = super.write(fileName, opts) as {
      stream: NodeJS.WritableStream;
      clientPath: string;
    };
    this.lea.uploads++;
    const conn = this.connection as FtpConnection & {
      commandSocket: Socket;
      connector?: { socket?: Socket };
    };
    const data = conn.connector?.socket;
    const drop = this.lea.takeFault('drop-during-stor');
    const stall = this.lea.takeStall();
    if (data && (drop || stall)) {
      data.once('data', () => {
        if (stall) {
          // unpiped too: the file stream's next 'drain' would otherwise resume the socket
          data.unpipe();
          data.pause();
          stall.started();
          return;
        }
        setImmediate(() => {
          data.destroy();
          conn.commandSocket.destroy();
        });
      });
    }
    return result;
  }

  override async rename(from: string, to: string): Promise<void> {
    const conn = this.connection as FtpConnection & { commandSocket: Socket };
    if (this.lea.takeFault('drop-before-rename')) {
      conn.commandSocket.destroy();
      throw new Error('connection dropped before rename');
    }
    const { fsPath: fromPath } = this.resolve(from);
    const { clientPath } = this.resolve(to);
    const name = clientPath.split('/').pop() ?? '';
    if (from.split('/').pop() !== `${name}.part`)
      throw new Error('only <name>.part → <name> is accepted');
    try {
      this.lea.accept(fromPath, name);
    } catch (e) {
      if (existsSync(fromPath)) unlinkSync(fromPath);
      throw e;
    }
    await super.rename(from, to);
  }

  private resolve(path: string): { fsPath: string; clientPath: string } {
    return (
      this as unknown as { _resolvePath(p: string): { fsPath: string; clientPath: string } }
    )._resolvePath(path);
  }
}
