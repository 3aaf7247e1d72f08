// A Playwright fixture that starts Mailwright's `serve` on free ports with a throwaway data folder, as a test
// suite of your own would. It runs the built server (`npm run build`); MAILWRIGHT_SERVE overrides the path.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface MailwrightServer {
  /** The REST API's base URL, without the trailing slash. */
  http: string;
  smtp: { host: string; port: number };
  stop(): Promise<void>;
}

const SERVE = process.env.MAILWRIGHT_SERVE ?? path.resolve(import.meta.dirname, '../../out/main/serve.js');
/** Start-up is well under a second; a loaded CI machine gets ample room. */
const READY_TIMEOUT_MS = 60_000;

export async function startMailwright(): Promise<MailwrightServer> {
  const data = fs.mkdtempSync(path.join(os.tmpdir(), 'mailwright-example-'));
  const child: ChildProcess = spawn(
    process.execPath,
    [SERVE, '--smtp', '127.0.0.1:0', '--http', '127.0.0.1:0', '--data', data],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const ready = await new Promise<{ http: string; smtp: { host: string; port: number }[] }>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('Mailwright did not start')), READY_TIMEOUT_MS);
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const line = out.split('\n').find((l) => l.startsWith('MAILWRIGHT_READY '));
      if (line) {
        clearTimeout(timer);
        resolve(
          JSON.parse(line.slice('MAILWRIGHT_READY '.length)) as {
            http: string;
            smtp: { host: string; port: number }[];
          },
        );
      }
    });
    child.once('exit', (code) => reject(new Error(`Mailwright exited with ${code}`)));
  });
  return {
    http: ready.http.replace(/\/$/, ''),
    smtp: { host: ready.smtp[0]!.host, port: ready.smtp[0]!.port },
    async stop() {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
      fs.rmSync(data, { recursive: true, force: true });
    },
  };
}
