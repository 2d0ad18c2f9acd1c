import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadMfConfig } from '../config/mf-config';
import { resolveJwtSecret } from './token.service';

describe('resolveJwtSecret', () => {
  const dir = mkdtempSync(join(tmpdir(), 'jwt-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prefers AUTH_JWT_SECRET, then the file, else a random per-process secret', () => {
    const file = join(dir, 'jwt.secret');
    writeFileSync(file, `${'f'.repeat(40)}\n`);
    const direct = resolveJwtSecret(
      loadMfConfig({ AUTH_JWT_SECRET: 'd'.repeat(32), AUTH_JWT_SECRET_FILE: file }),
    );
    expect([direct.secret.toString(), direct.ephemeral]).toEqual(['d'.repeat(32), false]);
    const fromFile = resolveJwtSecret(loadMfConfig({ AUTH_JWT_SECRET_FILE: file }));
    expect([fromFile.secret.toString(), fromFile.ephemeral]).toEqual(['f'.repeat(40), false]);
    const a = resolveJwtSecret(loadMfConfig({}));
    const b = resolveJwtSecret(loadMfConfig({}));
    expect(a.ephemeral).toBe(true);
    expect(a.secret).toHaveLength(32);
    expect(a.secret.equals(b.secret)).toBe(false);
  });

  it('stops start-up on an unreadable or short secret file', () => {
    expect(() =>
      resolveJwtSecret(loadMfConfig({ AUTH_JWT_SECRET_FILE: join(dir, 'none') })),
    ).toThrow(ConfigError);
    const short = join(dir, 'short');
    writeFileSync(short, 'tiny');
    expect(() => resolveJwtSecret(loadMfConfig({ AUTH_JWT_SECRET_FILE: short }))).toThrow(
      /at least 32/,
    );
  });
});
