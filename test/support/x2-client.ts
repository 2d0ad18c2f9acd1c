import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tls from 'node:tls';

/** Opens an X2 connection as the NE to the MF at `port` (mutual TLS with the dev PKI's `ne` certificate). */
export async function connectX2(pkiDir: string, port: number): Promise<tls.TLSSocket> {
  const s = tls.connect({
    host: '127.0.0.1',
    port,
    servername: 'localhost',
    ca: readFileSync(join(pkiDir, 'ca.crt')),
    cert: readFileSync(join(pkiDir, 'ne.crt')),
    key: readFileSync(join(pkiDir, 'ne.key')),
  });
  await new Promise<void>((r, j) => s.once('secureConnect', r).once('error', j));
  return s;
}
