// A second, independent far end: Python's aiosmtpd with AUTH, started by the test on loopback. A send through a
// profile authenticates and arrives byte-faithful with the envelope given.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { profileFor, startFarEnd, type Far } from './helpers.js';

const SCRIPT = new URL('../../fixtures/compose/aiosmtpd_far_end.py', import.meta.url).pathname;
/** Debian's python3 carries python3-aiosmtpd; another python3 on PATH may not. */
const PYTHON = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

let far: Far;
let child: ChildProcess;
let port: number;
let out: string;

beforeAll(async () => {
  far = await startFarEnd();
  out = fs.mkdtempSync(path.join(os.tmpdir(), 'mw-aiosmtpd-'));
  child = spawn(PYTHON, [SCRIPT, out, 'tester', 'aio-secret'], { stdio: ['pipe', 'pipe', 'inherit'] });
  port = await new Promise<number>((resolve, reject) => {
    let text = '';
    child.stdout!.on('data', (d: Buffer) => {
      text += d.toString();
      const m = /PORT (\d+)/.exec(text);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`aiosmtpd exited (${code}) before listening`)));
  });
});
afterAll(async () => {
  child?.stdin?.end();
  await far?.close();
  fs.rmSync(out, { recursive: true, force: true });
});

it('sends through aiosmtpd with AUTH LOGIN and PLAIN, byte-faithful, with the envelope given', async () => {
  for (const mechanism of ['LOGIN', 'PLAIN'] as const) {
    const profile = await far.call('compose.profiles.create', {
      profile: { ...profileFor(far, 'plain'), port, auth: { mechanism, user: 'tester', password: 'aio-secret' } },
    });
    const r = await far.call('compose.send', {
      profile: profile.id,
      message: { from: 'a@example.test', to: ['b@example.test'], subject: `via aiosmtpd ${mechanism}`, text: 'hi' },
      envelope: { to: ['envelope@example.test'] },
    });
    expect(r.outcome, r.explanation ?? '').toBe('delivered');
    expect(r.reply).toMatch(/^250 2\.0\.0 kept by aiosmtpd/);
    const files = fs.readdirSync(out).filter((f) => f.endsWith('.eml'));
    const received = fs.readFileSync(path.join(out, `${files.length}.eml`));
    const sent = Buffer.from((await far.call('compose.sends.raw', { id: r.id })).base64, 'base64');
    expect(received.equals(sent)).toBe(true);
    const envelope = JSON.parse(fs.readFileSync(path.join(out, `${files.length}.json`), 'utf8')) as { to: string[] };
    expect(envelope.to).toEqual(['envelope@example.test']);
  }
});

it('bounds a connection test whose AUTH gets no reply by the profile greeting timeout', async () => {
  // aiosmtpd 1.4 leaves a refused AUTH PLAIN unanswered.
  const wrong = await far.call('compose.profiles.create', {
    profile: {
      ...profileFor(far, 'plain'),
      port,
      greetingTimeoutSeconds: 2,
      auth: { mechanism: 'PLAIN', user: 'tester', password: 'nope' },
    },
  });
  const report = await far.call('compose.profiles.test', { id: wrong.id });
  expect(report.ok).toBe(false);
  const auth = report.steps.find((s) => s.name === 'auth');
  expect(auth?.ok).toBe(false);
  expect(report.explanation).toMatch(/535|stopped answering during auth/);
});
