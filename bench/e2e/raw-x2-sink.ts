/**
 * The raw baseline's server (child process): the X2 listener's TLS settings (mutual TLS 1.2+
 * against the dev CA, the MF's certificate) and the MF's framer (libs/x2 X2StreamFramer), and
 * nothing else — no decoding beyond framing, no database. It reports `done` once it framed
 * the number of PDUs the parent announced with `expect`.
 */
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { X2StreamFramer } from '@app/x2';
import { ownUsage, serveParent } from './ipc';

const pki = process.env.PKI_DIR!;
let framed = 0;
let expected = Infinity;
const server = tls.createServer({
  ca: readFileSync(join(pki, 'ca.crt')),
  cert: readFileSync(join(pki, 'mf.crt')),
  key: readFileSync(join(pki, 'mf.key')),
  requestCert: true,
  rejectUnauthorized: true,
  minVersion: 'TLSv1.2',
});
server.on('secureConnection', (socket) => {
  const framer = new X2StreamFramer();
  socket.on('error', () => socket.destroy());
  socket.on('data', (chunk: Buffer) => {
    const { pdus, error } = framer.feed(chunk);
    if (error) return socket.destroy();
    framed += pdus.length;
    if (framed >= expected) {
      expected = Infinity;
      process.send?.({ type: 'done', framed });
    }
  });
});

serveParent(
  () =>
    new Promise((resolve) =>
      server.listen(0, '127.0.0.1', () =>
        resolve({ port: (server.address() as AddressInfo).port }),
      ),
    ),
  {
    expect: (m) => {
      framed = 0;
      expected = Number(m.count);
      return Promise.resolve({});
    },
    usage: async () => ({ ...(await ownUsage()) }),
  },
  () => new Promise<void>((r) => server.close(() => r())),
);
