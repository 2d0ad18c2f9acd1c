import {
  CorpusEntry,
  NumericField,
  byteStrategies,
  flipBits,
} from '../../../test/support/byte-mutators';
import {
  FuzzOutcome,
  FuzzStrategy,
  check,
  expectSoundRun,
  largestAllocation,
  rejection,
  runFuzz,
} from '../../../test/support/fuzz';
import { SeededRandom } from '../../../test/support/seeded-random';
import {
  PSK,
  TGK,
  TICKET_EXCHANGE,
  dhInit,
  everyPayloadMessage,
  pskInit,
  ticketExchangeMessages,
} from '../fixtures/sample-messages';
import {
  DataType,
  EncodedMikey,
  EncrAlg,
  ErrorNo,
  KeyDataType,
  KvType,
  MikeyCryptoError,
  MikeyDecodeError,
  PayloadType,
  TsType,
  buildErrorMessage,
  classifyKeyManagement,
  CsIdMapType,
  decodeKeyDataList,
  decodeMikey,
  encodeKeyDataList,
  encodeMikey,
  keyMgmtAttribute,
  mikeyFromKeyMgmt,
  openPskInit,
  openTicketExchangeMessage,
  type KeyData,
} from './index';

/**
 * Length and count fields of a payload, relative to its first octet (RFC 3830 §6, RFC 6043 §6):
 * [offset, width]. Next Payload (offset 0) is added for every payload but SIGN.
 */
const LENGTH_FIELDS: Partial<Record<PayloadType, [number, 1 | 2][]>> = {
  // Encr alg, Encr data len
  [PayloadType.KEMAC]: [
    [1, 1],
    [2, 2],
  ],
  [PayloadType.PKE]: [[1, 2]], // C / Data len
  [PayloadType.DH]: [[1, 1]], // DH-Group (gives the value length)
  [PayloadType.SIGN]: [[0, 2]], // S type / Signature len
  [PayloadType.T]: [[1, 1]], // TS type (gives the value length)
  [PayloadType.ID]: [[2, 2]],
  [PayloadType.CERT]: [[2, 2]],
  [PayloadType.CHASH]: [[1, 1]],
  [PayloadType.V]: [[1, 1]], // Auth alg (gives the MAC length)
  // Policy param length, the first parameter's length
  [PayloadType.SP]: [
    [3, 2],
    [6, 1],
  ],
  [PayloadType.RAND]: [[1, 1]],
  [PayloadType.TR]: [[1, 1]],
  [PayloadType.IDR]: [[3, 2]],
  [PayloadType.RANDR]: [[2, 1]],
  [PayloadType.TP]: [[5, 2]],
  [PayloadType.TICKET]: [[5, 2]],
  [PayloadType.SAKKE]: [[3, 2]],
  [PayloadType.GENERAL_EXT]: [[2, 2]],
};

/** HDR: version, data type, next payload, V/PRF, #CS, CS ID map type (RFC 3830 §6.1). */
const HEADER_FIELDS: NumericField[] = [0, 1, 2, 3, 8, 9].map((offset) => ({ offset, width: 1 }));

interface MikeyEntry extends CorpusEntry {
  name: string;
  decoded: EncodedMikey;
}

function entry(name: string, bytes: Buffer): MikeyEntry {
  const decoded = decodeMikey(bytes);
  const fields = [...HEADER_FIELDS];
  for (const span of decoded.spans) {
    if (span.type !== PayloadType.SIGN) fields.push({ offset: span.offset, width: 1 });
    for (const [at, width] of LENGTH_FIELDS[span.type] ?? []) {
      fields.push({ offset: span.offset + at, width });
    }
  }
  return { name, bytes, fields, decoded };
}

const header = {
  csbId: 7,
  csIdMap: { type: CsIdMapType.EMPTY, csCount: 2 } as const,
  timestamp: Buffer.alloc(8, 1),
};
const CORPUS: MikeyEntry[] = [
  entry('PSK I_MESSAGE (AES-CM)', pskInit()),
  entry('PSK I_MESSAGE (AES-KW)', pskInit(EncrAlg.AES_KW_128)),
  entry('PSK I_MESSAGE (NULL)', pskInit(EncrAlg.NULL)),
  entry('DH I_MESSAGE', dhInit()),
  entry('every payload', encodeMikey(everyPayloadMessage()).bytes),
  entry('error', buildErrorMessage(header, [ErrorNo.INVALID_TS, ErrorNo.AUTH_FAILURE]).bytes),
  ...Object.entries(ticketExchangeMessages()).map(([name, bytes]) => entry(name, bytes)),
];

