import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { AddressInfo } from 'node:net';
import {
  AT_REST_KEY_FILE,
  CertificateAuthority,
  DEV_LEAVES,
  devPkiExists,
  LI_ROLE_URI,
  writeDevPki,
} from './index';

/** Opens a mutual-TLS connection; resolves with the server's view of the client, or the error. */
function handshake(
  server: { ca: string; cert: string; key: string },
  client: { ca: string; cert: string; key: string },
): Promise<{ ok: true; peerCn: string } | { ok: false; error: string }> {
  return new Promise((resolve) => {
    const srv = tls.createServer(
      { ...server, requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.2' },
      (s) => {
        s.end('hello');
      },
    );
    srv.on('tlsClientError', () => undefined);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as AddressInfo).port;
      const c = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ...client });
      c.once('secureConnect', () => {
        const peer = c.getPeerCertificate();
        c.once('data', () => {
          c.end();
          srv.close();
          resolve({ ok: true, peerCn: String(peer.subject.CN) });
        });
      });
      const fail = (e: Error) => {
        srv.close();
        resolve({ ok: false, error: e.message });
      };
      c.once('error', fail);
      c.once('end', () => fail(new Error('closed by server')));
    });
  });
}

describe('dev PKI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pki-'));
  const read = (n: string) => readFileSync(join(dir, n), 'utf8');
  beforeAll(() => writeDevPki(dir));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes every certificate, with private keys readable only by the owner', () => {
    expect(devPkiExists(dir)).toBe(true);
    for (const n of ['ca', ...Object.keys(DEV_LEAVES)]) {
      expect(statSync(join(dir, `${n}.key`)).mode & 0o777).toBe(0o600);
      expect(read(`${n}.crt`)).toMatch(/^-----BEGIN CERTIFICATE-----/);
    }
    expect(statSync(join(dir, AT_REST_KEY_FILE)).mode & 0o777).toBe(0o600);
    expect(Buffer.from(read(AT_REST_KEY_FILE).trim(), 'base64')).toHaveLength(32);
  });

  it('gives the MF certificate loopback SANs and the LI role URI', () => {
    const pem = read('mf.crt');
    const x = new X509Certificate(pem);
    expect(x.subjectAltName).toContain('DNS:localhost');
    expect(x.subjectAltName).toContain('IP Address:127.0.0.1');
    expect(x.subjectAltName).toContain(`URI:${LI_ROLE_URI}`);
    expect(x.checkIssued(new X509Certificate(read('ca.crt')))).toBe(true);
  });

  it('lets a client of the same CA in over mutual TLS', async () => {
    const r = await handshake(
      { ca: read('ca.crt'), cert: read('mf.crt'), key: read('mf.key') },
      { ca: read('ca.crt'), cert: read('ne.crt'), key: read('ne.key') },
    );
    expect(r).toEqual({ ok: true, peerCn: 'mf.li.example' });
  });

  it('refuses a client certificate from another CA', async () => {
    const rogue = await CertificateAuthority.create('Rogue CA');
    const leaf = await rogue.issue({ commonName: 'pcscf1.ims.example', usages: ['client'] });
    const r = await handshake(
      { ca: read('ca.crt'), cert: read('mf.crt'), key: read('mf.key') },
      { ca: read('ca.crt'), cert: leaf.certPem, key: leaf.keyPem },
    );
    expect(r.ok).toBe(false);
  });

  it('refuses a server whose certificate comes from another CA', async () => {
    const rogue = await CertificateAuthority.create('Rogue CA');
    const srv = await rogue.issue({
      commonName: 'evil',
      usages: ['server'],
      dnsNames: ['localhost'],
    });
    const r = await handshake(
      { ca: read('ca.crt'), cert: srv.certPem, key: srv.keyPem },
      { ca: read('ca.crt'), cert: read('ne.crt'), key: read('ne.key') },
    );
    expect(r).toEqual({
      ok: false,
      error: expect.stringMatching(/self.signed|unable to (verify|get)/i),
    });
  });
});
