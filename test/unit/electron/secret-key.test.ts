// The desktop key and the OS keychain. A keychain that refuses, is locked or has gone away must not cost the
// user their saved secrets: the key file stays where it is, the app runs with secrets locked (saved settings
// neither used nor overwritten) and says so, and the next start asks again. Only a key the keychain opens but
// that is damaged is set aside, and kept.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { Core } from '../../../src-main/core/core.js';
import { secretKeyPath } from '../../../src-main/core/secrets.js';
import { KEYCHAIN_KEY_FILE, loadDesktopSecretKey, type KeychainLike } from '../../../src-main/electron/secret-key.js';
import { electron } from './fake-electron.js';

const keychain: KeychainLike = electron.safeStorage;
const refusing: KeychainLike = {
  ...keychain,
  decryptString: () => {
    throw new Error('the user denied access');
  },
};

const dirs: string[] = [];
let core: Core | undefined;
afterEach(async () => {
  await core?.stop();
  core = undefined;
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'mw-keychain-'));
  dirs.push(d);
  return d;
}

const keyFile = (dir: string) => path.join(dir, KEYCHAIN_KEY_FILE);
const asideFiles = (dir: string) => fs.readdirSync(dir).filter((f) => f.startsWith(`${KEYCHAIN_KEY_FILE}.`));

describe('desktop secret key', () => {
  it('is kept sealed by the keychain and reused; no plain secret.key is written', () => {
    const dir = tmp();
    const first = loadDesktopSecretKey(dir, keychain);
    expect(first.warning).toBeNull();
    expect(fs.existsSync(keyFile(dir))).toBe(true);
    expect(fs.existsSync(secretKeyPath(dir))).toBe(false);
    expect(loadDesktopSecretKey(dir, keychain).key!.equals(first.key!)).toBe(true);
  });

  it('a refusing keychain: locked, the key file untouched, and the next start gets the same key', () => {
    const dir = tmp();
    const first = loadDesktopSecretKey(dir, keychain);
    const sealed = fs.readFileSync(keyFile(dir));

    const locked = loadDesktopSecretKey(dir, refusing);
    expect(locked.key).toBeNull();
    expect(locked.warning).toMatch(/did not open.*the user denied access.*not saved.*restart/);
    expect(fs.readFileSync(keyFile(dir)).equals(sealed)).toBe(true);
    expect(asideFiles(dir)).toEqual([]);
    expect(fs.existsSync(secretKeyPath(dir))).toBe(false);

    expect(loadDesktopSecretKey(dir, keychain).key!.equals(first.key!)).toBe(true);
  });

  it('a keychain gone for this session (no secret service) locks too, instead of switching to secret.key', () => {
    const dir = tmp();
    loadDesktopSecretKey(dir, keychain);
    const gone: KeychainLike = {
      isEncryptionAvailable: () => false,
      encryptString: () => {
        throw new Error('Encryption is not available.');
      },
      decryptString: () => {
        throw new Error('Encryption is not available.');
      },
    };
    const r = loadDesktopSecretKey(dir, gone);
    expect(r.key).toBeNull();
    expect(r.warning).toMatch(/Encryption is not available/);
    expect(fs.existsSync(secretKeyPath(dir))).toBe(false);
  });

  it('a keychain that fails while it prompts for unlocking is asked once more', () => {
    const dir = tmp();
    const first = loadDesktopSecretKey(dir, keychain);
    let asked = 0;
    const prompting: KeychainLike = {
      ...keychain,
      decryptString: (b) => {
        if (++asked === 1) throw new Error('keychain is locked');
        return keychain.decryptString(b);
      },
    };
    const r = loadDesktopSecretKey(dir, prompting);
    expect(asked).toBe(2);
    expect(r.warning).toBeNull();
    expect(r.key!.equals(first.key!)).toBe(true);
  });

  it('a key the keychain opens but that is damaged is set aside and kept, and a new key made', () => {
    const dir = tmp();
    loadDesktopSecretKey(dir, keychain);
    fs.writeFileSync(keyFile(dir), keychain.encryptString('not a key'));
    const damaged = fs.readFileSync(keyFile(dir));
    const r = loadDesktopSecretKey(dir, keychain);
    expect(r.warning).toMatch(/damaged.*kept as .*corrupt-.*entered again/);
    const aside = asideFiles(dir);
    expect(aside).toHaveLength(1);
    expect(fs.readFileSync(path.join(dir, aside[0]!)).equals(damaged)).toBe(true);
    expect(loadDesktopSecretKey(dir, keychain).key!.equals(r.key!)).toBe(true);
  });

  it('without any keychain, the data folder key secret.key is used with a warning', () => {
    const dir = tmp();
    const fallback = loadDesktopSecretKey(dir, { ...keychain, getSelectedStorageBackend: () => 'basic_text' });
    expect(fallback.warning).toMatch(/No OS keychain/);
    expect(fallback.key!.equals(fs.readFileSync(secretKeyPath(dir)))).toBe(true);
  });

  it('with secrets locked the core runs, shows why, and leaves the saved settings and their secrets untouched', async () => {
    const dir = tmp();
    const smtp = { id: 'smtp', host: '127.0.0.1', port: 0, tls: 'starttls' } as const;
    const submission = {
      id: 'submission',
      host: '127.0.0.1',
      port: 0,
      tls: 'starttls',
      auth: { policy: 'required', mechanisms: ['PLAIN'], credentials: [{ username: 'qa', password: 'keychain-pw-1' }] },
    } as const;
    const start = async (k: KeychainLike): Promise<Core> => {
      const secret = loadDesktopSecretKey(dir, k);
      return Core.start({
        dataDir: dir,
        // Port 0 for the default listener (1025 may be taken); saved listeners still come from the saved row.
        layers: [{ source: 'test', listenerAddress: { host: '127.0.0.1', port: 0, template: smtp } }],
        ...(secret.key ? { secretKey: secret.key } : { secretsLocked: true }),
        ...(secret.warning ? { warnings: [secret.warning] } : {}),
      });
    };
    const savedRow = (): string => {
      const db = new Database(path.join(dir, 'mailwright.db'), { readonly: true });
      try {
        return db.prepare("SELECT value FROM settings WHERE key = 'capture'").pluck().get() as string;
      } finally {
        db.close();
      }
    };

    core = await start(keychain);
    expect((await core.invoke('settings.update', { listeners: [smtp, submission] })).ok).toBe(true);
    await core.stop();
    const before = savedRow();

    core = await start(refusing);
    const settings = await core.invoke('settings.get', {});
    expect(settings.ok && settings.value.warnings.join('\n')).toMatch(/keychain did not open/);
    expect(settings.ok && settings.value.listeners.map((l) => l.id)).toEqual(['smtp']);
    // A change applies while running (here a hostname), but nothing is written over the sealed row.
    const changed = await core.invoke('settings.update', { smtp: { hostname: 'locked.test' } });
    expect(changed.ok && changed.value.smtp.hostname).toBe('locked.test');
    await core.stop();
    expect(savedRow()).toBe(before);

    core = await start(keychain);
    const back = await core.invoke('settings.get', {});
    expect(back.ok && back.value.warnings).toEqual([]);
    expect(back.ok && back.value.listeners.map((l) => l.id)).toEqual(['smtp', 'submission']);
    expect(savedRow()).toBe(before);
  });
});
