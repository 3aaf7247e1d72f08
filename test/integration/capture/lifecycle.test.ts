// Start, status and stop of the capture server: bound ports, bind failures, the generated certificate, shutdown.
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ListenerStatus } from '../../../src-shared/index.js';
import { CaptureServer, silentLogger, tlsPaths } from '../../../src-main/capture/index.js';
import { IMPLICIT, PLAIN, RawClient, expectCode, openData, startCapture } from './helpers.js';

let dataDir: string;
beforeEach(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mw-life-'));
});
afterEach(() => {
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const sink = { ingest: async () => ({ id: 1 }) };

function peerFingerprint(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      resolve(s.getPeerCertificate().fingerprint256);
      s.destroy();
    });
    s.on('error', reject);
  });
}

describe('certificate', () => {
  it('is generated once, kept in <dataDir>/tls with a 0600 key, and reused on the next start', async () => {
    const first = await startCapture({ dataDir });
    const info = first.server.certificate();
    expect(info?.fingerprint256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(await peerFingerprint(first.port('smtps'))).toBe(info?.fingerprint256);
    await first.close();

    const paths = tlsPaths(dataDir);
    expect(fs.statSync(paths.key).mode & 0o777).toBe(0o600);
    const x509 = new X509Certificate(fs.readFileSync(paths.cert));
    expect(x509.fingerprint256).toBe(info?.fingerprint256);
    expect(x509.subjectAltName).toContain('DNS:localhost');
    expect(x509.subjectAltName).toContain(`DNS:${os.hostname().toLowerCase()}`);
    expect(x509.subjectAltName).toContain('IP Address:127.0.0.1');
    expect(x509.subjectAltName).toMatch(/IP Address:(::1|0:0:0:0:0:0:0:1)\b/);
    expect(info?.subject).toBe('CN=Mailwright local capture');
    expect(Date.parse(info!.validTo)).toBeGreaterThan(Date.now() + 365 * 24 * 3600 * 1000);
    expect(Date.parse(info!.validFrom)).toBeLessThanOrEqual(Date.now());

    const second = await startCapture({ dataDir });
    try {
      expect(second.server.certificate()?.fingerprint256).toBe(info?.fingerprint256);
      expect(await peerFingerprint(second.port('smtps'))).toBe(info?.fingerprint256);
    } finally {
      await second.close();
    }
  });

  it('replaces a corrupt certificate and tightens a loose key mode', async () => {
    const first = await startCapture({ dataDir });
    const original = first.server.certificate()?.fingerprint256;
    await first.close();
    const paths = tlsPaths(dataDir);

    fs.chmodSync(paths.key, 0o644);
    const again = await startCapture({ dataDir });
    expect(again.server.certificate()?.fingerprint256).toBe(original);
    expect(fs.statSync(paths.key).mode & 0o777).toBe(0o600);
    await again.close();

    fs.writeFileSync(paths.cert, 'not a certificate');
    const fresh = await startCapture({ dataDir });
    try {
      expect(fresh.server.certificate()?.fingerprint256).not.toBe(original);
      expect(await peerFingerprint(fresh.port('smtps'))).toBe(fresh.server.certificate()?.fingerprint256);
    } finally {
      await fresh.close();
    }
  });

  it('is null before start', () => {
    expect(new CaptureServer({ dataDir, listeners: [PLAIN], sink }).certificate()).toBeNull();
  });
});

describe('listeners', () => {
  it('reports the bound port for port 0, and any number of listeners', async () => {
    const updates: ListenerStatus[][] = [];
    const server = new CaptureServer({
      dataDir,
      sink,
      logger: silentLogger,
      listeners: [PLAIN, IMPLICIT, { id: 'third', host: '127.0.0.1', port: 0, tls: 'starttls' }],
      onStatus: (l) => updates.push(l),
    });
    expect(server.status().map((l) => l.state)).toEqual(['stopped', 'stopped', 'stopped']);
    const started = await server.start();
    try {
      expect(started.map((l) => l.state)).toEqual(['listening', 'listening', 'listening']);
      expect(new Set(started.map((l) => l.port)).size).toBe(3);
      for (const l of started) {
        expect(l.port).toBeGreaterThan(0);
        expect(l.error).toBeNull();
      }
      expect(updates.at(-1)).toEqual(started);
      const c = await RawClient.connect(started[2]!.port);
      expectCode(await c.reply(), 220);
      c.end();
    } finally {
      await server.stop();
    }
    expect(server.status().map((l) => l.state)).toEqual(['stopped', 'stopped', 'stopped']);
    expect(updates.at(-1)?.map((l) => l.state)).toEqual(['stopped', 'stopped', 'stopped']);
  });

  it('reports a listener that cannot bind as error, names the address, and still starts the others', async () => {
    const holder = await startCapture({ dataDir, listeners: [PLAIN] });
    const taken = holder.port();
    const server = new CaptureServer({
      dataDir,
      sink,
      logger: silentLogger,
      listeners: [{ id: 'clash', host: '127.0.0.1', port: taken, tls: 'starttls' }, IMPLICIT],
    });
    try {
      const status = await server.start();
      expect(status[0]).toMatchObject({ id: 'clash', state: 'error', port: taken });
      expect(status[0]!.error).toContain(`127.0.0.1:${taken}`);
      expect(status[0]!.error).toContain('EADDRINUSE');
      expect(status[1]).toMatchObject({ id: 'smtps', state: 'listening', error: null });
      await server.stop();
      expect(server.status()[0]!.state).toBe('error');
    } finally {
      await server.stop();
      await holder.close();
    }
  });

  it('reports an address that is not on this machine as error', async () => {
    // 192.0.2.1 is TEST-NET-1 (RFC 5737): never assigned to a local interface.
    const server = new CaptureServer({
      dataDir,
      sink,
      logger: silentLogger,
      listeners: [{ id: 'far', host: '192.0.2.1', port: 0, tls: 'starttls' }],
    });
    const [status] = await server.start();
    expect(status).toMatchObject({ state: 'error' });
    expect(status!.error).toMatch(/listener "far" cannot listen on 192\.0\.2\.1:0: .*EADDRNOTAVAIL/);
    await server.stop();
  });

  it('can be stopped while starting, and started again afterwards', async () => {
    const server = new CaptureServer({ dataDir, sink, logger: silentLogger, listeners: [PLAIN] });
    const starting = server.start();
    await server.stop();
    await starting;
    expect(server.status()[0]!.state).toBe('stopped');
    const again = await server.start();
    try {
      expect(again[0]!.state).toBe('listening');
      const c = await RawClient.connect(again[0]!.port);
      expectCode(await c.reply(), 220);
      c.end();
    } finally {
      await server.stop();
    }
  });

  it('rejects a configuration it cannot run, naming the listener', () => {
    expect(() => new CaptureServer({ dataDir, sink, listeners: [PLAIN, PLAIN] })).toThrow(/\[smtp\].*"smtp"/);
    expect(() => new CaptureServer({ dataDir, sink, listeners: [{ ...PLAIN, port: 70000 }] })).toThrow(
      /\[smtp\] listener "smtp": port/,
    );
    expect(() => new CaptureServer({ dataDir, sink, listeners: [PLAIN], maxMessageBytes: -1 })).toThrow(
      /maxMessageBytes/,
    );
  });
});

describe('stop', () => {
  it('says 421 to idle sessions and closes them at once', async () => {
    const h = await startCapture({ dataDir, closeTimeoutMs: 60_000 });
    const idle = await RawClient.connect(h.port());
    expectCode(await idle.reply(), 220);
    expectCode(await idle.command('EHLO idle.test'), 250);
    // With a 60 s grace, only the immediate 421 can make this resolve within the test timeout.
    await h.close();
    expect(await idle.reply()).toMatch(/^421 /);
    await idle.waitClosed();
    expect(h.server.status().every((l) => l.state === 'stopped')).toBe(true);
  });

  it('lets a transaction in flight finish with its 250 before closing', async () => {
    let invoked!: () => void;
    const sinkInvoked = new Promise<void>((r) => (invoked = r));
    let resolveIngest!: (v: { id: number }) => void;
    const h = await startCapture({
      dataDir,
      closeTimeoutMs: 60_000,
      sink: { ingest: () => (invoked(), new Promise((r) => (resolveIngest = r))) },
    });
    const c = await openData(h.port());
    c.write('Subject: in flight\r\n\r\nx\r\n.\r\n');
    await sinkInvoked;
    const stopped = h.close();
    resolveIngest({ id: 9 });
    expect(await c.reply()).toMatch(/^250 .*queued as 9/);
    expect(await c.command('NOOP')).toMatch(/^421 /);
    await stopped;
    await c.waitClosed();
  });

  it('cuts a session that keeps a transaction open past closeTimeoutMs', async () => {
    const h = await startCapture({ dataDir, closeTimeoutMs: 200 });
    const c = await openData(h.port());
    c.write('Subject: never ends\r\n\r\n');
    await h.close();
    await c.waitClosed();
    expect(h.messages).toHaveLength(0);
  });
});
