// Secrets at rest: AES-256-GCM with a per-data-folder key, so saved credentials and private keys are never
// plain text in mailwright.db. The desktop shell protects the key with the OS keychain (Electron safeStorage) and
// passes it in; serve mode keeps it in <dataDir>/secret.key, readable by the owner only.
// Must not import electron.
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { MailwrightError } from '../../src-shared/index.js';

const KEY_BYTES = 32;
/** 96-bit nonces are GCM's native size; a random one per value is safe far beyond the few secrets we hold. */
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Sealed without associated data, before values were bound to their setting: opened once, then re-sealed. */
const LEGACY_PREFIX = 'mw1:';
/** Sealed with the setting's path as AES-GCM associated data, so a value copied to another field does not open. */
const PREFIX = 'mw2:';

/** How a sealed value is stored: a marker object, so a plain string in a saved document is never mistaken for one. */
export interface SealedSecret {
  sealed: string;
}

export function isSealed(v: unknown): v is SealedSecret {
  return typeof v === 'object' && v !== null && typeof (v as { sealed?: unknown }).sealed === 'string';
}

/** Whether the value was sealed before secrets were bound to their setting's path (no associated data). */
export function isLegacySealed(v: SealedSecret): boolean {
  return v.sealed.startsWith(LEGACY_PREFIX);
}

export class SecretBox {
  readonly #key: Buffer;
  /** Names the key without revealing it, so a value sealed with another key is told apart from a damaged one. */
  readonly keyId: string;

  constructor(key: Buffer) {
    if (key.length !== KEY_BYTES) throw new Error(`secret key must be ${KEY_BYTES} bytes, got ${key.length}`);
    this.#key = Buffer.from(key);
    this.keyId = createHash('sha256').update('mailwright key id').update(key).digest('hex').slice(0, 16);
  }

  /**
   * A key for another purpose (`label`), derived from this one (HKDF-SHA256): instances that share the key file
   * derive the same one, and it tells nothing of the sealing key.
   */
  derive(label: string): Buffer {
    return Buffer.from(hkdfSync('sha256', this.#key, Buffer.alloc(0), `mailwright ${label}`, KEY_BYTES));
  }

  /** Seals a value for the setting at `path` (e.g. `listeners.1.auth.credentials.0.password`); it opens only there. */
  seal(plain: string, path: string): SealedSecret {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    cipher.setAAD(aad(path));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return { sealed: PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64') };
  }

  /**
   * Opens a value sealed for the setting at `path`. Throws MailwrightError('internal') when it was sealed with
   * another key, for another setting, or altered. A legacy value (no associated data) opens only with
   * `{ legacy: true }`, which the reader of an old saved document passes once before re-sealing it.
   */
  open(value: SealedSecret, path: string, options: { legacy?: boolean } = {}): string {
    try {
      const legacy = isLegacySealed(value);
      if (legacy && !options.legacy)
        throw new Error('sealed without its setting path, in a document that should have none such');
      if (!legacy && !value.sealed.startsWith(PREFIX)) throw new Error('unknown format');
      const raw = Buffer.from(value.sealed.slice((legacy ? LEGACY_PREFIX : PREFIX).length), 'base64');
      if (raw.length < IV_BYTES + TAG_BYTES) throw new Error('too short');
      const decipher = createDecipheriv('aes-256-gcm', this.#key, raw.subarray(0, IV_BYTES));
      if (!legacy) decipher.setAAD(aad(path));
      decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch (err) {
      throw new MailwrightError(
        'internal',
        `the saved secret ${path} cannot be decrypted (${(err as Error).message}): was the data folder moved from another machine, its secret.key replaced, or the value copied from another field?`,
      );
    }
  }
}

/** A fixed label in front of the path, so these bytes can never be mistaken for another use of the same key. */
function aad(path: string): Buffer {
  return Buffer.from(`mailwright secret ${path}`, 'utf8');
}

export function secretKeyPath(dataDir: string): string {
  return path.join(dataDir, 'secret.key');
}

/**
 * Reads <dataDir>/secret.key or creates it (0600, written atomically). The desktop app does not use this file when
 * the OS keychain is available; see electron/secret-key.ts.
 */
export function loadOrCreateKeyFile(dataDir: string): Buffer {
  const file = secretKeyPath(dataDir);
  try {
    const key = fs.readFileSync(file);
    if (key.length === KEY_BYTES) {
      // Checked at every start, as the TLS key is: a copy or restore may have left it readable by others.
      if (process.platform !== 'win32' && (fs.statSync(file).mode & 0o077) !== 0) fs.chmodSync(file, 0o600);
      return key;
    }
    throw new MailwrightError(
      'internal',
      `${file} is not a Mailwright secret key (${key.length} bytes): move it away to start with a new key`,
    );
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const key = randomBytes(KEY_BYTES);
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, key, { mode: 0o600, flag: 'wx' });
  try {
    // link() fails if another process made the key meanwhile: theirs wins, so both use the same key.
    fs.linkSync(tmp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  return fs.readFileSync(file);
}
