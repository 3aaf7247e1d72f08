// The desktop store choice (Settings → Storage) on disk: the URL kept, the password sealed and never handed back,
// MAILWRIGHT_STORE winning, and what the next start gets. Real files in a temp folder, a real SecretBox.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SecretBox } from '../../../src-main/core/secrets.js';
import { STORE_CHOICE_FILE, StoreChoice } from '../../../src-main/electron/store-choice.js';

const URL_ = 'postgres://team@db.example.test:5433/mail';

describe('StoreChoice', () => {
  let dir: string;
  let box: SecretBox;
  const file = (): string => path.join(dir, STORE_CHOICE_FILE);

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mw-store-choice-'));
    box = new SecretBox(crypto.randomBytes(32));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('starts on SQLite when nothing was chosen', () => {
    const c = new StoreChoice(dir, box, {});
    expect(c.view()).toEqual({ url: null, password: null, pinnedBy: null });
    expect(c.forStart()).toEqual({ url: null, warning: null });
  });

  it('seals the password, shows it as stored, and opens it only for the next start', () => {
    const c = new StoreChoice(dir, box, {});
    expect(c.set({ url: URL_, password: 'p@ss:w/rd' })).toEqual({
      url: URL_,
      password: { stored: true },
      pinnedBy: null,
    });
    const text = fs.readFileSync(file(), 'utf8');
    expect(text).not.toContain('p@ss');
    expect(text).not.toContain(encodeURIComponent('p@ss:w/rd'));
    expect((fs.statSync(file()).mode & 0o777).toString(8)).toBe('600');
    const start = new StoreChoice(dir, box, {}).forStart();
    expect(start.warning).toBeNull();
    const u = new URL(start.url!);
    expect(decodeURIComponent(u.password)).toBe('p@ss:w/rd');
    expect(`${u.host}${u.pathname}`).toBe('db.example.test:5433/mail');
  });

  it('takes a password written into the URL out of it and seals it', () => {
    const c = new StoreChoice(dir, box, {});
    const v = c.set({ url: 'postgres://team:inline-secret@db.example.test:5433/mail' });
    expect(v).toEqual({ url: URL_, password: { stored: true }, pinnedBy: null });
    expect(fs.readFileSync(file(), 'utf8')).not.toContain('inline-secret');
    expect(decodeURIComponent(new URL(c.forStart().url!).password)).toBe('inline-secret');
  });

  it('keeps the sealed password for the same URL, drops it for another, removes it on null', () => {
    const c = new StoreChoice(dir, box, {});
    c.set({ url: URL_, password: 'one' });
    expect(c.set({ url: URL_ }).password).toEqual({ stored: true });
    expect(c.set({ url: 'postgres://team@other.example.test/mail' }).password).toBeNull();
    c.set({ url: URL_, password: 'two' });
    expect(c.set({ url: URL_, password: null }).password).toBeNull();
    expect(c.forStart().url).toBe(URL_);
  });

  it('goes back to SQLite when the URL is cleared', () => {
    const c = new StoreChoice(dir, box, {});
    c.set({ url: URL_, password: 'x' });
    expect(c.set({ url: null })).toEqual({ url: null, password: null, pinnedBy: null });
    expect(fs.existsSync(file())).toBe(false);
  });

  it('lets MAILWRIGHT_STORE win and says so', () => {
    const env = { MAILWRIGHT_STORE: 'postgres://ci@127.0.0.1:5432/ci' };
    const c = new StoreChoice(dir, box, env);
    c.set({ url: URL_, password: 'x' });
    expect(c.view().pinnedBy).toBe('MAILWRIGHT_STORE');
    expect(c.forStart()).toEqual({ url: env.MAILWRIGHT_STORE, warning: null });
  });

  it('refuses to save a password while the keychain keeps the key locked, and starts without it', () => {
    new StoreChoice(dir, box, {}).set({ url: URL_, password: 'x' });
    const locked = new StoreChoice(dir, null, {});
    expect(() => locked.set({ url: URL_, password: 'y' })).toThrow(/keychain/);
    const start = locked.forStart();
    expect(start.url).toBe(URL_);
    expect(start.warning).toMatch(/locked/);
  });

  it('says a password sealed by another key cannot be opened, and a damaged file falls back to SQLite', () => {
    new StoreChoice(dir, box, {}).set({ url: URL_, password: 'x' });
    const other = new StoreChoice(dir, new SecretBox(crypto.randomBytes(32)), {}).forStart();
    expect(other).toMatchObject({ url: URL_, warning: expect.stringMatching(/enter it again/) });
    fs.writeFileSync(file(), '{not json');
    const damaged = new StoreChoice(dir, box, {}).forStart();
    expect(damaged.url).toBeNull();
    expect(damaged.warning).toContain('SQLite');
  });
});
