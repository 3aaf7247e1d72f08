// The store the desktop app starts on (Settings → Storage): `<userData>/store.json` holds a PostgreSQL URL without
// its password, and the password sealed with the shell's keychain-protected key. Read once before Core starts; a
// change applies at the next start. The password is never handed back, only `{ stored: true }`.
// Must not import electron (tested under plain Node).
import fs from 'node:fs';
import path from 'node:path';
import { MailwrightError, type DesktopCallResults } from '../../src-shared/index.js';
import { isSealed, type SealedSecret, type SecretBox } from '../core/secrets.js';

export const STORE_CHOICE_FILE = 'store.json';
/** What the password is sealed for (AES-GCM associated data): it opens only as this setting. */
const PASSWORD_PATH = 'desktop.store.password';
export const STORE_ENV = 'MAILWRIGHT_STORE';

type StoreChoiceView = DesktopCallResults['desktop.getStore'];

interface SavedChoice {
  url: string;
  password: SealedSecret | null;
}

/** What Core.start gets: the URL with the opened password in it, or none (SQLite); and what to tell the user. */
export interface StartStore {
  url: string | null;
  warning: string | null;
}

function splitPassword(url: string): { url: string; password: string | null } {
  const u = new URL(url);
  if (!u.password) return { url, password: null };
  const password = decodeURIComponent(u.password);
  u.password = '';
  return { url: u.href, password };
}

function joinPassword(url: string, password: string | null): string {
  if (password === null) return url;
  const u = new URL(url);
  u.password = encodeURIComponent(password);
  return u.href;
}

export class StoreChoice {
  readonly #file: string;
  readonly #box: SecretBox | null;
  readonly #env: NodeJS.ProcessEnv;

  /** `box` is null while the keychain keeps the key locked: a password can then be neither saved nor opened. */
  constructor(dataDir: string, box: SecretBox | null, env: NodeJS.ProcessEnv = process.env) {
    this.#file = path.join(dataDir, STORE_CHOICE_FILE);
    this.#box = box;
    this.#env = env;
  }

  #read(): SavedChoice | null {
    let text: string;
    try {
      text = fs.readFileSync(this.#file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    const doc = JSON.parse(text) as { url?: unknown; password?: unknown };
    if (typeof doc.url !== 'string') throw new Error(`${this.#file}: "url" is not a string`);
    return { url: doc.url, password: isSealed(doc.password) ? doc.password : null };
  }

  #pinnedBy(): string | null {
    return this.#env[STORE_ENV]?.trim() ? STORE_ENV : null;
  }

  view(): StoreChoiceView {
    const saved = this.#read();
    return {
      url: saved?.url ?? null,
      password: saved?.password ? { stored: true } : null,
      pinnedBy: this.#pinnedBy(),
    };
  }

  /**
   * Saves the choice for the next start. A password written into the URL is taken out and sealed like one given
   * on its own; `password` undefined keeps the sealed one while the URL stays the same.
   */
  set(choice: { url: string | null; password?: string | null | undefined }): StoreChoiceView {
    if (choice.url === null) {
      fs.rmSync(this.#file, { force: true });
      return this.view();
    }
    let split;
    try {
      split = splitPassword(choice.url);
    } catch {
      throw new MailwrightError('invalid_argument', 'the store URL is not a URL (postgres://USER@HOST:PORT/DB)', 'url');
    }
    const previous = this.#read();
    const given = choice.password !== undefined ? choice.password : (split.password ?? undefined);
    let password: SealedSecret | null;
    if (given === null || given === '') password = null;
    else if (given !== undefined) {
      if (!this.#box) {
        throw new MailwrightError(
          'unavailable',
          'the keychain keeps Mailwright’s key locked, so a password cannot be saved now; unlock it and restart',
          'password',
        );
      }
      password = this.#box.seal(given, PASSWORD_PATH);
    } else password = previous?.url === split.url ? previous.password : null;
    const doc: SavedChoice = { url: split.url, password };
    fs.mkdirSync(path.dirname(this.#file), { recursive: true });
    const tmp = `${this.#file}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(doc, null, 2) + '\n', { mode: 0o600 });
    fs.renameSync(tmp, this.#file);
    return this.view();
  }

  /** The store for Core.start: MAILWRIGHT_STORE first, then the saved choice with its password opened. */
  forStart(): StartStore {
    const pinned = this.#env[STORE_ENV]?.trim();
    if (pinned) return { url: pinned, warning: null };
    let saved: SavedChoice | null;
    try {
      saved = this.#read();
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      return { url: null, warning: `The chosen store could not be read (${why}); mail is kept in SQLite this time.` };
    }
    if (!saved) return { url: null, warning: null };
    if (!saved.password) return { url: saved.url, warning: null };
    if (!this.#box) {
      return {
        url: saved.url,
        warning: 'The keychain keeps Mailwright’s key locked, so the store’s saved password is not used this time.',
      };
    }
    try {
      return { url: joinPassword(saved.url, this.#box.open(saved.password, PASSWORD_PATH)), warning: null };
    } catch {
      return {
        url: saved.url,
        warning: 'The store’s saved password could not be opened (another key sealed it); enter it again.',
      };
    }
  }
}
