import { isIP } from 'node:net';
import { Hi2EncodeError } from './errors';
import {
  BothIriCcCorrelation,
  CCKeyInfo,
  CorrelationValues,
  EpsIRIContent,
  ImsEvent,
  ImsVoipCorrelation,
  ImsVoipCorrelationItem,
  Initiator,
  IriToCcCorrelation,
  IRIParameters,
  MediaDecryptionInfo,
  MediaSecFailureIndication,
} from './schema/eps-hi2-operations';
import {
  HI2_OPERATOR_ID_MAX_OCTETS,
  IPAddress,
  IPValue,
  LIID_MAX_OCTETS,
  LocalTimeStamp,
  NATIONAL_PARAMETER_MAX_OCTETS,
  NATIONAL_PARAMETERS_MAX,
  NetworkElementIdentifier,
  NetworkIdentifierHi2,
  PartyInformation,
  PartyInformationSet,
  PartyQualifier,
  WinterSummerIndication,
} from './schema/hi2-operations';

export type IriRecordType = 'BEGIN' | 'CONTINUE' | 'END' | 'REPORT';
/** Which side of the communication the target is (IRI-Parameters.initiator [4]). */
export type TargetRole = 'originating' | 'terminating' | 'unknown';

/** One party of the communication → PartyInformation (TS 101 671): sip-uri [8] and/or tel-url [9]. */
export interface PartyInput {
  role: 'originating' | 'terminating';
  sipUri?: string;
  telUrl?: string;
}

/** Keys of one crypto session (one media stream) → CCKeyInfo (TS 33.108 B.9). */
export interface CryptoSessionKeys {
  /** MIKEY CS ID (RFC 6043) or SDES crypto tag; a number is written as minimal big-endian octets. */
  csId: number | Buffer;
  masterKey: Buffer;
  masterSalt?: Buffer;
}

/**
 * IRI↔IRI and IRI↔CC correlation. `iri` identifies the session across its IRIs (we use the CIN as
 * ASCII digits, the convention TS 101 671 uses for communication-Identity-Number); `cc` lists the
 * correlation values carried with the CC of the session.
 */
export interface CorrelationInput {
  iri: string | Buffer;
  cc?: Array<string | Buffer>;
  /**
   * Where to put it: imsVoIP [57] IMS-VoIP-Correlation (TS 33.108 IMS VoIP, default),
   * correlation [35] CorrelationValues, or both.
   */
  encodeAs?: 'imsVoIP' | 'correlationValues' | 'both';
}

export interface NetworkIdentifierInput {
  /** operator-Identifier [0], 1..5 octets (TS 101 671 Network-Identifier). */
  operatorId: string;
  /** network-Element-Identifier [1]: a DNS name (dNS-Format [4]) or an IP address (iP-Address [5]). */
  networkElement?: { dns: string } | { ip: string };
}

/** How IRI-Parameters.timeStamp [3] is written: utcTime [1] (default) or localTime [0]. */
export type TimeStampFormat =
  { kind: 'utc' } | { kind: 'local'; offsetMinutes: number; winterSummer?: 'winter' | 'summer' };

/** A domain event of the IRI state machine (ARCHITECTURE.md §3.4–3.7). */
export interface IriEvent {
  liid: string;
  type: IriRecordType;
  timestamp: Date;
  initiator?: TargetRole;
  parties?: PartyInput[];
  imsEvent?: ImsEvent;
  /** The SIP message bytes → sIPMessage [30]. */
  sipMessage?: Buffer;
  /** Decryption keys (delivery mode `keys`) → mediaDecryption-info [42]. */
  keys?: CryptoSessionKeys[];
  /** Keys cannot be obtained → mediaSecFailureIndication [50] genericFailure. */
  mediaSecFailure?: boolean;
  correlation?: CorrelationInput;
  nationalParameters?: Buffer[];
  networkIdentifier?: NetworkIdentifierInput;
}

export interface IriBuilderDefaults {
  networkIdentifier?: NetworkIdentifierInput;
  nationalParameters?: Buffer[];
  timeStampFormat?: TimeStampFormat;
}

const INITIATOR: Record<TargetRole, Initiator> = {
  originating: Initiator.originatingTarget,
  terminating: Initiator.terminatingTarget,
  unknown: Initiator.notAvailable,
};

function octets(field: string, value: string | Buffer, min: number, max: number): Buffer {
  const b = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  if (b.length < min || b.length > max)
    throw new Hi2EncodeError(field, `length ${b.length} outside ${min}..${max}`);
  return b;
}

