import { createHash } from 'node:crypto';
import { renameSync, writeFileSync } from 'node:fs';

/** One IRI record as a lab LEA received it. */
export interface ReceivedRecord {
  liid: string;
  iriType: string;
  /** TLS: PSHeader CIN; FTPS: not carried per record. */
  cin?: number;
  /** TLS: PSHeader sequenceNumber (per LIID and CIN, TS 102 232-1). */
  seq?: number;
  /** FTPS: the file and the record's index in it. */
  file?: string;
  index?: number;
  /** BER of the record as one EpsIRIContent (re-encoded from what was decoded), base64. */
  ber: string;
  sha256: string;
}

/** One HI3 media packet (TS 102 232-5 IPMMCC in a CC PS-PDU) as the TLS LEA received it. */
export interface ReceivedCcPacket {
  liid: string;
  cin?: number;
  /** PSHeader sequenceNumber of the CC stream (per LIID and CIN). */
  seq: number;
  /** CCPayload.payloadDirection (TS 102 232-1: fromTarget 0, toTarget 1, …). */
  direction?: number;
  streamIdentifier?: string;
  /** mMCCContents: the RTP packet, base64. */
  rtp: string;
}

export interface SequenceGap {
  stream: string;
  expected: number;
  got: number;
}

export interface ReceivedFile {
  name: string;
  liid: string;
  fileSeq: number;
  records: number;
}

export interface Rejection {
  what: string;
  liid?: string;
  reason: string;
}

/** Everything one lab LEA receiver saw; written as JSON for tests and the lab to read. */
export interface ReceivedSnapshot {
  transport: 'ftps' | 'tls';
  records: ReceivedRecord[];
  duplicates: ReceivedRecord[];
  /** HI3 CC packets (TLS only), duplicates (same CC sequence number) left out. */
  cc: ReceivedCcPacket[];
  gaps: SequenceGap[];
  files: ReceivedFile[];
  duplicateFiles: string[];
  rejected: Rejection[];
  connections: number;
  keepAlives: number;
  errors: string[];
}

/**
 * The record keeper of a lab LEA: sequence continuity per stream (TLS: LIID and CIN; FTPS:
 * the file number per LIID), duplicates (same stream sequence number, or same record octets),
 * rejections, and a JSON file (written atomically, `.tmp` then rename) when `outFile` is set.
 */
export class ReceivedLog {
  private readonly snapshot: ReceivedSnapshot;
  private readonly last = new Map<string, number>();
  private readonly seen = new Map<string, Set<number>>();
  private readonly hashes = new Set<string>();
  private flushTimer?: NodeJS.Timeout;
  private records = 0;

  /** `keepRecords` false: records are counted and checked (sequence, duplicates), not kept. */
  constructor(
    transport: 'ftps' | 'tls',
    private readonly outFile?: string,
    private readonly keepRecords = true,
  ) {
    this.snapshot = {
      transport,
      records: [],
      duplicates: [],
      cc: [],
      gaps: [],
      files: [],
      duplicateFiles: [],
      rejected: [],
      connections: 0,
      keepAlives: 0,
      errors: [],
    };
  }

  /**
   * Checks `seq` against the stream's last number: the next one is accepted, a number seen
   * before is a duplicate (returns false), a jump is accepted and recorded as a gap.
   */
  sequence(stream: string, seq: number, first: number): boolean {
    const seen = this.seen.get(stream) ?? new Set<number>();
    this.seen.set(stream, seen);
    if (seen.has(seq)) return false;
    const last = this.last.get(stream);
    const expected = last === undefined ? first : last + 1;
    if (seq !== expected) this.snapshot.gaps.push({ stream, expected, got: seq });
    seen.add(seq);
    if (last === undefined || seq > last) this.last.set(stream, seq);
    return true;
  }

  /** Adds a record; one whose octets were received before goes to `duplicates`. */
  record(r: Omit<ReceivedRecord, 'ber' | 'sha256'>, ber: Buffer, duplicate = false): void {
    const sha256 = createHash('sha256').update(ber).digest('hex');
    const entry = () => ({ ...r, ber: ber.toString('base64'), sha256 });
    if (duplicate || this.hashes.has(sha256)) this.snapshot.duplicates.push(entry());
    else {
      this.records++;
      if (this.keepRecords) this.snapshot.records.push(entry());
    }
    this.hashes.add(sha256);
    this.changed();
  }

  /** Records received (duplicates excluded), kept or not. */
  get recordCount(): number {
    return this.records;
  }

  ccPacket(p: ReceivedCcPacket): void {
    this.snapshot.cc.push(p);
    this.changed();
  }

  file(f: ReceivedFile): void {
    if (this.snapshot.files.some((x) => x.name === f.name))
      this.snapshot.duplicateFiles.push(f.name);
    this.snapshot.files.push(f);
    this.changed();
  }

  rejected(r: Rejection): void {
    this.snapshot.rejected.push(r);
    this.changed();
  }

  error(message: string): void {
    this.snapshot.errors.push(message);
    this.changed();
  }

  connection(): void {
    this.snapshot.connections++;
    this.changed();
  }

  keepAlive(): void {
    this.snapshot.keepAlives++;
  }

  /** A deep copy of what was received so far. */
  read(): ReceivedSnapshot {
    return structuredClone(this.snapshot);
  }

  /** Writes the JSON file now (when configured). */
  flush(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (!this.outFile) return;
    writeFileSync(`${this.outFile}.tmp`, JSON.stringify(this.snapshot, null, 1));
    renameSync(`${this.outFile}.tmp`, this.outFile);
  }

  private changed(): void {
    if (!this.outFile || this.flushTimer) return;
    this.flushTimer = setTimeout(() => this.flush(), 200);
    this.flushTimer.unref();
  }
}
