// TLS material for the capture listeners: a self-signed certificate made once per data folder and reused.
// Never falls back to smtp-server's built-in certificate (its private key is public).
import { X509Certificate, createPrivateKey } from 'node:crypto';
import fs from 'node:fs';
import { isIP } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { CertificateInfo } from '../../src-shared/index.js';

export interface TlsMaterial {
  key: string;
  cert: string;
  info: CertificateInfo;
}

/**
 * 825 days is the longest validity Apple platforms accept for a TLS server certificate; a longer one
 * would be refused there even after the user chose to trust it.
 */
const VALIDITY_DAYS = 825;
/** A certificate this close to expiry is replaced at start-up rather than failing in the middle of a session. */
const RENEW_BEFORE_MS = 24 * 60 * 60 * 1000;
/** PEM files are a few KB; anything far larger is not ours and is replaced instead of parsed. */
const MAX_PEM_BYTES = 64 * 1024;

export function tlsPaths(dataDir: string): { dir: string; cert: string; key: string } {
  const dir = path.join(dataDir, 'tls');
  return { dir, cert: path.join(dir, 'cert.pem'), key: path.join(dir, 'key.pem') };
}

/** Loads <dataDir>/tls/{cert,key}.pem, or generates and stores a new pair when missing, broken or expiring. */
export async function loadOrCreateCertificate(dataDir: string, hostnames: string[] = []): Promise<TlsMaterial> {
  const names = dnsNames(hostnames);
  return loadOrCreateAt(tlsPaths(dataDir), [
    ...names.map((value) => ({ type: 2 as const, value })),
    { type: 7, ip: '127.0.0.1' },
    { type: 7, ip: '::1' },
  ]);
}

/**
 * A listener's own generated certificate with exactly the SANs the user listed, kept in
 * <dataDir>/tls/generated-<key>/ so clients that trusted it keep trusting it across restarts.
 * A different SAN list has a different key, hence a fresh certificate.
 */
export async function loadOrCreateWithSans(dataDir: string, key: string, sans: string[]): Promise<TlsMaterial> {
  const dir = path.join(tlsPaths(dataDir).dir, key.replace(/[^a-z0-9-]/gi, '-'));
  const altNames = [...new Set(sans.map((s) => s.trim().toLowerCase()))].map((s) =>
    isIP(s) ? { type: 7 as const, ip: s } : { type: 2 as const, value: s },
  );
  return loadOrCreateAt({ dir, cert: path.join(dir, 'cert.pem'), key: path.join(dir, 'key.pem') }, altNames);
}

/** A supplied PEM pair, already validated by listener-config. */
export function pemMaterial(cert: string, key: string): TlsMaterial {
  return { cert, key, info: describeCertificate(new X509Certificate(cert)) };
}

type AltName = { type: 2; value: string } | { type: 7; ip: string };

async function loadOrCreateAt(
  paths: { dir: string; cert: string; key: string },
  altNames: AltName[],
): Promise<TlsMaterial> {
  const existing = readExisting(paths.cert, paths.key);
  if (existing) return existing;

  const notBefore = new Date(Date.now() - 60_000); // a minute back tolerates small clock skew between client and server
  const notAfter = new Date(notBefore.getTime() + VALIDITY_DAYS * 24 * 60 * 60 * 1000);
  // Loaded only when a certificate is made (once per data folder): ~8 MB resident otherwise held for nothing.
  const { generate } = await import('selfsigned');
  const pems = await generate([{ name: 'commonName', value: 'Mailwright local capture' }], {
    keyType: 'rsa', // RSA rather than EC: old SMTP client stacks still lack ECDSA
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate: notBefore,
    notAfterDate: notAfter,
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames },
    ],
  });

  try {
    fs.mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
    writeAtomic(paths.key, pems.private, 0o600);
    writeAtomic(paths.cert, pems.cert, 0o644);
  } catch (err) {
    throw new Error(`[smtp] cannot store the TLS certificate in ${paths.dir}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  return { key: pems.private, cert: pems.cert, info: describeCertificate(new X509Certificate(pems.cert)) };
}

export function describeCertificate(x509: X509Certificate): CertificateInfo {
  return {
    subject: x509.subject,
    validFrom: toIso(x509.validFrom),
    validTo: toIso(x509.validTo),
    fingerprint256: x509.fingerprint256,
  };
}

function readExisting(certPath: string, keyPath: string): TlsMaterial | null {
  try {
    if (fs.statSync(certPath).size > MAX_PEM_BYTES || fs.statSync(keyPath).size > MAX_PEM_BYTES) return null;
    const cert = fs.readFileSync(certPath, 'utf8');
    const key = fs.readFileSync(keyPath, 'utf8');
    const x509 = new X509Certificate(cert);
    if (!x509.checkPrivateKey(createPrivateKey(key))) return null;
    if (Date.parse(x509.validTo) - Date.now() < RENEW_BEFORE_MS) return null;
    // A key someone left readable by others is tightened rather than trusted as is.
    if (process.platform !== 'win32' && (fs.statSync(keyPath).mode & 0o077) !== 0) fs.chmodSync(keyPath, 0o600);
    return { key, cert, info: describeCertificate(x509) };
  } catch {
    return null; // missing or unreadable: a fresh pair replaces it
  }
}

/** localhost plus the machine's names, each a syntactically valid DNS name, without duplicates. */
function dnsNames(extra: string[]): string[] {
  const names = new Set(['localhost']);
  for (const name of [os.hostname(), ...extra]) {
    const n = name.trim().toLowerCase();
    if (/^(?=.{1,253}$)[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$/.test(n))
      names.add(n);
  }
  return [...names];
}

function writeAtomic(file: string, contents: string, mode: number): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, contents, { mode });
  fs.chmodSync(tmp, mode); // the umask may have widened or narrowed the mode given at creation
  fs.renameSync(tmp, file);
}

function toIso(openSslDate: string): string {
  const ms = Date.parse(openSslDate);
  return Number.isNaN(ms) ? openSslDate : new Date(ms).toISOString();
}