function csIdOctets(csId: number | Buffer): Buffer {
  if (Buffer.isBuffer(csId)) return octets('cCCSID', csId, 1, 255);
  if (!Number.isSafeInteger(csId) || csId < 0)
    throw new Hi2EncodeError('cCCSID', 'must be a non-negative integer');
  const out: number[] = [];
  for (let v = csId; out.length === 0 || v > 0; v = Math.floor(v / 256)) out.unshift(v % 256);
  return Buffer.from(out);
}

/** `YYYYMMDDHHMMSS[.fff]±hhmm` for the local time at `offsetMinutes` from UTC. */
function localGeneralizedTime(date: Date, offsetMinutes: number): string {
  if (!Number.isInteger(offsetMinutes) || Math.abs(offsetMinutes) > 14 * 60) {
    throw new Hi2EncodeError('timeStamp', 'local offset must be whole minutes within ±14 h');
  }
  const local = new Date(date.getTime() + offsetMinutes * 60_000).toISOString();
  const fraction = local.slice(20, 23).replace(/0+$/, '');
  const abs = Math.abs(offsetMinutes);
  const zone = `${offsetMinutes < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}${String(abs % 60).padStart(2, '0')}`;
  return local.slice(0, 19).replace(/[-:T]/g, '') + (fraction ? `.${fraction}` : '') + zone;
}

function networkIdentifier(input: NetworkIdentifierInput): NetworkIdentifierHi2 {
  const n = new NetworkIdentifierHi2();
  n.operatorIdentifier = octets(
    'operator-Identifier',
    input.operatorId,
    1,
    HI2_OPERATOR_ID_MAX_OCTETS,
  );
  const ne = input.networkElement;
  if (ne) {
    n.networkElementIdentifier = new NetworkElementIdentifier();
    if ('dns' in ne) {
      n.networkElementIdentifier.dNSFormat = octets('dNS-Format', ne.dns, 1, 25);
    } else {
      const family = isIP(ne.ip);
      if (family === 0) throw new Hi2EncodeError('iP-Address', 'not an IP address');
      const ip = new IPAddress();
      ip.iPType = family === 4 ? 0 : 1;
      ip.iPValue = new IPValue();
      ip.iPValue.iPBinaryAddress = ipBinary(ne.ip, family);
      n.networkElementIdentifier.iPAddress = ip;
    }
  }
  return n;
}

function ipBinary(ip: string, family: number): Buffer {
  if (family === 4) return Buffer.from(ip.split('.').map(Number));
  const [head, tail = ''] = ip.includes('::') ? ip.split('::') : [ip, ''];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const v4 =
    t.length && t[t.length - 1].includes('.')
      ? t.pop()
      : h.length && h[h.length - 1].includes('.')
        ? h.pop()
        : undefined;
  const groups = [...h, ...Array<string>(8 - h.length - t.length - (v4 ? 2 : 0)).fill('0'), ...t];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  if (v4) Buffer.from(v4.split('.').map(Number)).copy(out, 12);
  return out;
}

/**
 * Builds TS 33.108 EpsIRIContent records from IRI events. Validates sizes the modules constrain
 * (LIID 1..25, operator-Identifier 1..5, National-Parameters 1..40 × 1..256, partyInformation
 * 1..10) and throws `Hi2EncodeError` naming the field — never its value.
 *
 * SEQUENCE OF / SET OF values (AsnArray subclasses) are created empty and filled by index, each
 * at its own site: the AsnArray constructor copies with `push`, and element stores shared by
 * several Array subclasses, are each about ten times slower.
 */
export class IriBuilder {
  constructor(private readonly defaults: IriBuilderDefaults = {}) {}

  build(event: IriEvent): EpsIRIContent {
    const params = this.parameters(event);
    const record = new EpsIRIContent();
    switch (event.type) {
      case 'BEGIN':
        record.iRIBeginRecord = params;
        break;
      case 'CONTINUE':
        record.iRIContinueRecord = params;
        break;
      case 'END':
        record.iRIEndRecord = params;
        break;
      case 'REPORT':
        record.iRIReportRecord = params;
        break;
      default:
        throw new Hi2EncodeError('type', 'unknown IRI record type');
    }
    return record;
  }

