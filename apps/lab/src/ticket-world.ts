import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { devPkiExists, writeDevPki } from '@app/pki';
import { startKmsSim, type KmsSim, type KmsSimRuntime } from '../../kms-sim/src/kms-sim';
import { UserEquipment } from './ue/user-equipment';

/** Users of the lab: served by the home KMS, or (dave) by the peer KMS of another operator. */
export const LAB_USERS = {
  home: ['sip:alice@ims.example', 'sip:bob@ims.example', 'sip:carol@ims.example'],
  peer: ['sip:dave@peer.example'],
} as const;

export const HOME_KMS = 'kms.ims.example';
export const PEER_KMS = 'kms.peer.example';

/** TLS client material from the dev PKI, e.g. `mf` (LI role) or `other-client`. */
export interface ClientTls {
  ca: Buffer;
  cert: Buffer;
  key: Buffer;
}

/** A running MIKEY-TICKET world: KMS(s) and UEs with their pre-shared keys. */
export interface TicketWorld {
  pkiDir: string;
  ca: Buffer;
  kms: KmsSim;
  /** Present with `withPeer`: a second operator's KMS, Zk peer of `kms`. */
  peerKms?: KmsSim;
  /** The UE of a lab user (throws for unknown identities). */
  ue(identity: string): UserEquipment;
  /** Client certificate and key of a dev PKI leaf (`mf` carries the LI role URI). */
  clientTls(leaf: string): ClientTls;
  close(): Promise<void>;
}

export interface TicketWorldOptions {
  /** Directory of the dev PKI (a fresh one is written there when absent). */
  pkiDir: string;
  withPeer?: boolean;
  runtime?: KmsSimRuntime;
  /** Overrides of kms-sim limits (e.g. a short pendingWindowMs in tests). */
  limits?: Record<string, number>;
}

/**
 * Starts the lab's key-management world on loopback with ephemeral ports: the home KMS
 * (`kms.ims.example`, users alice/bob/carol) and optionally the peer KMS (`kms.peer.example`,
 * user dave) that resolves tickets of the home KMS over Zk (seed 004). The peer knows the home
 * KMS's Zk URL; the home KMS accepts the peer but does not call it.
 */
export async function startTicketWorld(o: TicketWorldOptions): Promise<TicketWorld> {
  if (!devPkiExists(o.pkiDir)) await writeDevPki(o.pkiDir);
  const file = (n: string): string => join(o.pkiDir, n);
  const ca = readFileSync(file('ca.crt'));
  const psks = new Map<string, Buffer>();
  const userList = (ids: readonly string[]) =>
    ids.map((identity) => {
      const psk = randomBytes(32);
      psks.set(identity, psk);
      return { identity, psk: psk.toString('base64') };
    });
  const zkPsk = randomBytes(32).toString('base64');
  const tlsOf = (leaf: string) => ({
    ca: file('ca.crt'),
    cert: file(`${leaf}.crt`),
    key: file(`${leaf}.key`),
  });
  const limits = o.limits ?? {};
  const kms = await startKmsSim(
    {
      identity: HOME_KMS,
      tls: tlsOf('kms'),
      users: userList(LAB_USERS.home),
      peers: o.withPeer ? [{ identity: PEER_KMS, psk: zkPsk }] : [],
      limits,
    },
    o.runtime,
  );
  let peerKms: KmsSim | undefined;
  try {
    if (o.withPeer) {
      peerKms = await startKmsSim(
        {
          identity: PEER_KMS,
          tls: tlsOf('kms2'),
          users: userList(LAB_USERS.peer),
          peers: [{ identity: HOME_KMS, url: kms.urls.zk, psk: zkPsk }],
          limits,
        },
        o.runtime,
      );
    }
  } catch (e) {
    await kms.close();
    throw e;
  }
  const ues = new Map<string, UserEquipment>();
  for (const [identity, psk] of psks) {
    const home = (LAB_USERS.home as readonly string[]).includes(identity);
    const k = home ? kms : peerKms!;
    ues.set(
      identity,
      new UserEquipment({ identity, psk, kms: { identity: k.identity, url: k.urls.ua, ca } }),
    );
  }
  return {
    pkiDir: o.pkiDir,
    ca,
    kms,
    ...(peerKms ? { peerKms } : {}),
    ue: (identity) => {
      const ue = ues.get(identity);
      if (!ue) throw new Error(`no lab UE ${identity}`);
      return ue;
    },
    clientTls: (leaf) => ({
      ca,
      cert: readFileSync(file(`${leaf}.crt`)),
      key: readFileSync(file(`${leaf}.key`)),
    }),
    close: async () => {
      await Promise.all([kms.close(), peerKms?.close()]);
    },
  };
}
