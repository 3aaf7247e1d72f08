// Saved secrets are bound to their setting's path: a sealed password copied into another credential's field in
// mailwright.db does not open (the saved settings are skipped with a warning), and a row saved before the binding
// (version 1, no associated data) still works once and is re-sealed with its paths at that start.
import { createCipheriv, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import nodemailer from 'nodemailer';
import { afterEach, describe, expect, it } from 'vitest';
import { Core } from '../../../src-main/core/core.js';
import { SecretBox, secretKeyPath } from '../../../src-main/core/secrets.js';

const dirs: string[] = [];
let core: Core | undefined;
afterEach(async () => {
  await core?.stop();
  core = undefined;
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'mw-sealed-'));
  dirs.push(d);
  return d;
}

const submission = {
  id: 'submission',
  host: '127.0.0.1',
  port: 0,
  tls: 'none',
  auth: {
    policy: 'required',
    allowPlaintext: true,
    mechanisms: ['PLAIN'],
    credentials: [
      { username: 'qa', password: 'qa-password-1' },
      { username: 'admin', password: 'admin-password-2' },
    ],
  },
} as const;

interface SavedRow {
  version: number;
  keyId: string;
  listeners: { auth: { credentials: { username: string; password: { sealed: string } }[] } }[];
}

function readSaved(dir: string): SavedRow {
  const db = new Database(path.join(dir, 'mailwright.db'), { readonly: true });
  try {
    return JSON.parse(
      db.prepare("SELECT value FROM settings WHERE key = 'capture'").pluck().get() as string,
    ) as SavedRow;
  } finally {
    db.close();
  }
}

function writeSaved(dir: string, row: unknown): void {
  const db = new Database(path.join(dir, 'mailwright.db'));
  try {
    db.prepare("UPDATE settings SET value = ? WHERE key = 'capture'").run(JSON.stringify(row));
  } finally {
    db.close();
  }
}

async function authenticates(c: Core, user: string, pass: string): Promise<boolean> {
  const port = c.status().listeners.find((l) => l.id === 'submission')!.port;
  const t = nodemailer.createTransport({ host: '127.0.0.1', port, ignoreTLS: true, auth: { user, pass } });
  try {
    await t.sendMail({ from: 'app@example.test', to: 'qa@example.test', subject: `as ${user}`, text: 'x' });
    return true;
  } catch (err) {
    if ((err as { responseCode?: number }).responseCode === 535) return false;
    throw err;
  } finally {
    t.close();
  }
}

async function saveSubmission(dir: string): Promise<void> {
  // Port 0 everywhere: the default listener's 1025 may be taken on a shared machine.
  const smtp = { id: 'smtp', host: '127.0.0.1', port: 0, tls: 'starttls' } as const;
  core = await Core.start({
    dataDir: dir,
    layers: [{ source: 'test', listenerAddress: { host: '127.0.0.1', port: 0, template: smtp } }],
  });
  const r = await core.invoke('settings.update', { listeners: [smtp, submission] });
  expect(r.ok ? 'saved' : r.error).toBe('saved');
  await core.stop();
  core = undefined;
}

describe('saved secrets bound to their path', () => {
  it('a sealed password copied into another field does not open', async () => {
    const dir = tmp();
    await saveSubmission(dir);
    const row = readSaved(dir);
    expect(row.version).toBe(2);
    const creds = row.listeners[1]!.auth.credentials;
    // Someone with write access to the database gives admin the password they know (qa's).
    creds[1]!.password = creds[0]!.password;
    writeSaved(dir, row);

    // The saved listeners will be skipped, so the default one is moved to port 0 here.
    core = await Core.start({ dataDir: dir, listeners: [{ id: 'smtp', host: '127.0.0.1', port: 0, tls: 'starttls' }] });
    const settings = await core.invoke('settings.get', {});
    expect(settings.ok && settings.value.warnings.join('\n')).toMatch(
      /listeners\.1\.auth\.credentials\.1\.password cannot be decrypted/,
    );
    expect(settings.ok && settings.value.listeners.map((l) => l.id)).not.toContain('submission');
  });

  it('a row saved before the binding opens once and is re-sealed with its paths at that start', async () => {
    const dir = tmp();
    await saveSubmission(dir);
    const key = fs.readFileSync(secretKeyPath(dir));
    const row = readSaved(dir);
    // Rewrite the row as the previous version wrote it: version 1, AES-GCM without associated data.
    const plain = ['qa-password-1', 'admin-password-2'];
    row.version = 1;
    row.listeners[1]!.auth.credentials.forEach((c, i) => (c.password = legacySeal(key, plain[i]!)));
    writeSaved(dir, row);

    core = await Core.start({ dataDir: dir });
    expect(await authenticates(core, 'admin', 'admin-password-2')).toBe(true);
    expect(await authenticates(core, 'admin', 'qa-password-1')).toBe(false);
    const settings = await core.invoke('settings.get', {});
    expect(settings.ok && settings.value.warnings).toEqual([]);

    const resealed = readSaved(dir);
    expect(resealed.version).toBe(2);
    const box = new SecretBox(key);
    resealed.listeners[1]!.auth.credentials.forEach((c, i) => {
      expect(c.password.sealed.startsWith('mw2:')).toBe(true);
      expect(box.open(c.password, `listeners.1.auth.credentials.${i}.password`)).toBe(plain[i]);
    });
    await core.stop();
    core = await Core.start({ dataDir: dir });
    expect(await authenticates(core, 'qa', 'qa-password-1')).toBe(true);
  });
});

function legacySeal(key: Buffer, plain: string): { sealed: string } {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return { sealed: `mw1:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}` };
}