  parameters(event: IriEvent): IRIParameters {
    const p = new IRIParameters();
    p.lawfulInterceptionIdentifier = octets(
      'lawfulInterceptionIdentifier',
      event.liid,
      1,
      LIID_MAX_OCTETS,
    );
    if (Number.isNaN(event.timestamp.getTime()))
      throw new Hi2EncodeError('timeStamp', 'invalid date');
    const format = this.defaults.timeStampFormat ?? { kind: 'utc' };
    if (format.kind === 'utc') {
      p.timeStamp.utcTime = event.timestamp;
    } else {
      const local = new LocalTimeStamp();
      local.generalizedTime = localGeneralizedTime(event.timestamp, format.offsetMinutes);
      local.winterSummerIndication =
        format.winterSummer === 'winter'
          ? WinterSummerIndication.winterTime
          : format.winterSummer === 'summer'
            ? WinterSummerIndication.summerTime
            : WinterSummerIndication.notProvided;
      p.timeStamp.localTime = local;
    }
    if (event.initiator) p.initiator = INITIATOR[event.initiator];
    if (event.parties?.length) p.partyInformation = this.parties(event.parties);
    const national = event.nationalParameters ?? this.defaults.nationalParameters;
    if (national?.length) {
      if (national.length > NATIONAL_PARAMETERS_MAX)
        throw new Hi2EncodeError('national-Parameters', 'more than 40');
      p.nationalParameters = national.map((b) =>
        octets('national-Parameters', b, 1, NATIONAL_PARAMETER_MAX_OCTETS),
      );
    }
    const nid = event.networkIdentifier ?? this.defaults.networkIdentifier;
    if (nid) p.networkIdentifier = networkIdentifier(nid);
    if (event.imsEvent !== undefined) p.iMSevent = event.imsEvent;
    if (event.sipMessage) p.sIPMessage = event.sipMessage;
    if (event.correlation) this.correlate(p, event.correlation);
    if (event.keys?.length && event.mediaSecFailure) {
      throw new Hi2EncodeError(
        'mediaDecryption-info',
        'keys and a failure indication are exclusive',
      );
    }
    if (event.keys?.length) {
      const info = new MediaDecryptionInfo();
      event.keys.forEach((k, i) => (info[i] = this.key(k)));
      p.mediaDecryptionInfo = info;
    }
    if (event.mediaSecFailure)
      p.mediaSecFailureIndication = MediaSecFailureIndication.genericFailure;
    return p;
  }

  private parties(parties: PartyInput[]): PartyInformationSet {
    if (parties.length > 10) throw new Hi2EncodeError('partyInformation', 'more than 10 parties');
    const set = new PartyInformationSet();
    parties.forEach((party, i) => {
      if (!party.sipUri && !party.telUrl)
        throw new Hi2EncodeError('partyIdentity', 'needs sipUri or telUrl');
      const info = new PartyInformation(); // with an empty partyIdentity
      info.partyQualifier =
        party.role === 'originating'
          ? PartyQualifier.originatingParty
          : PartyQualifier.terminatingParty;
      if (party.sipUri) info.partyIdentity.sipUri = Buffer.from(party.sipUri, 'utf8');
      if (party.telUrl) info.partyIdentity.telUrl = Buffer.from(party.telUrl, 'utf8');
      set[i] = info;
    });
    return set;
  }

  private key(k: CryptoSessionKeys): CCKeyInfo {
    const info = new CCKeyInfo();
    info.cCCSID = csIdOctets(k.csId);
    if (k.masterKey.length === 0) throw new Hi2EncodeError('cCDecKey', 'empty key');
    info.cCDecKey = Buffer.from(k.masterKey);
    if (k.masterSalt) info.cCSalt = Buffer.from(k.masterSalt);
    return info;
  }

  private correlate(p: IRIParameters, c: CorrelationInput): void {
    const iri = octets('correlation.iri', c.iri, 1, 255);
    const cc = c.cc?.length ? new IriToCcCorrelation() : undefined;
    if (cc) cc.cc = (c.cc ?? []).map((v) => octets('correlation.cc', v, 1, 255));
    const where = c.encodeAs ?? 'imsVoIP';
    if (where !== 'correlationValues') {
      const item = new ImsVoipCorrelationItem();
      item.imsIri = iri;
      item.imsCc = cc;
      p.imsVoIP = new ImsVoipCorrelation();
      p.imsVoIP[0] = item;
    }
    if (where !== 'imsVoIP') {
      p.correlation = new CorrelationValues();
      if (cc) {
        p.correlation.bothIriCc = new BothIriCcCorrelation();
        p.correlation.bothIriCc.iriCC = cc;
        p.correlation.bothIriCc.iriIRI = iri;
      } else {
        p.correlation.iriToIri = iri;
      }
    }
  }
}
