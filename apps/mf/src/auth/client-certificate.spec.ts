import { parseCertUserMapping, CertUserMapping } from '../config/mf-config';
import { userForCertificate, verifiedClientCertificate } from './client-certificate';

const print = 'ab'.repeat(32);
const mappings = ['cn:operator1=carol', `sha256:${'AB:'.repeat(31)}AB=dave`].map(
  (s) => parseCertUserMapping(s) as CertUserMapping,
);

describe('client certificate → user', () => {
  it('parses both selector forms', () => {
    expect(mappings).toEqual([
      { kind: 'cn', cn: 'operator1', user: 'carol' },
      { kind: 'sha256', fingerprint: print, user: 'dave' },
    ]);
    expect(parseCertUserMapping('operator1=carol')).toBeNull();
    expect(parseCertUserMapping('sha256:abcd=carol')).toBeNull();
    expect(parseCertUserMapping('cn:x=bad user')).toBeNull();
  });

  it('prefers the fingerprint, falls back to the CN, and maps nothing else', () => {
    expect(userForCertificate({ subjectCn: 'operator1', sha256: print }, mappings)).toBe('dave');
    expect(userForCertificate({ subjectCn: 'operator1', sha256: '00' }, mappings)).toBe('carol');
    expect(userForCertificate({ subjectCn: 'Operator1', sha256: '00' }, mappings)).toBeNull();
    expect(userForCertificate({ subjectCn: null, sha256: '00' }, mappings)).toBeNull();
  });

  it('ignores sockets that are not TLS or whose peer did not verify', () => {
    const raw = Buffer.from('cert');
    const peer = { raw, subject: { CN: 'operator1' } };
    expect(verifiedClientCertificate({})).toBeNull();
    expect(verifiedClientCertificate(null)).toBeNull();
    expect(
      verifiedClientCertificate({ authorized: false, getPeerCertificate: () => peer }),
    ).toBeNull();
    // sha256("cert") from sha256sum(1)
    expect(verifiedClientCertificate({ authorized: true, getPeerCertificate: () => peer })).toEqual(
      {
        subjectCn: 'operator1',
        sha256: '06298432e8066b29e2223bcc23aa9504b56ae508fabf3435508869b9c3190e22',
      },
    );
  });
});
