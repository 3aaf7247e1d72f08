// CaptureServer.apply when a listener's certificate cannot be made (data folder not writable, disk full):
// the whole change is refused before anything is touched, naming the listener's certificate, and the running
// listeners keep serving on their ports. Before, the error escaped half-way: a replaced listener was already
// stopped and nothing listened any more.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ListenerConfig } from '../../../src-main/capture/index.js';
import { certificateKey } from '../../../src-main/capture/listener-config.js';
import { RawClient, expectCode, startCapture, type Harness } from './helpers.js';

const SANS = ['mail.blocked.test'];

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

/** A file where the certificate's folder would go: creating it fails (ENOTDIR/EEXIST) even for root. */
function blockCertificateFolder(dataDir: string): void {
  const key = certificateKey({ mode: 'generated', sans: SANS });
  const tls = path.join(dataDir, 'tls');
  fs.mkdirSync(tls, { recursive: true });
  fs.writeFileSync(path.join(tls, key.replace(/[^a-z0-9-]/gi, '-')), 'not a folder');
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

async function greets(port: number): Promise<void> {
  const c = await RawClient.connect(port);
  expectCode(await c.reply(), 220);
  c.end();
}

async function refusal(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => null,
    (e: unknown) => e,
  );
}

describe('CaptureServer.apply: a certificate that cannot be made', () => {
  it('a new listener: nothing changes, the error names its certificate', async () => {
    const a: ListenerConfig = { id: 'a', host: '127.0.0.1', port: 0, tls: 'starttls' };
    h = await startCapture({ listeners: [a] });
    blockCertificateFolder(h.dataDir);
    const before = h.server.status();
    const err = await refusal(
      h.server.apply([
        a,
        { id: 'b', host: '127.0.0.1', port: 0, tls: 'starttls', certificate: { mode: 'generated', sans: SANS } },
      ]),
    );
    expect(err).toMatchObject({ code: 'unavailable', field: 'listeners.1.certificate' });
    expect((err as Error).message).toMatch(/listener "b".*certificate/);
    expect(h.server.status()).toEqual(before);
    await greets(h.port('a'));
  });

  it('a listener that replaces itself on the same port keeps listening with its old settings', async () => {
    const port = await freePort();
    const a: ListenerConfig = { id: 'a', host: '127.0.0.1', port, tls: 'starttls' };
    h = await startCapture({ listeners: [a] });
    blockCertificateFolder(h.dataDir);
    const err = await refusal(h.server.apply([{ ...a, certificate: { mode: 'generated', sans: SANS } }]));
    expect(err).toMatchObject({ code: 'unavailable', field: 'listeners.0.certificate' });
    expect(h.server.status().map((s) => [s.id, s.state, s.port])).toEqual([['a', 'listening', port]]);
    await greets(port);

    // Once the folder can be written, the same change applies.
    fs.rmSync(path.join(h.dataDir, 'tls'), { recursive: true, force: true });
    const status = await h.server.apply([{ ...a, certificate: { mode: 'generated', sans: SANS } }]);
    expect(status.map((s) => [s.id, s.state, s.port])).toEqual([['a', 'listening', port]]);
    await greets(port);
  });
});
