// Sealed secrets: round trip, a fresh nonce each time, tampering and a wrong key refused, and the key file private.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SecretBox, loadOrCreateKeyFile, secretKeyPath } from '../../../src-main/core/secrets.js';
import { KEYCHAIN_KEY_FILE, loadDesktopSecretKey, type KeychainLike } from '../../../src-main/electron/secret-key.js';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'mw-secrets-'));

describe('SecretBox', () => {
  it('opens what it sealed; the sealed text never holds the plain text and differs each time', () => {
    const box = new SecretBox(Buffer.alloc(32, 1));
    const a = box.seal('hunter2 ünïcode');
    const b = box.seal('hunter2 ünïcode');
    expect(a.sealed).not.toBe(b.sealed);
    expect(a.sealed).not.toContain('hunter2');
    expect(box.open(a)).toBe('hunter2 ünïcode');
  });

  it('refuses a wrong key and an altered value with a clear error', () => {
    const sealed = new SecretBox(Buffer.alloc(32, 1)).seal('x');
    expect(() => new SecretBox(Buffer.alloc(32, 2)).open(sealed)).toThrow(/cannot be decrypted/);
    const flipped = Buffer.from(sealed.sealed.slice(4), 'base64');
    flipped[flipped.length - 1]! ^= 1;
    expect(() => new SecretBox(Buffer.alloc(32, 1)).open({ sealed: `mw1:${flipped.toString('base64')}` })).toThrow(/cannot be decrypted/);
    expect(() => new SecretBox(Buffer.alloc(16))).toThrow(/32 bytes/);
  });
});

describe('key files', () => {
  it('creates secret.key once, owner-only, and reuses it', () => {
    const dir = tmp();
    const k1 = loadOrCreateKeyFile(dir);
    expect(loadOrCreateKeyFile(dir).equals(k1)).toBe(true);
    if (process.platform !== 'win32') expect(fs.statSync(secretKeyPath(dir)).mode & 0o077).toBe(0);
    fs.writeFileSync(secretKeyPath(dir), 'short');
    expect(() => loadOrCreateKeyFile(dir)).toThrow(/not a Mailwright secret key/);
  });

  it('desktop: the key is kept sealed by the keychain, or falls back to secret.key with a warning', () => {
    const keychain: KeychainLike = {
      isEncryptionAvailable: () => true,
      encryptString: (s) => Buffer.from(s.split('').reverse().join('')),
      decryptString: (b) => b.toString().split('').reverse().join(''),
    };
    const dir = tmp();
    const first = loadDesktopSecretKey(dir, keychain);
    expect(first.warning).toBeNull();
    expect(fs.existsSync(path.join(dir, KEYCHAIN_KEY_FILE))).toBe(true);
    expect(fs.existsSync(secretKeyPath(dir))).toBe(false);
    expect(loadDesktopSecretKey(dir, keychain).key.equals(first.key)).toBe(true);

    // A keychain that can no longer open the key: moved aside, a new key, and a warning; never a crash.
    const broken = loadDesktopSecretKey(dir, { ...keychain, decryptString: () => { throw new Error('keychain reset'); } });
    expect(broken.warning).toMatch(/keychain reset.*entered again/);
    expect(broken.key.equals(first.key)).toBe(false);
    expect(fs.readdirSync(dir).some((f) => f.startsWith(`${KEYCHAIN_KEY_FILE}.unreadable-`))).toBe(true);
    expect(loadDesktopSecretKey(dir, keychain).key.equals(broken.key)).toBe(true);

    const plain = tmp();
    const fallback = loadDesktopSecretKey(plain, { ...keychain, getSelectedStorageBackend: () => 'basic_text' });
    expect(fallback.warning).toMatch(/No OS keychain/);
    expect(fallback.key.equals(fs.readFileSync(secretKeyPath(plain)))).toBe(true);
  });
});
