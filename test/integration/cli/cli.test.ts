// The real `mailwright` command (bin/mailwright.mjs → out/main/cli.js) against a running `serve`.
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageSummary } from '../../../src-shared/index.js';
import { corpusFiles } from '../../helpers/corpus.js';
import { LOOPBACK_PORT_0, startServe, type ServeProcess } from '../../helpers/serve-process.js';

const BIN = path.resolve(new URL('../../../bin/mailwright.mjs', import.meta.url).pathname);
let serve: ServeProcess;
let work: string;

beforeAll(async () => {
  serve = await startServe(LOOPBACK_PORT_0, {}, { built: true, freshDataDir: true });
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'mailwright-cli-'));
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

function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { ...process.env, MAILWRIGHT_URL: serve.http, ...env }, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) =>
        resolve({
          code: err ? ((err as { code?: number }).code ?? -1) : 0,
          stdout: String(stdout),
          stderr: String(stderr),
        }),
    );
  });
}

async function send(subject: string, to = 'cli@example.test'): Promise<void> {
  const t = nodemailer.createTransport({
    host: serve.smtpHost,
    port: serve.smtpPort,
    tls: { rejectUnauthorized: false },
  });
  try {
    await t.sendMail({ from: 'app@shop.test', to, subject, text: `body of ${subject}\nFrom the start of a line` });
  } finally {
    t.close();
  }
}

describe('mailwright CLI', () => {
  it('wait prints the message as JSON once it arrives, and exits 1 on timeout', async () => {
    const waiting = cli(['wait', '--query', 'subject:clicheck', '--timeout', '60s', '--after', '0']);
    // The wait is answered by whichever comes first; the message is sent after the process started.
    await send('the clicheck message');
    const done = await waiting;
    expect(done.code).toBe(0);
    expect(JSON.parse(done.stdout) as MessageSummary).toMatchObject({ subject: 'the clicheck message' });
    const timeout = await cli(['wait', '--query', 'subject:never-zz', '--after', '999999', '--timeout', '300ms']);
    expect(timeout.code).toBe(1);
    expect(timeout.stderr).toMatch(/no message matching/);
  });

  it('exits 2 on bad input', async () => {
    expect((await cli(['wait', '--after', 'yesterday'])).code).toBe(2);
    expect((await cli(['wait', '--timeout', '9m'])).code).toBe(2);
    expect((await cli(['frobnicate'])).code).toBe(2);
    expect((await cli(['list', '--bogus'])).code).toBe(2);
    expect((await cli(['ingest', path.join(work, 'missing.eml')])).code).toBe(2);
    expect((await cli(['export', '--format', 'zip'])).code).toBe(2);
    expect((await cli(['export', '--format', 'eml-dir'])).code).toBe(2);
  });

  it('ingests a folder of corpus files into the running instance and lists them as JSON', async () => {
    const dir = path.join(work, 'corpus');
    fs.mkdirSync(dir);
    for (const f of corpusFiles())
      fs.copyFileSync(f, path.join(dir, `${path.basename(path.dirname(f))}-${path.basename(f)}`));
    const ingest = await cli(['ingest', dir]);
    expect(ingest.code).toBe(0);
    const imported = Number(/imported (\d+) message/.exec(ingest.stdout)?.[1]);
    expect(imported).toBeGreaterThan(0);
    const list = await cli(['list', '--json', '--limit', '1000']);
    expect(list.code).toBe(0);
    expect((JSON.parse(list.stdout) as unknown[]).length).toBeGreaterThanOrEqual(imported);
    const none = await cli(['list', '--query', 'subject:"no such subject zzq"', '--json']);
    expect(none.code).toBe(1);
  });

  it('exports matches as mbox and as .eml files that import back byte for byte', async () => {
    await send('export me one');
    await send('export me two');
    const mbox = path.join(work, 'out.mbox');
    const res = await cli(['wait', '--query', 'subject:"export me two"', '--timeout', '30s']);
    expect(res.code).toBe(0);
    // Text search needs the index; wait until both are searchable.
    expect((await cli(['wait', '--query', 'export me one', '--timeout', '30s'])).code).toBe(0);
    expect((await cli(['wait', '--query', 'export me two', '--timeout', '30s'])).code).toBe(0);
    expect((await cli(['export', '--query', '"export me"', '--format', 'mbox', '--out', mbox])).code).toBe(0);
    const text = fs.readFileSync(mbox, 'latin1');
    expect(text.match(/^From \S+ /gm)).toHaveLength(2);
    expect(text).toContain('\n>From the start of a line');
    const dir = path.join(work, 'eml');
    expect((await cli(['export', '--query', '"export me"', '--format', 'eml-dir', '--out', dir])).code).toBe(0);
    const files = fs.readdirSync(dir);
    expect(files).toHaveLength(2);
    const id = path.basename(files[0]!, '.eml');
    const raw = await fetch(`${serve.http}/api/messages/${id}/raw`).then((r) => r.arrayBuffer());
    expect(Buffer.compare(Buffer.from(raw), fs.readFileSync(path.join(dir, files[0]!)))).toBe(0);
    expect((await cli(['export', '--query', 'subject:nothing-zq', '--format', 'mbox'])).code).toBe(1);
  });

  it('serve runs the server as `mailwright serve`', async () => {
    const data = path.join(work, 'serve-data');
    const child = spawn(process.execPath, [BIN, 'serve', ...LOOPBACK_PORT_0, '--data', data], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const ready = new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        const line = out.split('\n').find((l) => l.startsWith('MAILWRIGHT_READY '));
        if (line) resolve(line);
      });
      child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${out}`)));
    });
    const line = await ready;
    const info = JSON.parse(line.slice('MAILWRIGHT_READY '.length)) as { http: string };
    expect((await fetch(`${info.http.replace(/\/$/, '')}/api/status`)).status).toBe(200);
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
