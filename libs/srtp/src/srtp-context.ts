import {
  checkKeyDerivationRate,
  checkMasterKey,
  deriveSessionKeys,
  keyDerivationIndex,
} from './kdf';
import type { SessionKeys, SrtpPacketKind } from './kdf';
import { SrtpConfigError } from './errors';
import { type SrtpSuite, type SrtpSuiteName, srtpSuite } from './suites';

/** One master key and salt, with its Master Key Identifier when MKIs are in use (RFC 3711 §3.1). */
export interface SrtpMasterKey {
  key: Buffer;
  salt: Buffer;
  /** MKI octets as carried in packets; all keys of one context have MKIs of the same length. */
  mki?: Buffer;
}

/** Key material and parameters shared by the sender and receiver of one crypto context. */
export interface SrtpContextOptions {
  suite: SrtpSuiteName | SrtpSuite;
  /** The master keys; the receiver selects one by MKI, the sender uses the first. */
  masterKeys: readonly SrtpMasterKey[];
  /** Key derivation rate (0, the default, derives the session keys once), RFC 3711 §4.3.1. */
  keyDerivationRate?: number;
  /**
   * ROC of an SSRC when its first packet is seen, e.g. from the MIKEY SRTP ID map (RFC 3830
   * §6.1.1) when interception starts mid-stream; 0 otherwise (RFC 3711 §3.3.1).
   */
  initialRocs?: ReadonlyMap<number, number>;
}

const SESSION_KEY_CACHE = 4;

/** A master key with its session keys, derived on demand per packet kind and r (RFC 3711 §4.3). */
export class MasterKeyEntry {
  private readonly cache = new Map<string, SessionKeys>();

  constructor(
    private readonly suite: SrtpSuite,
    private readonly material: SrtpMasterKey,
    private readonly kdr: number,
  ) {
    checkMasterKey(suite, material.key, material.salt);
  }

  get mki(): Buffer {
    return this.material.mki ?? Buffer.alloc(0);
  }

  /**
   * Session keys for a packet of this index. With a key derivation rate, r = index DIV rate
   * selects them; a few recent r are cached so that reordering around a boundary stays cheap.
   */
  sessionKeys(kind: SrtpPacketKind, index: number): SessionKeys {
    const r = keyDerivationIndex(index, this.kdr);
    const id = `${kind}:${r}`;
    let keys = this.cache.get(id);
    if (!keys) {
      keys = deriveSessionKeys(this.suite, this.material.key, this.material.salt, kind, r);
      if (this.cache.size >= SESSION_KEY_CACHE) {
        this.cache.delete(this.cache.keys().next().value as string);
      }
      this.cache.set(id, keys);
    }
    return keys;
  }
}

/** Result of checking an index against the replay list (RFC 3711 §3.3.2). */
export type ReplayStatus = 'new' | 'duplicate' | 'too-old';

/** Replay window size; RFC 3711 §3.3.2 asks for at least 64. */
export const REPLAY_WINDOW = 128;

/**
 * Replay list over packet indices (RFC 3711 §3.3.2). Slot i mod W holds the last index seen
 * there; inside the window an index is a duplicate exactly when its slot holds it.
 * A receiver in an LI mediation function only reports the status: see README.
 */
export class ReplayWindow {
  private readonly slots = new Float64Array(REPLAY_WINDOW).fill(-1);
  private highest = -1;

  check(index: number): ReplayStatus {
    if (index > this.highest) return 'new';
    if (this.highest - index >= REPLAY_WINDOW) return 'too-old';
    return this.slots[index % REPLAY_WINDOW] === index ? 'duplicate' : 'new';
  }

  mark(index: number): void {
    this.slots[index % REPLAY_WINDOW] = index;
    if (index > this.highest) this.highest = index;
  }
}

/**
 * The receiver's guess v of the ROC of a packet with sequence number SEQ, given its ROC and
 * highest sequence number s_l (RFC 3711 Appendix A). ROC arithmetic is modulo 2^32.
 */