/** Decoded messages classify and re-encode stably (reserved bits are sent as zero). */
function decodeChecked(bytes: Buffer): FuzzOutcome {
  let decoded: EncodedMikey | undefined;
  if (rejection('decodeMikey', MikeyDecodeError, () => (decoded = decodeMikey(bytes)))) {
    return 'rejected';
  }
  classifyKeyManagement(decoded!.message);
  const canonical = encodeMikey(decoded!.message).bytes;
  check(
    encodeMikey(decodeMikey(canonical).message).bytes.equals(canonical),
    'a decoded message re-encodes to octets that decode the same',
  );
  return 'decoded';
}

/** Sets the Next Payload field that leads to payload `index` of `from` (HDR's for the first). */
function linkTo(out: Buffer, from: EncodedMikey, index: number, type: number): void {
  out[index === 0 ? 2 : from.spans[index - 1].offset] = type;
}

/** One payload (not SIGN) repeated 2..300 times, chained: beyond 256 it is TOO_MANY_PAYLOADS. */
function repeatPayload(rnd: SeededRandom, e: MikeyEntry): Buffer {
  const chainable = e.decoded.spans.filter((s) => s.type !== PayloadType.SIGN);
  const span = rnd.pick(chainable);
  const payload = e.bytes.subarray(span.offset, span.offset + span.length);
  const copy = Buffer.from(payload);
  copy[0] = span.type; // each copy's Next Payload is the copy after it
  const copies = new Array<Buffer>(rnd.int(2, 300) - 1).fill(copy);
  return Buffer.concat([
    e.bytes.subarray(0, span.offset),
    ...copies,
    e.bytes.subarray(span.offset), // the original, whose Next Payload continues the chain
  ]);
}

/** The payloads of one message up to a point, then those of another from a point on. */
function splicePayloads(rnd: SeededRandom, a: MikeyEntry, b: MikeyEntry): Buffer {
  const i = rnd.int(0, a.decoded.spans.length - 1);
  const j = rnd.int(0, b.decoded.spans.length - 1);
  const head = Buffer.from(a.bytes.subarray(0, a.decoded.spans[i].offset));
  linkTo(head, a.decoded, i, b.decoded.spans[j].type);
  return Buffer.concat([head, b.bytes.subarray(b.decoded.spans[j].offset)]);
}

/** Key data lists (RFC 3830 §6.13) as found in a decrypted KEMAC. */
const KEY_LISTS: KeyData[][] = [
  [{ keyType: KeyDataType.TGK, key: TGK, validity: { kv: KvType.NULL } }],
  [
    {
      keyType: KeyDataType.TEK_SALT,
      key: TGK.subarray(0, 16),
      salt: Buffer.alloc(14, 2),
      validity: { kv: KvType.SPI, spi: Buffer.of(1, 2) },
    },
  ],
  [
    { keyType: KeyDataType.MPK, key: TGK, validity: { kv: KvType.NULL } },
    {
      keyType: KeyDataType.TGK_SALT,
      key: TGK,
      salt: Buffer.alloc(14, 3),
      validity: { kv: KvType.INTERVAL, validFrom: Buffer.of(1), validTo: Buffer.of(2, 3) },
    },
  ],
];
/** Key data lists, with and without the AES-KW zero padding; Type/KV and Key data len fields. */
const KEY_DATA: CorpusEntry[] = KEY_LISTS.flatMap((keys) =>
  [false, true].map((padTo8) => ({
    bytes: encodeKeyDataList(keys, padTo8),
    fields: [
      { offset: 1, width: 1 },
      { offset: 2, width: 2 },
    ],
  })),
);

const KEY_MGMT_TEXT = ['=', '+', '/', ' ', '\t', 'A', '-', '_', '.', '\r\n', 'mikey ', 'key-mgmt:'];

