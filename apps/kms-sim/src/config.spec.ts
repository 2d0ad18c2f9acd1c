import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KmsSimConfigError, loadKmsSimConfig, parseKmsSimConfig } from './config';

const PSK = Buffer.alloc(32, 7).toString('base64');
const base = {
  identity: 'kms.ims.example',
  tls: { ca: 'pki/ca.crt', cert: 'pki/kms.crt', key: 'pki/kms.key' },
  users: [{ identity: 'sip:alice@ims.example', psk: PSK }],
};

describe('kms-sim configuration', () => {
  it('fills defaults and resolves TLS paths against the config file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kms-cfg-'));
    try {
      writeFileSync(join(dir, 'kms.json'), JSON.stringify(base));
      const c = loadKmsSimConfig(join(dir, 'kms.json'));
      expect(c.tls.cert).toBe(join(dir, 'pki/kms.crt'));
      expect(c.ports).toEqual({ ua: 0, xk: 0, zk: 0 });
      expect(c.liRoleUri).toBe('urn:x-li:role:df2');
      expect(c.limits.maxUaBodyBytes).toBe(16 * 1024);
      writeFileSync(join(dir, 'bad.json'), `{"psk": "${PSK}"`);
      expect(() => loadKmsSimConfig(join(dir, 'bad.json'))).toThrow(/not valid JSON/);
      expect(() => loadKmsSimConfig(join(dir, 'bad.json'))).not.toThrow(
        new RegExp(PSK.slice(0, 8)),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses short keys, unknown fields and duplicate users without echoing keys', () => {
    const short = Buffer.alloc(8, 1).toString('base64');
    const err = (input: unknown): KmsSimConfigError => {
      try {
        parseKmsSimConfig(input);
      } catch (e) {
        if (e instanceof KmsSimConfigError) return e;
      }
      throw new Error('accepted');
    };
    const e1 = err({ ...base, users: [{ identity: 'sip:a@x', psk: short }] });
    expect(e1.message).toMatch(/users\.0\.psk/);
    expect(e1.message).not.toContain(short);
    expect(err({ ...base, extra: 1 }).message).toMatch(/extra|Unrecognized/);
    expect(
      err({ ...base, users: [...base.users, { identity: 'SIP:Alice@ims.example', psk: PSK }] })
        .message,
    ).toMatch(/duplicate/);
  });
});
