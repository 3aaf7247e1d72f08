// `serve` as a user runs it: a child process on port 0, its ready line, real mail in, HTTP out, SIGTERM.
// Runs the TypeScript entry through tsx, so no build is needed.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { READY_PREFIX, type MessagePage } from '../../../src-shared/index.js';
import { cleanEnv, startServe, type ServeProcess } from '../../helpers/serve-process.js';
import { request, sendRaw, sendSimple } from './helpers.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const NODE_ARGS = ['--import', 'tsx', path.join(ROOT, 'src-main/serve/cli.ts')];

const running: ServeProcess[] = [];
const tmpDirs: string[] = [];
afterAll(async () => {
  for (const run of running) await run.stop('SIGKILL');
  for (const dir of tmpDirs) fs.rmSync(dir, { recursive: true, force: true });
});

function tmpDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailwright-cli-'));
  tmpDirs.push(dir);
  return dir;
}

function runSync(args: string[]) {
  return spawnSync(process.execPath, [...NODE_ARGS, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: cleanEnv(),
    timeout: 60_000,
  });
}

async function start(args: string[]): Promise<ServeProcess> {
  const run = await startServe(args);
  running.push(run);
  return run;
}

describe('serve CLI', () => {
  it('starts on port 0, prints the ready line, serves mail over HTTP and stops cleanly on SIGTERM', async () => {
    const data = tmpDir();
    const run = await start([
      '--smtp',
      '127.0.0.1:0',
      '--smtps',
      '127.0.0.1:0',
      '--http',
      '127.0.0.1:0',
      '--data',
      data,
      '--max-message-size',
      '20000',
    ]);
    const { ready } = run;
    expect(ready.dataDir).toBe(data);
    expect(ready.http).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(ready.smtp.map((l) => [l.id, l.tls])).toEqual([
      ['smtp', 'starttls'],
      ['smtps', 'implicit'],
    ]);
    for (const l of ready.smtp) expect(l.port).toBeGreaterThan(0);

    const lines = run.stdout().trimEnd().split('\n');
    expect(lines).toContain(`SMTP  listening on 127.0.0.1:${ready.smtp[0]!.port} (smtp: STARTTLS, AUTH optional)`);
    expect(lines).toContain(`SMTPS listening on 127.0.0.1:${ready.smtp[1]!.port} (smtps: implicit TLS, AUTH optional)`);
    expect(lines).toContain(`HTTP  ${ready.http}`);
    expect(lines).toContain(`Data  ${data}`);
    expect(lines.filter((l) => l.startsWith(READY_PREFIX))).toHaveLength(1);

    await sendSimple(ready.smtp[0]!.port, 'via the cli');
    const page = (await request(ready.http, '/api/messages')).json<MessagePage>();
    expect(page.messages.map((m) => m.subject)).toContain('via the cli');
    const id = page.messages.find((m) => m.subject === 'via the cli')!.id;
    expect((await request(ready.http, `/api/messages/${id}/raw`)).text()).toContain('Subject: via the cli');

    // --max-message-size reached the capture server: a bigger message is refused, not stored.
    await expect(
      sendRaw(ready.smtp[0]!.port, `Subject: too big\r\n\r\n${'x'.repeat(70)}\r\n`.repeat(400)),
    ).rejects.toThrow(/552|size/i);

    expect(await run.stop('SIGTERM')).toBe(0);
    expect(run.stdout()).toContain('Mailwright stopped');
  });

  it('exits 2 with a clear message on bad flags', () => {
    const unknown = runSync(['--bogus']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('--bogus');
    expect(unknown.stderr).toContain('--help');
    const badPort = runSync(['--smtp', 'nonsense']);
    expect(badPort.status).toBe(2);
    expect(badPort.stderr).toContain('[smtp]');
    const exposed = runSync(['--http', '0.0.0.0:0', '--data', tmpDir()]);
    expect(exposed.status).toBe(2);
    expect(exposed.stderr).toContain('--token');
  });

  it('prints help and exits 0', () => {
    const help = runSync(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('--smtp HOST:PORT');
    expect(help.stdout).toContain('MAILWRIGHT_TOKEN');
  });

  it('exits non-zero and names the flag when the SMTP port is taken', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const res = runSync(['--smtp', `127.0.0.1:${port}`, '--http', '127.0.0.1:0', '--data', tmpDir()]);
      expect(res.status).toBe(1);
      expect(res.stderr).toContain(
        `[smtp] port ${port} is in use (127.0.0.1:${port}): pass --smtp 127.0.0.1:0 or another port`,
      );
      expect(res.stdout).not.toContain(READY_PREFIX);
    } finally {
      blocker.close();
    }
  });
});
