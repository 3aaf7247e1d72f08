// The last-resort policy in a real `serve` process: an exception thrown from a timer, or a promise rejection
// nobody handled, is logged with its stack and shown in the settings warnings while SMTP keeps accepting mail;
// a storm of them (STORM_LIMIT) shuts down cleanly with exit code 70, and nothing acknowledged is lost.
// The faults are injected by test/helpers/inject-fault.mjs on SIGUSR2.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import nodemailer from 'nodemailer';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { MessagePage, Settings } from '../../../src-shared/index.js';
import { STORM_LIMIT, UNCAUGHT_EXIT_CODE } from '../../../src-main/core/last-resort.js';
import { startServe, type ServeProcess } from '../../helpers/serve-process.js';
import { request } from './helpers.js';

const INJECTOR = pathToFileURL(fileURLToPath(new URL('../../helpers/inject-fault.mjs', import.meta.url))).href;
/** How long one injected fault may take to show in the log on a loaded machine. */
const FAULT_SEEN_MS = 15_000;

const running: ServeProcess[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) await s.stop('SIGKILL');
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

async function start(mode: 'throw' | 'reject', dataDir?: string): Promise<{ serve: ServeProcess; dataDir: string }> {
  const dir = dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'mw-last-resort-'));
  if (!dataDir) dirs.push(dir);
  const serve = await startServe(['--data', dir, '--smtp', '127.0.0.1:0', '--http', '127.0.0.1:0'], {
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${INJECTOR}`.trim(),
    MAILWRIGHT_TEST_FAULT: mode,
  });
  running.push(serve);
  return { serve, dataDir: dir };
}

const count = (text: string, needle: string): number => text.split(needle).length - 1;

async function inject(serve: ServeProcess, logLine: string): Promise<void> {
  const before = count(serve.output(), logLine);
  serve.child.kill('SIGUSR2');
  await vi.waitFor(() => expect(count(serve.output(), logLine)).toBeGreaterThan(before), {
    timeout: FAULT_SEEN_MS,
    interval: 20,
  });
}

async function send(serve: ServeProcess, subject: string): Promise<string> {
  const t = nodemailer.createTransport({ host: '127.0.0.1', port: serve.ready.smtp[0]!.port, ignoreTLS: true });
  try {
    return (
      (await t.sendMail({ from: 'app@example.test', to: 'qa@example.test', subject, text: subject })) as {
        response: string;
      }
    ).response;
  } finally {
    t.close();
  }
}

describe('serve: the last-resort policy', () => {
  it('an uncaught exception is logged and shown; SMTP and HTTP stay up', async () => {
    const { serve } = await start('throw');
    await inject(serve, '[serve] uncaught exception: Error: injected fault 1');
    expect(serve.output()).toMatch(/injected fault 1\n\s+at /); // the stack is in the log
    expect(serve.child.exitCode).toBeNull();
    expect(await send(serve, 'after a throw')).toMatch(/^250 /);
    const settings = (await request(serve.ready.http, '/api/settings')).json<Settings>();
    expect(settings.warnings.join('\n')).toMatch(
      /internal error was caught.*uncaught exception: injected fault 1.*keeps being accepted/,
    );
  });

  it('an unhandled rejection is logged and shown; SMTP stays up', async () => {
    const { serve } = await start('reject');
    await inject(serve, '[serve] unhandled promise rejection: Error: injected fault 1');
    expect(serve.child.exitCode).toBeNull();
    expect(await send(serve, 'after a rejection')).toMatch(/^250 /);
    const settings = (await request(serve.ready.http, '/api/settings')).json<Settings>();
    expect(settings.warnings.join('\n')).toMatch(/unhandled promise rejection: injected fault 1/);
  });

  it(`a storm of ${STORM_LIMIT} stops cleanly with exit ${UNCAUGHT_EXIT_CODE}, and the mail it acknowledged is kept`, async () => {
    const { serve, dataDir } = await start('throw');
    expect(await send(serve, 'before the storm')).toMatch(/^250 /);
    for (let i = 1; i < STORM_LIMIT; i++) await inject(serve, '[serve] uncaught exception:');
    expect(serve.child.exitCode).toBeNull();
    const exited = new Promise<number | null>((resolve) => {
      if (serve.child.exitCode !== null) resolve(serve.child.exitCode);
      else serve.child.once('exit', (code) => resolve(code));
    });
    serve.child.kill('SIGUSR2');
    expect(await exited).toBe(UNCAUGHT_EXIT_CODE);
    expect(serve.output()).toMatch(/shutting down cleanly \(exit 70\)/);
    expect(serve.output()).toContain('Mailwright stopped');

    const again = await start('throw', dataDir);
    const page = (await request(again.serve.ready.http, '/api/messages')).json<MessagePage>();
    expect(page.messages.map((m) => m.subject)).toEqual(['before the storm']);
  });
});