export function estimateRoc(roc: number, sl: number, seq: number): number {
  if (sl < 0x8000) return seq - sl > 0x8000 ? (roc - 1) >>> 0 : roc;
  return sl - 0x8000 > seq ? (roc + 1) >>> 0 : roc;
}

/** The 48-bit SRTP packet index i = 2^16 · ROC + SEQ (RFC 3711 §3.3.1). */
export function packetIndex(roc: number, seq: number): number {
  return roc * 0x10000 + seq;
}

/** Per-SSRC cryptographic state (RFC 3711 §3.2.3): ROC, s_l, replay lists, SRTCP index. */
export class SsrcState {
  roc: number;
  /** Highest authenticated sequence number s_l; undefined before the first packet. */
  highestSeq: number | undefined;
  readonly srtpReplay = new ReplayWindow();
  readonly srtcpReplay = new ReplayWindow();
  /** Sender side: the next SRTCP index (RFC 3711 §3.4: starts at 0). */
  nextSrtcpIndex = 0;

  constructor(initialRoc: number) {
    this.roc = initialRoc;
  }

  /** The ROC guess for SEQ (Appendix A); the stored ROC before the first packet. */
  guessRoc(seq: number): number {
    return this.highestSeq === undefined ? this.roc : estimateRoc(this.roc, this.highestSeq, seq);
  }

  /**
   * Updates ROC and s_l after a packet authenticated with ROC v (RFC 3711 §3.3.1): they move
   * only forward, to the highest index seen.
   */
  accept(roc: number, seq: number): void {
    if (
      this.highestSeq === undefined ||
      packetIndex(roc, seq) > packetIndex(this.roc, this.highestSeq)
    ) {
      this.roc = roc;
      this.highestSeq = seq;
    }
  }
}

/** Master keys by MKI and per-SSRC state of one crypto context. */
export class SrtpContext {
  readonly suite: SrtpSuite;
  readonly mkiLength: number;
  readonly masterKeys: readonly MasterKeyEntry[];
  private readonly streams = new Map<number, SsrcState>();
  private readonly initialRocs: ReadonlyMap<number, number>;

  constructor(options: SrtpContextOptions) {
    this.suite = typeof options.suite === 'string' ? srtpSuite(options.suite) : options.suite;
    const kdr = options.keyDerivationRate ?? 0;
    checkKeyDerivationRate(kdr);
    if (options.masterKeys.length === 0) {
      throw new SrtpConfigError('BAD_KEY_LENGTH', 'at least one master key is needed');
    }
    this.masterKeys = options.masterKeys.map((k) => new MasterKeyEntry(this.suite, k, kdr));
    this.mkiLength = this.masterKeys[0].mki.length;
    const mkis = new Set(this.masterKeys.map((k) => k.mki.toString('hex')));
    if (
      this.masterKeys.some((k) => k.mki.length !== this.mkiLength) ||
      mkis.size !== this.masterKeys.length
    ) {
      throw new SrtpConfigError('BAD_MKI', 'MKIs must all have the same length and be distinct');
    }
    this.initialRocs = options.initialRocs ?? new Map();
  }

  /** The master key that the MKI octets name (the only key when MKIs are not used). */
  masterKeyFor(mki: Buffer): MasterKeyEntry | undefined {
    if (this.mkiLength === 0) return this.masterKeys[0];
    return this.masterKeys.find((k) => k.mki.equals(mki));
  }

  /** The state of an SSRC, if any packet of it was accepted. */
  stream(ssrc: number): SsrcState | undefined {
    return this.streams.get(ssrc);
  }

  /** The state of an SSRC, created with its initial ROC when first needed. */
  streamOrCreate(ssrc: number): SsrcState {
    let state = this.streams.get(ssrc);
    if (!state) {
      state = new SsrcState(this.initialRoc(ssrc));
      this.streams.set(ssrc, state);
    }
    return state;
  }

  initialRoc(ssrc: number): number {
    return this.initialRocs.get(ssrc) ?? 0;
  }

  /** SSRCs with state, for diagnostics. */
  ssrcs(): number[] {
    return [...this.streams.keys()];
  }
}
