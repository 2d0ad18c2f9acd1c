import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { startKmsSim, type KmsSim } from '../../apps/kms-sim/src/kms-sim';
import { HOME_KMS } from '../../apps/lab/src/ticket-world';
import { UserEquipment } from '../../apps/lab/src/ue';

/**
 * The home KMS simulator of the MIKEY-TICKET specs (apps/kms-sim) on a dev PKI, with its users
 * and their PSKs. Every instance shares one ticket key, so a KMS started again (on the same Xk
 * port) still opens the tickets issued before, as a restarted KMS would.
 */
export class TestKmsWorld {
  private readonly ticketKey = randomBytes(32).toString('base64');
  private readonly psks: Map<string, Buffer>;
  private readonly started: KmsSim[] = [];

  constructor(
    private readonly pkiDir: string,
    users: readonly string[],
  ) {
    this.psks = new Map(users.map((id) => [id, randomBytes(32)]));
  }

  /** Starts a home KMS instance (Ua, Zk on OS ports; Xk on `xkPort`, default an OS port). */
  async startKms(xkPort = 0): Promise<KmsSim> {
    const k = await startKmsSim(
      {
        identity: HOME_KMS,
        ports: { ua: 0, xk: xkPort, zk: 0 },
        tls: {
          ca: join(this.pkiDir, 'ca.crt'),
          cert: join(this.pkiDir, 'kms.crt'),
          key: join(this.pkiDir, 'kms.key'),
        },
        users: [...this.psks].map(([identity, psk]) => ({
          identity,
          psk: psk.toString('base64'),
        })),
        ticketKey: this.ticketKey,
        limits: { pendingWindowMs: 300, retryAfterMs: 50 },
      },
      { logger: () => undefined },
    );
    this.started.push(k);
    return k;
  }

  /** A UE of one of the users, talking to `kms` over Ua. */
  ue(identity: string, kms: KmsSim): UserEquipment {
    const psk = this.psks.get(identity);
    if (!psk) throw new Error(`no such user: ${identity}`);
    return new UserEquipment({
      identity,
      psk,
      kms: { identity: HOME_KMS, url: kms.urls.ua, ca: readFileSync(join(this.pkiDir, 'ca.crt')) },
    });
  }

  /** Closes every KMS instance started (closing one twice is harmless). */
  async close(): Promise<void> {
    await Promise.all(this.started.map((k) => k.close()));
  }
}

/** A loopback port nothing listens on (taken from the OS, then released). */
export async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}
