// Sealed secrets: round trip, a fresh nonce each time, tampering, a wrong key and another field refused, values
// sealed before paths were bound, and the key file private (the desktop key: test/unit/electron/secret-key.test.ts).
import { createCipheriv, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SecretBox, isLegacySealed, loadOrCreateKeyFile, secretKeyPath } from '../../../src-main/core/secrets.js';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'mw-secrets-'));

const PATH = 'listeners.0.auth.credentials.0.password';

/** What Mailwright wrote before secrets were bound to their path: AES-256-GCM without associated data, 'mw1:'. */
function legacySeal(key: Buffer, plain: string): { sealed: string } {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return { sealed: `mw1:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}` };
}

describe('SecretBox', () => {
  it('derives the same purpose key from the same key file, another from another key or label', () => {
    const key = randomBytes(32);
    const a = new SecretBox(key).derive('remote-content gate');
    expect(a).toHaveLength(32);
    expect(new SecretBox(Buffer.from(key)).derive('remote-content gate').equals(a)).toBe(true);
    expect(new SecretBox(key).derive('another purpose').equals(a)).toBe(false);
    expect(new SecretBox(randomBytes(32)).derive('remote-content gate').equals(a)).toBe(false);
    expect(a.equals(key)).toBe(false);
  });

  it('opens what it sealed; the sealed text never holds the plain text and differs each time', () => {
    const box = new SecretBox(Buffer.alloc(32, 1));
    const a = box.seal('hunter2 ünïcode', PATH);
    const b = box.seal('hunter2 ünïcode', PATH);
    expect(a.sealed).not.toBe(b.sealed);
    expect(a.sealed).not.toContain('hunter2');
    expect(box.open(a, PATH)).toBe('hunter2 ünïcode');
  });

  it('refuses a wrong key and an altered value with a clear error', () => {
    const sealed = new SecretBox(Buffer.alloc(32, 1)).seal('x', PATH);
    expect(() => new SecretBox(Buffer.alloc(32, 2)).open(sealed, PATH)).toThrow(/cannot be decrypted/);
    const flipped = Buffer.from(sealed.sealed.slice(4), 'base64');
    flipped[flipped.length - 1]! ^= 1;
    expect(() =>
      new SecretBox(Buffer.alloc(32, 1)).open({ sealed: `mw2:${flipped.toString('base64')}` }, PATH),
    ).toThrow(/cannot be decrypted/);
    expect(() => new SecretBox(Buffer.alloc(16))).toThrow(/32 bytes/);
  });

  it('a value sealed for one setting does not open for another', () => {
    const box = new SecretBox(Buffer.alloc(32, 1));
    const password = box.seal('relay-password', PATH);
    expect(() => box.open(password, 'listeners.0.auth.credentials.1.password')).toThrow(
      /credentials\.1\.password cannot be decrypted/,
    );
    expect(() => box.open(password, 'listeners.1.auth.credentials.0.password')).toThrow(/cannot be decrypted/);
    expect(() => box.open(password, 'listeners.0.certificate.key')).toThrow(/cannot be decrypted/);
  });

  it('a value sealed before paths were bound opens only when the reader asks for the legacy form', () => {
    const key = Buffer.alloc(32, 1);
    const box = new SecretBox(key);
    const old = legacySeal(key, 'old-password');
    expect(isLegacySealed(old)).toBe(true);
    expect(box.open(old, PATH, { legacy: true })).toBe('old-password');
    // In a document written since, an unbound value is refused: it could have been copied from any field.
    expect(() => box.open(old, PATH)).toThrow(/without its setting path/);
    expect(isLegacySealed(box.seal('x', PATH))).toBe(false);
  });
});

describe('key files', () => {
  it('creates secret.key once, owner-only, and reuses it', () => {
    const dir = tmp();
    const k1 = loadOrCreateKeyFile(dir);
    expect(loadOrCreateKeyFile(dir).equals(k1)).toBe(true);
    if (process.platform !== 'win32') {
      expect(fs.statSync(secretKeyPath(dir)).mode & 0o077).toBe(0);
      // A copy or restore left it readable by others: tightened at the next load, the key unchanged.
      fs.chmodSync(secretKeyPath(dir), 0o644);
      expect(loadOrCreateKeyFile(dir).equals(k1)).toBe(true);
      expect(fs.statSync(secretKeyPath(dir)).mode & 0o777).toBe(0o600);
    }
    fs.writeFileSync(secretKeyPath(dir), 'short');
    expect(() => loadOrCreateKeyFile(dir)).toThrow(/not a Mailwright secret key/);
  });
});