const STRATEGIES: FuzzStrategy[] = [
  ...byteStrategies('MIKEY', CORPUS, (input) => decodeChecked(input), 2),
  {
    name: 'MIKEY: one payload repeated up to 300 times (oversized payload count)',
    run: (rnd) => decodeChecked(repeatPayload(rnd, rnd.pick(CORPUS))),
  },
  {
    name: 'MIKEY: payloads of two messages spliced at payload boundaries',
    weight: 2,
    run: (rnd) => decodeChecked(splicePayloads(rnd, rnd.pick(CORPUS), rnd.pick(CORPUS))),
  },
  {
    name: 'MIKEY: random octets after a version 1 octet',
    run: (rnd) => decodeChecked(Buffer.concat([Buffer.of(1), rnd.bytes(rnd.int(0, 120))])),
  },
  {
    name: 'MIKEY: a=key-mgmt of a mutated message, or with its text mutated (RFC 4567)',
    run: (rnd) => {
      const message = rnd.pick(CORPUS).bytes;
      let text = keyMgmtAttribute(rnd.int(0, 1) ? flipBits(rnd, message) : message).slice(2);
      for (let n = rnd.int(0, 1) ? rnd.int(1, 3) : 0; n > 0; n--) {
        const at = rnd.int(0, text.length);
        const cut = rnd.int(0, 1) ? rnd.int(0, 4) : 0;
        text = text.slice(0, at) + rnd.pick(KEY_MGMT_TEXT) + text.slice(at + cut);
      }
      let data: Buffer | undefined;
      if (rejection('mikeyFromKeyMgmt', MikeyDecodeError, () => (data = mikeyFromKeyMgmt(text)))) {
        return 'rejected';
      }
      return data ? decodeChecked(data) : 'rejected';
    },
  },
  {
    name: 'MIKEY-TICKET: mutated TRANSFER_INIT opened with the right keys',
    run: (rnd) => {
      const e = CORPUS.find((c) => c.name === 'transferInit')!;
      const input = rnd.int(0, 7) ? flipBits(rnd, e.bytes) : e.bytes; // 1 in 8 left intact
      const { mpk, rand, initiator, responder } = TICKET_EXCHANGE;
      const keys = {
        inkey: mpk,
        rand,
        identities: [Buffer.from(initiator), Buffer.from(responder)],
      };
      const opened = openTicketExchangeMessage(decodeMikey(input), keys);
      check(input.equals(e.bytes), 'only the unmodified message opens'); // flips may cancel
      check(opened.length === 1 && opened[0].key.equals(TGK), 'the TGK is recovered');
      return 'decoded';
    },
  },
  {
    name: 'MIKEY: mutated PSK I_MESSAGE opened with the PSK',
    run: (rnd) => {
      const original = rnd.pick(CORPUS.slice(0, 3)).bytes;
      const input = flipBits(rnd, original);
      openPskInit(input, PSK);
      check(input.equals(original), 'only the unmodified message opens (MAC over every octet)');
      return 'decoded';
    },
  },
  ...byteStrategies('KEMAC key data', KEY_DATA, (input, _from, rnd) => {
    decodeKeyDataList(input, rnd.int(0, 1) === 1);
    return 'decoded';
  }),
];

describe('MIKEY fuzz (test/support/fuzz.ts: FUZZ_ITERATIONS, FUZZ_SEED, FUZZ_CASE)', () => {
  it('10^5 mutated MIKEY and MIKEY-TICKET messages end in a decode or a typed error', () => {
    expect(CORPUS.map((e) => classifyKeyManagement(e.decoded.message).dataType)).toEqual(
      expect.arrayContaining([DataType.TRANSFER_INIT, DataType.RESOLVE_RESP]),
    );
    const report = runFuzz({
      kind: 'MIKEY',
      seed: 0xc0ffee,
      strategies: STRATEGIES,
      typedErrors: [MikeyDecodeError, MikeyCryptoError],
    });
    expectSoundRun(report);
  });
});

describe('declared lengths and counts beyond the input are refused before any allocation', () => {
  const decodeError = (bytes: Buffer): MikeyDecodeError => {
    let error: unknown;
    const largest = largestAllocation(() => {
      try {
        decodeMikey(bytes);
      } catch (e) {
        error = e;
      }
    });
    expect(largest).toBeLessThan(256);
    expect(error).toBeInstanceOf(MikeyDecodeError);
    return error as MikeyDecodeError;
  };

  it('a message over the 65 535-octet limit, before it is read', () => {
    expect(decodeError(Buffer.alloc(65_536, 1)).code).toBe('TOO_LARGE');
  });

  it('an SRTP-ID map of 255 crypto sessions in a 10-octet header', () => {
    const hdr = Buffer.from(CORPUS[0].bytes.subarray(0, 10));
    hdr[8] = 255;
    hdr[9] = CsIdMapType.SRTP_ID;
    expect(decodeError(hdr).code).toBe('TRUNCATED');
  });

  it('a KEMAC declaring 65 535 octets of encrypted data that are not there', () => {
    const e = CORPUS[0];
    const kemac = e.decoded.spans.find((s) => s.type === PayloadType.KEMAC)!;
    const bytes = Buffer.from(e.bytes.subarray(0, kemac.offset + 8));
    bytes.writeUInt16BE(0xffff, kemac.offset + 2);
    expect(decodeError(bytes).code).toBe('TRUNCATED');
  });

  it('a chain of 300 payloads', () => {
    const t = { type: PayloadType.T, tsType: TsType.NTP_UTC, value: Buffer.alloc(8) } as const;
    const { bytes } = encodeMikey({
      header: { ...CORPUS[0].decoded.message.header },
      payloads: new Array(300).fill(t),
    });
    expect(decodeError(bytes).code).toBe('TOO_MANY_PAYLOADS');
  });
});
