import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto);

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

const EC: webcrypto.EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' };
const SIGN: webcrypto.EcdsaParams = { name: 'ECDSA', hash: 'SHA-256' };
const DAY_MS = 86_400_000;

/** Extended key usages a leaf may carry (RFC 5280 §4.2.1.12). */
export type LeafUsage = 'server' | 'client';

/** A certificate with its private key, both as PEM (key in PKCS#8). */
export interface IssuedCertificate {
  certPem: string;
  keyPem: string;
  cert: x509.X509Certificate;
}

export interface LeafRequest {
  commonName: string;
  usages: LeafUsage[];
  dnsNames?: string[];
  ipAddresses?: string[];
  /** URI SANs, e.g. the role marker `urn:x-li:role:df2` that the KMS checks on Xk. */
  uris?: string[];
  validityDays?: number;
}

async function keyPair(): Promise<CryptoKeyPair> {
  return await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']);
}

async function keyToPem(key: CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

function serial(): string {
  // Positive 16-octet serial (RFC 5280 §4.1.2.2: up to 20 octets, positive).
  const b = Buffer.from(webcrypto.getRandomValues(new Uint8Array(16)));
  b[0] &= 0x7f;
  b[0] |= 0x01;
  return b.toString('hex');
}

/** A self-signed CA that issues ECDSA P-256 leaves for the dev PKI. */
export class CertificateAuthority {
  private constructor(
    readonly issued: IssuedCertificate,
    private readonly signingKey: CryptoKey,
  ) {}

  static async create(commonName: string, validityDays = 3650): Promise<CertificateAuthority> {
    const keys = await keyPair();
    const now = Date.now();
    const cert = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: serial(),
      name: `CN=${commonName}`,
      notBefore: new Date(now - DAY_MS),
      notAfter: new Date(now + validityDays * DAY_MS),
      keys,
      signingAlgorithm: SIGN,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(
          x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
          true,
        ),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      ],
    });
    return new CertificateAuthority(
      { cert, certPem: cert.toString('pem'), keyPem: await keyToPem(keys.privateKey) },
      keys.privateKey,
    );
  }

  /** Issues an end-entity certificate with the requested EKUs and SANs. */
  async issue(req: LeafRequest): Promise<IssuedCertificate> {
    const keys = await keyPair();
    const now = Date.now();
    const ekus = req.usages.map((u) =>
      u === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth,
    );
    const sans: x509.JsonGeneralName[] = [
      ...(req.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
      ...(req.ipAddresses ?? []).map((value) => ({ type: 'ip' as const, value })),
      ...(req.uris ?? []).map((value) => ({ type: 'url' as const, value })),
    ];
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: serial(),
      subject: `CN=${req.commonName}`,
      issuer: this.issued.cert.subject,
      notBefore: new Date(now - DAY_MS),
      notAfter: new Date(now + (req.validityDays ?? 825) * DAY_MS),
      publicKey: keys.publicKey,
      signingKey: this.signingKey,
      signingAlgorithm: SIGN,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension(ekus, false),
        ...(sans.length ? [new x509.SubjectAlternativeNameExtension(sans, false)] : []),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
        await x509.AuthorityKeyIdentifierExtension.create(this.issued.cert),
      ],
    });
    return { cert, certPem: cert.toString('pem'), keyPem: await keyToPem(keys.privateKey) };
  }
}
