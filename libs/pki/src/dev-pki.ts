import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { CertificateAuthority, LeafRequest } from './certificate-authority';

/** URI SAN that marks a client certificate as an LI mediation function (checked by the KMS on Xk). */
export const LI_ROLE_URI = 'urn:x-li:role:df2';

const LOOPBACK = { dnsNames: ['localhost'], ipAddresses: ['127.0.0.1', '::1'] };

/**
 * The dev PKI's leaves: file stem → request. One CA issues all of them.
 * mf: X2/HI2 server and Xk/HI2 client; ne: X2 client (a CSCF); kms/kms2: Ua/Xk server and Zk
 * client; lea: HI2 receiver; operator: REST client; other-mf: a client without the LI role.
 */
export const DEV_LEAVES: Record<string, LeafRequest> = {
  mf: {
    commonName: 'mf.li.example',
    usages: ['server', 'client'],
    ...LOOPBACK,
    uris: [LI_ROLE_URI],
  },
  ne: {
    commonName: 'pcscf1.ims.example',
    usages: ['client'],
    ...LOOPBACK,
    uris: ['urn:x-li:ne:pcscf1'],
  },
  kms: { commonName: 'kms.ims.example', usages: ['server', 'client'], ...LOOPBACK },
  kms2: { commonName: 'kms.peer.example', usages: ['server', 'client'], ...LOOPBACK },
  lea: { commonName: 'lemf.lea.example', usages: ['server', 'client'], ...LOOPBACK },
  operator: { commonName: 'operator1', usages: ['client'] },
  'other-client': { commonName: 'not-li.example', usages: ['client'], ...LOOPBACK },
};

function writeSecret(path: string, data: string): void {
  writeFileSync(path, data, { mode: 0o600 });
  chmodSync(path, 0o600);
}

/** File (in the PKI dir) holding the MF's at-rest encryption key, base64 of 32 random octets. */
export const AT_REST_KEY_FILE = 'at-rest.key';

/**
 * Writes `ca.crt`, `ca.key`, `<name>.crt` / `<name>.key` for every DEV_LEAVES entry and the
 * at-rest key into `dir`. Keys get mode 0600. Returns the CA so callers (tests) can issue more.
 */
export async function writeDevPki(
  dir: string,
  caName = 'LI Dev CA',
): Promise<CertificateAuthority> {
  mkdirSync(dir, { recursive: true });
  const ca = await CertificateAuthority.create(caName);
  writeFileSync(join(dir, 'ca.crt'), ca.issued.certPem);
  writeSecret(join(dir, 'ca.key'), ca.issued.keyPem);
  for (const [name, req] of Object.entries(DEV_LEAVES)) {
    const leaf = await ca.issue(req);
    writeFileSync(join(dir, `${name}.crt`), leaf.certPem);
    writeSecret(join(dir, `${name}.key`), leaf.keyPem);
  }
  writeSecret(join(dir, AT_REST_KEY_FILE), `${randomBytes(32).toString('base64')}\n`);
  return ca;
}

/** True when `dir` already holds a complete dev PKI. */
export function devPkiExists(dir: string): boolean {
  return (
    existsSync(join(dir, AT_REST_KEY_FILE)) &&
    ['ca', ...Object.keys(DEV_LEAVES)].every(
      (n) => existsSync(join(dir, `${n}.crt`)) && existsSync(join(dir, `${n}.key`)),
    )
  );
}
