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
const KEY_BYTES = 32;
/**
 * Tries at opening the key. A locked keychain (GNOME Keyring, KWallet, macOS after a password change) often
 * fails the first request while it shows its unlock prompt, and answers the next; more would only nag.
 */
const KEYCHAIN_ATTEMPTS = 2;

export interface DesktopSecretKey {
  /**
   * null: the keychain did not open the existing key (refused, locked or unavailable). The app then runs with
   * secrets locked: saved settings and their sealed values stay untouched, nothing is saved, and the next start
   * asks the keychain again.
   */
  key: Buffer | null;
  /** Said once at start-up when the key is not protected by the keychain, or could not be opened. */
  warning: string | null;
}

export function loadDesktopSecretKey(dataDir: string, keychain: KeychainLike): DesktopSecretKey {
  const file = path.join(dataDir, KEYCHAIN_KEY_FILE);
  let warning: string | null = null;
  if (fs.existsSync(file)) {
    const opened = openWithKeychain(file, keychain);
    if ('refused' in opened) {
      return {
        key: null,
        warning:
          `The OS keychain did not open Mailwright's key (${opened.refused}). Saved settings with SMTP passwords or ` +
          'private keys are not used and stay as they were, and changes made now apply until you quit but are not ' +
          `saved. Unlock or allow the keychain and restart Mailwright; to give up the saved secrets instead, move ${file} away.`,
      };
    }
    const key = Buffer.from(opened.plain, 'base64');
    if (key.length === KEY_BYTES) return { key, warning: null };
    // The keychain answered, so it is not locked: the file itself is damaged. It is kept (never deleted), so a
    // backup of the keychain or the file can still bring the old secrets back, and a new key takes its place.
    const aside = `${file}.corrupt-${Date.now()}`;
    fs.renameSync(file, aside);
    warning = `Mailwright's key in ${file} is damaged (the keychain opened it, but it holds no key); it was kept as ${aside} and saved SMTP passwords must be entered again.`;
  }
  const backend = keychain.getSelectedStorageBackend?.();
  const usable = keychain.isEncryptionAvailable() && backend !== 'basic_text';
  if (!usable) {
    return {
      key: loadOrCreateKeyFile(dataDir),
      warning:
        'No OS keychain is available: saved SMTP credentials are encrypted with a key in the data folder (secret.key).',
    };
  }
  const key = randomBytes(KEY_BYTES);
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  fs.writeFileSync(file, keychain.encryptString(key.toString('base64')), { mode: 0o600, flag: 'wx' });
  return { key, warning };
}

function openWithKeychain(file: string, keychain: KeychainLike): { plain: string } | { refused: string } {
  let reason = 'no answer';
  for (let attempt = 0; attempt < KEYCHAIN_ATTEMPTS; attempt++) {
    try {
      return { plain: keychain.decryptString(fs.readFileSync(file)) };
    } catch (err) {
      reason = err instanceof Error ? err.message : String(err);
    }
  }
  return { refused: reason };
}
