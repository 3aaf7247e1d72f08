// Every fault preset, switched on through settings.update as a user would, gives its exact reply on the wire to a
// real client (swaks, python smtplib); greylisting accepts the retry; throttling lets N through per minute. The fault
// engine's clock is injected so "a minute later" needs no waiting.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CallName, CallResult, FaultRule, SettingsPresets } from '../../../src-shared/index.js';
import { Core } from '../../../src-main/core/core.js';
import { FaultEngine } from '../../../src-main/capture/faults/index.js';
import { run } from '../capture/helpers.js';

const SWAKS = '/usr/bin/swaks';
let dir: string;
let core: Core;
let now = Date.parse('2026-01-01T00:00:00Z');
let presets: SettingsPresets;

async function call<K extends CallName>(name: K, args: unknown): Promise<CallResult<K>> {
  const r = await core.invoke(name, args);
  if (!r.ok) throw Object.assign(new Error(r.error.message), r.error);
  return r.value;
}

function port(): number {
  return core.status().listeners[0]!.port;
}

function swaks(extra: string[] = []) {
  return run(SWAKS, [
    '--server',
    '127.0.0.1',
    '--port',
    String(port()),
    '--timeout',
    '20',
    '--helo',
    'swaks.test',
    '--from',
    'app@example.test',
    '--to',
    'qa@example.test',
    ...extra,
  ]);
}

async function useRule(id: string, change: (r: FaultRule) => FaultRule = (r) => r): Promise<void> {
  const preset = presets.faults.find((f) => f.id === id);
  if (!preset) throw new Error(`no preset ${id}`);
  await call('settings.update', { faults: [change(structuredClone(preset.rule))] });
}

async function stored(): Promise<number> {
  await core.idle();
  return (await call('messages.list', { limit: 1 })).total;
}

/** The newest recorded session's transcript. */
async function lastTranscript() {
  await core.flushSessions();
  const page = await call('sessions.list', { limit: 1 });
  return call('sessions.get', { id: page.sessions[0]!.id });
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mw-fault-wire-'));
  core = await Core.start({
    dataDir: dir,
    listeners: [{ id: 'smtp', host: '127.0.0.1', port: 0, tls: 'none' }],
    faults: new FaultEngine([], { now: () => now }),
  });
  presets = await call('settings.presets', {});
});
afterAll(async () => {
  await core.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});
beforeEach(async () => {
  await call('settings.update', { faults: [] });
});

describe('fault presets on the wire', () => {
  const replies: [string, string[], RegExp][] = [
    ['mailbox-full', [], /<\*\* +552 5\.2\.2 Mailbox full/],
    ['unknown-user', [], /<\*\* +550 5\.1\.1 Recipient address rejected: User unknown/],
    ['rate-limited', [], /<\*\* +421 4\.7\.0 Rate limit exceeded, try again later/],
    ['policy-rejection', [], /<\*\* +554 5\.7\.1 Message rejected due to local policy/],
    [
      'auth-failed',
      ['--auth', 'PLAIN', '--auth-user', 'u', '--auth-password', 'p'],
      /<\*\* +535 5\.7\.8 Authentication credentials invalid/,
    ],
    ['starttls-required', [], /<\*\* +530 5\.7\.0 Must issue a STARTTLS command first/],
    ['temporary-failure', [], /<\*\* +451 4\.3\.0 Temporary failure, please try again later/],
    ['message-too-big', [], /<\*\* +552 5\.3\.4 Message size exceeds fixed limit/],
  ];
  for (const [id, extra, expected] of replies) {
    it(`${id}: swaks sees the exact reply and nothing is stored`, async () => {
      const before = await stored();
      await useRule(id);
      const res = await swaks(extra);
      expect(res.stdout).toMatch(expected);
      expect(res.code).not.toBe(0);
      expect(await stored()).toBe(before);
      expect((await call('metrics.get', {})).faultRuleHits[id]).toBe(1);
    });
  }

  it('greylisted: python smtplib is refused with 451 4.7.1, and the retry after the wait is accepted', async () => {
    await useRule('greylisted');
    const script = `
import json, smtplib, sys
def attempt():
    try:
        with smtplib.SMTP("127.0.0.1", ${port()}, timeout=20) as s:
            s.sendmail("app@example.test", ["qa@example.test"], "Subject: greylisted\\r\\n\\r\\nx")
        return [250, "ok"]
    except smtplib.SMTPRecipientsRefused as e:
        code, text = e.recipients["qa@example.test"]
        return [code, text.decode()]
print(json.dumps(attempt()))
`;
    const before = await stored();
    const first = await run('python3', ['-c', script]);
    expect(JSON.parse(first.stdout)).toEqual([451, '4.7.1 Greylisted, please try again later']);
    const early = await run('python3', ['-c', script]);
    expect(JSON.parse(early.stdout)[0]).toBe(451);
    now += 61_000; // the preset's 60 s have passed
    const retry = await run('python3', ['-c', script]);
    expect(JSON.parse(retry.stdout)).toEqual([250, 'ok']);
    expect(await stored()).toBe(before + 1);
  });

  it('throttled: N messages a minute pass, the next gets 421 4.7.0, a minute later mail flows again', async () => {
    await useRule('throttled', (r) => ({ ...r, action: { kind: 'throttle', perMinute: 2 } }));
    expect((await swaks()).code).toBe(0);
    expect((await swaks()).code).toBe(0);
    const third = await swaks();
    expect(third.stdout).toMatch(/<\*\* +421 4\.7\.0/);
    now += 61_000;
    expect((await swaks()).code).toBe(0);
  });

  it('slow-server delays the greeting and slow-data the DATA reply, then accept', async () => {
    await useRule('slow-server', (r) => ({ ...r, action: { kind: 'delay', ms: 400 } }));
    expect((await swaks()).code).toBe(0);
    const greeting = (await lastTranscript()).transcript.find((l) => l.dir === 'S');
    expect(greeting?.text).toMatch(/^220 /);
    expect(greeting!.at).toBeGreaterThanOrEqual(400);

    await useRule('slow-data', (r) => ({ ...r, action: { kind: 'delay', ms: 400 } }));
    expect((await swaks()).code).toBe(0);
    const t = (await lastTranscript()).transcript;
    const data = t.findIndex((l) => l.dir === 'C' && l.text === 'DATA');
    const queued = t.slice(data).find((l) => l.dir === 'S' && l.text.startsWith('250'));
    expect(queued!.at - t[data]!.at).toBeGreaterThanOrEqual(400);
  });

  it('drop-mid-data: the connection is cut during DATA and nothing is stored', async () => {
    const before = await stored();
    await useRule('drop-mid-data');
    const res = await swaks();
    expect(res.code).not.toBe(0);
    // swaks got its 354 and began the message: the drop really is mid-DATA.
    expect(res.stdout).toMatch(/<- +354 /);
    expect(res.stdout + res.stderr).not.toMatch(/<- +250 .*queued/);
    expect(await stored()).toBe(before);
    expect((await lastTranscript()).outcome).toBe('dropped');
  });
});
