// Profiles as the `profiles` settings section of a real Core: secrets sealed at rest (never plain in the database),
// shown as {stored: true}, kept across an edit that says so, dropped from exports, read from a config file layer,
// and clear errors for bad input.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Core } from '../../../src-main/core/core.js';
import { profileConfigSchema, type CallName, type CallResult, type ProfileEdit } from '../../../src-shared/index.js';

const CANARY = 'profile-canary-pw-9931';
let dir: string;
let core: Core;

const base: ProfileEdit = {
  id: 'relay',
  name: 'Relay',
  host: 'smtp.example.test',
  port: 587,
  security: 'starttls-required',
  auth: { mechanism: 'LOGIN', user: 'me', password: CANARY },
};

async function call<K extends CallName>(name: K, args: unknown): Promise<CallResult<K>> {
  const r = await core.invoke(name, args);
  if (!r.ok) throw Object.assign(new Error(r.error.message), { field: r.error.field, code: r.error.code });
  return r.value;
}

function databaseText(): string {
  return fs
    .readdirSync(dir)
    .filter((n) => n.startsWith('mailwright.db'))
    .map((n) => fs.readFileSync(path.join(dir, n)).toString('latin1'))
    .join('');
}

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mw-profiles-'));
  core = await Core.start({ dataDir: dir, listeners: [] });
});
afterEach(async () => {
  await core?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('profiles as a settings section', () => {
  it('seals secrets at rest and shows them only as {stored: true}, everywhere', async () => {
    const view = await call('compose.profiles.create', { profile: base });
    expect(view.auth.password).toEqual({ stored: true });
    const settings = await call('settings.get', {});
    expect(settings.profiles[0]?.auth.password).toEqual({ stored: true });
    for (const out of [
      JSON.stringify(settings),
      JSON.stringify(await call('compose.profiles.list', {})),
      JSON.stringify(await call('compose.profiles.export', {})),
    ])
      expect(out).not.toContain(CANARY);
    await core.stop();
    expect(databaseText()).not.toContain(CANARY);
    core = await Core.start({ dataDir: dir, listeners: [] });
    expect((await call('compose.profiles.get', { id: 'relay' })).auth.password).toEqual({ stored: true });
  });

  it('keeps the stored secret when an edit sends {stored: true}, and refuses one where none is stored', async () => {
    await call('compose.profiles.create', { profile: base });
    const kept = await call('compose.profiles.update', {
      id: 'relay',
      profile: { ...base, name: 'Renamed', auth: { mechanism: 'LOGIN', user: 'me', password: { stored: true } } },
    });
    expect(kept.name).toBe('Renamed');
    expect(kept.auth.password).toEqual({ stored: true });
    await expect(
      call('compose.profiles.create', {
        profile: { ...base, id: 'other', auth: { mechanism: 'PLAIN', password: { stored: true } } },
      }),
    ).rejects.toMatchObject({ field: expect.stringMatching(/^profiles\.1\.auth\.password/) });
  });

  it('makes an id from the name, and refuses a second profile with the same id', async () => {
    const { id: _id, ...withoutId } = base;
    expect((await call('compose.profiles.create', { profile: { ...withoutId, name: 'My Relay #1' } })).id).toBe(
      'my-relay-1',
    );
    expect((await call('compose.profiles.create', { profile: { ...withoutId, name: 'My Relay #1' } })).id).toBe(
      'my-relay-1-2',
    );
    await call('compose.profiles.create', { profile: base });
    await expect(call('compose.profiles.create', { profile: base })).rejects.toMatchObject({ code: 'conflict' });
  });

  it('gives a clear error naming the field for a PEM that does not parse', async () => {
    await expect(
      call('compose.profiles.create', { profile: { ...base, tls: { verify: true, ca: 'not a pem' } } }),
    ).rejects.toMatchObject({ field: 'profiles.0.tls.ca' });
    await expect(
      call('compose.profiles.create', {
        profile: { ...base, dkim: { domain: 'example.test', selector: 's', privateKey: 'garbage' } },
      }),
    ).rejects.toMatchObject({ field: 'profiles.0.dkim.privateKey' });
    expect((await call('compose.profiles.list', {})).profiles).toEqual([]);
  });

  it('exports without secrets; an import updates existing ids keeping their secrets and creates new ones without', async () => {
    await call('compose.profiles.create', { profile: base });
    const file = await call('compose.profiles.export', {});
    const result = await call('compose.profiles.import', {
      ...file,
      profiles: [
        { ...file.profiles[0]!, name: 'Updated by import' },
        { ...file.profiles[0]!, id: 'copy', name: 'Copy' },
      ],
    });
    expect(result).toEqual({ created: ['copy'], updated: ['relay'] });
    expect((await call('compose.profiles.get', { id: 'relay' })).auth.password).toEqual({ stored: true });
    expect((await call('compose.profiles.get', { id: 'copy' })).auth.password).toBeUndefined();
  });

  it('takes profiles from a config file layer, secrets included, and pins them', async () => {
    await core.stop();
    core = await Core.start({
      dataDir: dir,
      listeners: [],
      layers: [{ source: 'config file test.json', settings: { profiles: [profileConfigSchema.parse(base)] } }],
    });
    expect((await call('compose.profiles.get', { id: 'relay' })).auth.password).toEqual({ stored: true });
    const settings = await call('settings.get', {});
    expect(settings.pinned.map((p) => p.path)).toContain('profiles');
  });

  it('says which profile is missing', async () => {
    await expect(call('compose.profiles.get', { id: 'nope' })).rejects.toThrow(/no profile "nope"/);
    await expect(call('compose.profiles.test', { id: 'nope' })).rejects.toMatchObject({ code: 'not_found' });
  });
});
