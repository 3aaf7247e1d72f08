// The data folder on a shared machine: created owner-only (0700); the database, its -wal and -shm, and secret.key
// are 0600 and tightened at start if a copy or an older version left them looser; a folder other users can
// enter is reported with the settings (and left as it is: it may be shared on purpose).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { afterEach, describe, expect, it } from 'vitest';
import { Core } from '../../../src-main/core/core.js';

const roots: string[] = [];
let core: Core | undefined;
afterEach(async () => {
  await core?.stop();
  core = undefined;
  for (const d of roots.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const mode = (file: string): number => fs.statSync(file).mode & 0o777;
const DB_FILES = ['mailwright.db', 'mailwright.db-wal', 'mailwright.db-shm'];

async function startIn(dataDir: string): Promise<Core> {
  core = await Core.start({ dataDir, listeners: [{ id: 'smtp', host: '127.0.0.1', port: 0, tls: 'none' }] });
  return core;
}

/** One real message, so the WAL holds data and is not just an empty file SQLite might skip. */
async function deliverOne(c: Core): Promise<void> {
  const port = c.status().listeners[0]!.port;
  const t = nodemailer.createTransport({ host: '127.0.0.1', port, ignoreTLS: true });
  try {
    await t.sendMail({ from: 'a@example.test', to: 'b@example.test', subject: 'private', text: 'x' });
  } finally {
    t.close();
  }
}

async function warnings(c: Core): Promise<string[]> {
  const r = await c.invoke('settings.get', {});
  if (!r.ok) throw new Error(r.error.message);
  return r.value.warnings;
}

describe.skipIf(process.platform === 'win32')('data folder permissions', () => {
  it('a new data folder is 0700; the database, -wal, -shm and secret.key are 0600', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mw-perm-'));
    roots.push(root);
    fs.chmodSync(root, 0o755);
    const dataDir = path.join(root, 'nested', 'data');
    const c = await startIn(dataDir);
    await deliverOne(c);
    expect(mode(dataDir)).toBe(0o700);
    for (const f of DB_FILES) expect(mode(path.join(dataDir, f)), f).toBe(0o600);
    expect(mode(path.join(dataDir, 'secret.key'))).toBe(0o600);
    expect((await warnings(c)).join('\n')).not.toMatch(/data folder/);
  });

  it('tightens looser database files and secret.key at start, and reports a folder others can enter', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mw-perm-'));
    roots.push(dataDir);
    await deliverOne(await startIn(dataDir));
    // Loosen what a restore, a copy or an older version would have left.
    await core!.stop();
    core = undefined;
    fs.chmodSync(dataDir, 0o755);
    for (const f of ['mailwright.db', 'secret.key']) fs.chmodSync(path.join(dataDir, f), 0o644);
    // Left over from a run of an older version, readable by everyone.
    for (const f of ['mailwright.db-wal', 'mailwright.db-shm'])
      fs.writeFileSync(path.join(dataDir, f), '', { mode: 0o644 });
    for (const f of ['mailwright.db-wal', 'mailwright.db-shm']) fs.chmodSync(path.join(dataDir, f), 0o644);

    const c = await startIn(dataDir);
    await deliverOne(c);
    for (const f of DB_FILES) expect(mode(path.join(dataDir, f)), f).toBe(0o600);
    expect(mode(path.join(dataDir, 'secret.key'))).toBe(0o600);
    expect((await warnings(c)).join('\n')).toMatch(
      new RegExp(`data folder ${dataDir} is open to other users \\(mode 0755\\).*chmod 700`),
    );
    expect(mode(dataDir)).toBe(0o755);
    expect(await c.invoke('messages.list', {})).toMatchObject({ ok: true, value: { total: 2 } });
  });
});
