import { Global, Module } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { MF_CONFIG } from '../config/config.module';
import { ConfigError, MfConfig } from '../config/mf-config';
import { SecretBox } from './secret-box';

/** The at-rest key: KEY_ENCRYPTION_KEY if set, else the content of KEY_ENCRYPTION_KEY_FILE. */
export function atRestKey(config: MfConfig): Buffer {
  const b64 =
    config.KEY_ENCRYPTION_KEY ??
    (() => {
      try {
        return readFileSync(config.KEY_ENCRYPTION_KEY_FILE, 'utf8').trim();
      } catch {
        throw new ConfigError([
          `KEY_ENCRYPTION_KEY_FILE: cannot read ${config.KEY_ENCRYPTION_KEY_FILE} (set KEY_ENCRYPTION_KEY or run npm run pki)`,
        ]);
      }
    })();
  const key = Buffer.from(b64, 'base64');
  if (key.length !== 32) throw new ConfigError(['at-rest key: must be 32 octets, base64-encoded']);
  return key;
}

/** Provides the SecretBox that seals key material and passwords at rest. */
@Global()
@Module({
  providers: [
    {
      provide: SecretBox,
      inject: [MF_CONFIG],
      useFactory: (c: MfConfig) => new SecretBox(atRestKey(c)),
    },
  ],
  exports: [SecretBox],
})
export class SecurityModule {}
