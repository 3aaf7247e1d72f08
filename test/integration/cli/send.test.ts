// `mailwright send` (the built bin) against a running `serve`: its own capture listener is the far end, a fault
// rule refuses a recipient, and each of the three exit codes is met for real.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SendReport } from '../../../src-shared/index.js';
import { LOOPBACK_PORT_0, startServe, type ServeProcess } from '../../helpers/serve-process.js';

const BIN = path.resolve(new URL('../../../bin/mailwright.mjs', import.meta.url).pathname);
let serve: ServeProcess;
let work: string;

async function api(method: string, route: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${serve.http}${route}`, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`${method} ${route}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

beforeAll(async () => {
  serve = await startServe(LOOPBACK_PORT_0, {}, { built: true, freshDataDir: true });
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'mailwright-cli-send-'));
  await api('POST', '/api/profiles', {
    id: 'loop',
    name: 'This Mailwright',
    host: serve.smtpHost,
    port: serve.smtpPort,
    security: 'none',
  });
  await api('POST', '/api/call/settings.update', {
    faults: [
      {
        id: 'ghost',
        name: 'unknown user',
        enabled: true,
        match: { stage: 'rcpt', recipient: 'ghost@*' },
        action: { kind: 'reply', code: 550, enhanced: '5.1.1', text: 'no such user' },
      },
    ],
  });
  fs.writeFileSync(path.join(work, 'mail.html'), '<h1>Hello from the CLI</h1><p>ünïcode</p>');
  fs.writeFileSync(path.join(work, 'mail.txt'), 'Hello from the CLI');
  fs.writeFileSync(
    path.join(work, 'whole.eml'),
    'From: Shop <shop@example.test>\r\nTo: buyer@example.test\r\nSubject: whole file\r\nMessage-ID: <whole-1@example.test>\r\n\r\nAs it is.\r\n',
  );
});
afterAll(async () => {
  await serve?.stop();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, 'send', ...args],
      { env: { ...process.env, MAILWRIGHT_URL: serve.http }, cwd: work, timeout: 60_000 },
      (err, stdout, stderr) =>
        resolve({
          code: err ? ((err as { code?: number }).code ?? -1) : 0,
          stdout: String(stdout),
          stderr: String(stderr),
        }),
    );
  });
}

describe('mailwright send', () => {
  it('exits 0 when delivered and prints the report as JSON; the message arrives with its HTML', async () => {
    const r = await cli([
      '--profile',
      'this mailwright',
      '--from',
      'cli@example.test',
      '--to',
      'qa@example.test',
      '--cc',
      'lead@example.test',
      '--subject',
      'CLI send',
      '--html',
      'mail.html',
      '--text',
      'mail.txt',
      '--json',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as SendReport;
    expect(report.outcome).toBe('delivered');
    expect(report.accepted.map((a) => a.address).sort()).toEqual(['lead@example.test', 'qa@example.test']);
    const raw = await fetch(`${serve.http}/api/sends/${report.id}/raw`).then((res) => res.text());
    expect(raw).toMatch(/^Subject: CLI send\r$/m);
    const found = (await api('GET', `/api/wait?query=${encodeURIComponent('subject:"CLI send"')}&timeout=10s`)) as {
      id: number;
    };
    const arrived = await fetch(`${serve.http}/api/messages/${found.id}/raw`).then((res) => res.text());
    expect(arrived).toContain('<h1>Hello from the CLI</h1>');
  });

  it('sends an .eml as it is, with its own envelope, and prints a plain report', async () => {
    const r = await cli(['--profile', 'loop', '--eml', 'whole.eml']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^delivered: send #\d+/);
    expect(r.stdout).toContain('accepted buyer@example.test: 250');
    const id = Number(/send #(\d+)/.exec(r.stdout)![1]);
    const raw = await fetch(`${serve.http}/api/sends/${id}/raw`).then((res) => res.text());
    expect(raw).toBe(fs.readFileSync(path.join(work, 'whole.eml'), 'utf8'));
  });

  it('exits 1 when the server refuses, naming the reply', async () => {
    const r = await cli(
      ['--profile', 'loop', '--from', 'cli@example.test', '--to', 'ghost@example.test'].concat([
        '--subject',
        'refused',
        '--text',
        'mail.txt',
      ]),
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^rejected: /);
    expect(r.stdout).toMatch(/rejected ghost@example\.test: 550 5\.1\.1/);
  });

  it('exits 2 for an unknown profile, an unparseable address or a missing file, before sending', async () => {
    const before = ((await api('GET', '/api/sends')) as { total: number }).total;
    const base = ['--from', 'cli@example.test', '--subject', 'bad', '--text', 'mail.txt'];
    const unknown = await cli(['--profile', 'nope', '--to', 'qa@example.test', ...base]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no profile "nope"; there are: loop \(This Mailwright\)/);
    const address = await cli(['--profile', 'loop', '--to', 'not an address', ...base]);
    expect(address.code).toBe(2);
    expect(address.stderr).toMatch(/message\.to\.0: "not an address"/);
    const missing = await cli(['--profile', 'loop', '--to', 'qa@example.test', '--html', 'absent.html']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--html absent\.html: no such file/);
    const eml = await cli(['--profile', 'loop', '--eml', 'absent.eml']);
    expect(eml.code).toBe(2);
    expect(eml.stderr).toMatch(/--eml absent\.eml: no such file/);
    expect(((await api('GET', '/api/sends')) as { total: number }).total).toBe(before);
  });
});
