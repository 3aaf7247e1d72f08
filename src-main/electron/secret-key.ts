// The key that seals saved secrets (SMTP credentials, private keys) in the desktop app: kept in the data folder
// encrypted by the OS keychain (Electron safeStorage). Where no keychain is available (a Linux session without a
// secret service), the core's plain key file is used and the user is told. Pure: electron's safeStorage is passed in.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { loadOrCreateKeyFile } from '../core/secrets.js';

export interface KeychainLike {
  isEncryptionAvailable(): boolean;
  encryptString(plain: string): Buffer;
  decryptString(sealed: Buffer): string;
  /** Linux only: 'basic_text' means safeStorage would only obfuscate. */
  getSelectedStorageBackend?(): string;
}

export const KEYCHAIN_KEY_FILE = 'secret.key.keychain';

export interface DesktopSecretKey {
  key: Buffer;
  /** Said once at start-up when the key is not protected by the keychain. */
  warning: string | null;
}

export function loadDesktopSecretKey(dataDir: string, keychain: KeychainLike): DesktopSecretKey {
  const file = path.join(dataDir, KEYCHAIN_KEY_FILE);
  const backend = keychain.getSelectedStorageBackend?.();
  const usable = keychain.isEncryptionAvailable() && backend !== 'basic_text';
  let warning: string | null = null;
  if (fs.existsSync(file)) {
    try {
      const key = Buffer.from(keychain.decryptString(fs.readFileSync(file)), 'base64');
      if (key.length !== 32) throw new Error('it does not hold a Mailwright key');
      return { key, warning: null };
    } catch (err) {
      // A keychain that was reset or belongs to another user must not keep the app from starting: the old key file
      // is moved aside (saved passwords then say they need entering again) and a new key is made.
      const aside = `${file}.unreadable-${Date.now()}`;
      fs.renameSync(file, aside);
      warning = `The OS keychain could not open ${file} (${(err as Error).message}); it was moved to ${aside} and saved SMTP passwords must be entered again.`;
    }
  }
  if (!usable) {
    return {
      key: loadOrCreateKeyFile(dataDir),
      warning: 'No OS keychain is available: saved SMTP credentials are encrypted with a key in the data folder (secret.key).',
    };
  }
  const key = randomBytes(32);
  fs.mkdirSync(dataDir, { recursive: true });
  fs.writeFileSync(file, keychain.encryptString(key.toString('base64')), { mode: 0o600, flag: 'wx' });
  return { key, warning };
}
