// `mailwright ingest --data-dir`: .eml files and mbox straight into a data folder, refused while an instance holds
// it; and the same files through a running instance. The real command (bin/mailwright.mjs → out/main/cli.js, built)
// and a real `serve` on that folder.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessagePage } from '../../../src-shared/index.js';
import { LOOPBACK_PORT_0, cleanEnv, startServe } from '../../helpers/serve-process.js';

const BIN = path.resolve(new URL('../../../bin/mailwright.mjs', import.meta.url).pathname);
let work: string;
let mailDir: string;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: cleanEnv(env) }, (err, stdout, stderr) =>
      resolve({
        code: err ? ((err as { code?: number }).code ?? -1) : 0,
        stdout: String(stdout),
        stderr: String(stderr),
      }),
    );
  });
}

const eml = (subject: string): string =>
  `From: app@shop.test\r\nTo: buyer@shop.test\r\nSubject: ${subject}\r\nMessage-ID: <${subject.replace(/\W/g, '')}@shop.test>\r\n\r\nbody of ${subject}\r\n`;

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'mailwright-ingest-'));
  mailDir = path.join(work, 'mail');
  fs.mkdirSync(path.join(mailDir, 'nested'), { recursive: true });
  fs.writeFileSync(path.join(mailDir, 'one.eml'), eml('offline one'));
  fs.writeFileSync(path.join(mailDir, 'nested', 'two.eml'), eml('offline two'));
  const mbox = ['offline mbox a', 'offline mbox b']
    .map((s) => `From app@shop.test Thu Dec  3 10:00:00 2026\n${eml(s).replace(/\r\n/g, '\n')}\n`)
    .join('');
  fs.writeFileSync(path.join(mailDir, 'archive.mbox'), mbox);
  fs.writeFileSync(path.join(mailDir, 'ignored.png'), 'not mail');
});
afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

async function subjects(http: string): Promise<string[]> {
  const page = (await (await fetch(`${http}/api/messages?limit=100`)).json()) as MessagePage;
  return page.messages.map((m) => m.subject).sort();
}

describe('mailwright ingest --data-dir', () => {
  it('imports .eml files and an mbox into a data folder no instance holds, then serve shows them', async () => {
    const dataDir = path.join(work, 'data-offline');
    const run = await cli(['ingest', mailDir, '--data-dir', dataDir]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('imported 4 message(s) from 3 file(s)');
    expect(fs.existsSync(path.join(dataDir, 'instance.pid'))).toBe(false); // let go when done

    const serve = await startServe([...LOOPBACK_PORT_0, '--data', dataDir], {}, { built: true });
    try {
      expect(await subjects(serve.http)).toEqual(['offline mbox a', 'offline mbox b', 'offline one', 'offline two']);
      // While serve runs on the folder, ingest --data-dir refuses and names the holder; the folder is untouched.
      const refused = await cli(['ingest', path.join(mailDir, 'one.eml'), '--data-dir', dataDir]);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(/in use by a running Mailwright \(process \d+\)/);
      expect(refused.stderr).toContain(dataDir);
      // Through the running instance instead: the same file goes in over HTTP.
      const viaHttp = await cli(['ingest', path.join(mailDir, 'one.eml'), '--url', serve.http]);
      expect(viaHttp.code).toBe(0);
      expect(viaHttp.stdout).toContain('imported 1 message(s) from 1 file(s)');
      expect((await subjects(serve.http)).filter((s) => s === 'offline one')).toHaveLength(2);
    } finally {
      await serve.stop();
    }
    // Stopped: the folder is free again.
    const again = await cli(['ingest', path.join(mailDir, 'archive.mbox'), '--data-dir', dataDir]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('imported 2 message(s) from 1 file(s)');
  });

  it('takes over a folder whose instance file names a process that is gone', async () => {
    const dataDir = path.join(work, 'data-stale');
    fs.mkdirSync(dataDir, { mode: 0o700 });
    // A pid far above pid_max (4194304 at most on Linux) can belong to no process.
    fs.writeFileSync(path.join(dataDir, 'instance.pid'), '99999999\n');
    const run = await cli(['ingest', path.join(mailDir, 'one.eml'), '--data-dir', dataDir]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('imported 1 message(s)');
  });

  it('names bad input: no such file, an empty --data-dir', async () => {
    const missing = await cli(['ingest', path.join(work, 'nope.eml'), '--data-dir', path.join(work, 'd')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no such file or folder');
    const empty = await cli(['ingest', path.join(mailDir, 'one.eml'), '--data-dir', '']);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('--data-dir needs a folder');
  });
});
