import type { SecureVersion } from 'node:tls';
import type { HttpsOptions } from '@nestjs/common/interfaces/external/https-options.interface';
import { MfConfig, readConfigFile as read } from '../config/mf-config';

/**
 * HTTPS for the REST API when HTTP_TLS is set: the MF certificate and key, TLS 1.2+, and a
 * client-certificate request verified against TLS_CA_FILE. Clients without a certificate
 * are still admitted (they log in with a password) unless HTTP_TLS_REQUIRE_CLIENT_CERT.
 */
export function httpsOptions(
  c: MfConfig,
): (HttpsOptions & { minVersion: SecureVersion }) | undefined {
  if (!c.HTTP_TLS) return undefined;
  return {
    key: read('TLS_KEY_FILE', c.TLS_KEY_FILE),
    cert: read('TLS_CERT_FILE', c.TLS_CERT_FILE),
    ca: read('TLS_CA_FILE', c.TLS_CA_FILE),
    requestCert: true,
    rejectUnauthorized: c.HTTP_TLS_REQUIRE_CLIENT_CERT,
    minVersion: 'TLSv1.2',
  };
}
