// Per-listener TLS: a supplied PEM certificate (openssl s_client sees its subject), bad PEM and key mismatch
// refused with a field error, a generated certificate with the user's SANs (new SANs, new certificate),
// certificate info and PEM export, and a per-listener TLS 1.3 floor.
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MailwrightError } from '../../../src-shared/index.js';
import { CaptureServer, silentLogger, type ListenerConfig } from '../../../src-main/capture/index.js';
import { run, startCapture, type Harness } from './helpers.js';

const OPENSSL = '/usr/bin/openssl';
let tmp: string;
let pem: { cert: string; key: string };
let otherKey: string;

async function makePem(cn: string): Promise<{ cert: string; key: string }> {
  const certFile = path.join(tmp, `${cn}.crt`);
  const keyFile = path.join(tmp, `${cn}.key`);
  const res = await run(OPENSSL, [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    `/CN=${cn}`,
    '-keyout',
    keyFile,
    '-out',
    certFile,
  ]);
  if (res.code !== 0) throw new Error(res.stderr);
  return { cert: fs.readFileSync(certFile, 'utf8'), key: fs.readFileSync(keyFile, 'utf8') };
}

let h: Harness;
beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mw-pem-'));
  pem = await makePem('pem.mailwright.test');
  otherKey = (await makePem('other.mailwright.test')).key;
  h = await startCapture({
    listeners: [
      { id: 'pem', host: '127.0.0.1', port: 0, tls: 'implicit', certificate: { mode: 'pem', ...pem } },
      {
        id: 'sans',
        host: '127.0.0.1',
        port: 0,
        tls: 'starttls',
        certificate: { mode: 'generated', sans: ['mail.example.test', '192.0.2.10'] },
      },
      { id: 'tls13', host: '127.0.0.1', port: 0, tls: 'implicit', minTlsVersion: 'TLSv1.3' },
    ],
  });
});
afterAll(async () => {
  await h.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

function sClient(port: number, args: string[] = []) {
  return run(OPENSSL, ['s_client', '-ign_eof', '-connect', `127.0.0.1:${port}`, ...args], 'QUIT\r\n');
}

function construct(listener: ListenerConfig): unknown {
  try {
    new CaptureServer({
      dataDir: tmp,
      sink: { ingest: async () => ({ id: 1 }) },
      logger: silentLogger,
      listeners: [listener],
    });
    return null;
  } catch (err) {
    return err;
  }
}

describe('supplied PEM certificate', () => {
  it('is what the listener presents: openssl s_client shows its subject', async () => {
    const res = await sClient(h.port('pem'));
    expect(res.stdout).toMatch(/subject=CN\s?=\s?pem\.mailwright\.test/);
    expect(res.stdout).toContain('220 mailwright ESMTP');
  });

  it('is described (subject, validity, SHA-256) and exported as PEM, without the key', () => {
    const x = new X509Certificate(pem.cert);
    expect(h.server.certificate('pem')).toEqual({
      subject: 'CN=pem.mailwright.test',
      validFrom: new Date(x.validFrom).toISOString(),
      validTo: new Date(x.validTo).toISOString(),
      fingerprint256: x.fingerprint256,
    });
    expect(h.server.certificatePem('pem')).toBe(pem.cert);
    expect(h.server.certificatePem('pem')).not.toContain('PRIVATE KEY');
    expect(h.server.certificatePem('nope')).toBeNull();
  });

  it('bad PEM and a key that does not match are refused with an error naming the field', () => {
    const base = { id: 'x', host: '127.0.0.1', port: 0, tls: 'implicit' } as const;
    const bad = construct({
      ...base,
      certificate: {
        mode: 'pem',
        cert: '-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----',
        key: pem.key,
      },
    });
    expect(bad).toBeInstanceOf(MailwrightError);
    expect(bad).toMatchObject({
      code: 'invalid_argument',
      field: 'listeners.0.certificate.cert',
      message: expect.stringMatching(/^\[smtp\] listener "x": certificate\.cert is not a PEM certificate/),
    });
    const mismatch = construct({ ...base, certificate: { mode: 'pem', cert: pem.cert, key: otherKey } });
    expect(mismatch).toMatchObject({
      code: 'invalid_argument',
      field: 'listeners.0.certificate.key',
      message: '[smtp] listener "x": certificate.key does not belong to certificate.cert',
    });
  });
});

describe('generated certificate with SANs', () => {
  it('carries exactly the listed SANs; new SANs give a new certificate, the same SANs the same one', async () => {
    const first = new X509Certificate(h.server.certificatePem('sans')!);
    expect(first.subjectAltName).toBe('DNS:mail.example.test, IP Address:192.0.2.10');
    const shared = h.server.certificate();
    expect(h.server.certificate('sans')!.fingerprint256).not.toBe(shared!.fingerprint256);

    const listeners = h.server.status().map((s) => s.id);
    expect(listeners).toEqual(['pem', 'sans', 'tls13']);
    const configs: ListenerConfig[] = [
      { id: 'pem', host: '127.0.0.1', port: 0, tls: 'implicit', certificate: { mode: 'pem', ...pem } },
      {
        id: 'sans',
        host: '127.0.0.1',
        port: 0,
        tls: 'starttls',
        certificate: { mode: 'generated', sans: ['smtp.example.test'] },
      },
      { id: 'tls13', host: '127.0.0.1', port: 0, tls: 'implicit', minTlsVersion: 'TLSv1.3' },
    ];
    await h.server.apply(configs);
    const second = new X509Certificate(h.server.certificatePem('sans')!);
    expect(second.subjectAltName).toBe('DNS:smtp.example.test');
    expect(second.fingerprint256).not.toBe(first.fingerprint256);
    const res = await run(
      OPENSSL,
      ['s_client', '-ign_eof', '-starttls', 'smtp', '-connect', `127.0.0.1:${h.port('sans')}`],
      'QUIT\r\n',
    );
    expect(res.stdout).toMatch(/New, TLSv1\.[23]/);
    // s_client prints the certificate the server presented; it is the new one.
    const presented = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(res.stdout)?.[0];
    expect(new X509Certificate(presented!).fingerprint256).toBe(second.fingerprint256);
    // Going back to the first SAN list finds the certificate kept in the data folder.
    await h.server.apply([
      configs[0]!,
      { ...configs[1]!, certificate: { mode: 'generated', sans: ['192.0.2.10', 'MAIL.example.test'] } },
      configs[2]!,
    ]);
    expect(h.server.certificate('sans')!.fingerprint256).toBe(first.fingerprint256);
  });

  it('refuses a SAN that is neither a DNS name nor an IP, naming the entry', () => {
    const err = construct({
      id: 'x',
      host: '127.0.0.1',
      port: 0,
      tls: 'starttls',
      certificate: { mode: 'generated', sans: ['ok.test', 'bad name'] },
    });
    expect(err).toMatchObject({ code: 'invalid_argument', field: 'listeners.0.certificate.sans.1' });
  });
});

describe('minimum TLS version per listener', () => {
  it('a TLSv1.3 listener refuses a TLS 1.2 client and takes a TLS 1.3 one', async () => {
    const old = await sClient(h.port('tls13'), ['-tls1_2']);
    expect(old.code).not.toBe(0);
    expect(old.stdout + old.stderr).toMatch(/alert protocol version/i);
    const ok = await sClient(h.port('tls13'), ['-tls1_3']);
    expect(ok.stdout).toMatch(/New, TLSv1\.3/);
  });
});
