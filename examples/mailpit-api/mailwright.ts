// Starts Mailwright's `serve` on free ports with a throwaway data folder, for a suite that was written against
// Mailpit. Where a Mailpit user runs `mailpit` (or a container) and points MAILPIT_URL at it, this runs the
// built server (`npm run build`; MAILWRIGHT_SERVE overrides the path) and hands back the same two addresses.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface MailServer {
  /** The web/API base URL, as you would pass to `new MailpitClient(...)`. */
  http: string;
  smtp: { host: string; port: number };
  stop(): Promise<void>;
}

const SERVE = process.env.MAILWRIGHT_SERVE ?? path.resolve(import.meta.dirname, '../../out/main/serve.js');
/** Start-up is well under a second; a loaded CI machine gets ample room. */
const READY_TIMEOUT_MS = 60_000;
const READY = 'MAILWRIGHT_READY ';

export async function startMailServer(): Promise<MailServer> {
  const data = fs.mkdtempSync(path.join(os.tmpdir(), 'mailwright-mailpit-example-'));
  const child = spawn(process.execPath, [SERVE, '--smtp', '127.0.0.1:0', '--http', '127.0.0.1:0', '--data', data], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const ready = await new Promise<{ http: string; smtp: { host: string; port: number }[] }>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error('Mailwright did not start in time')), READY_TIMEOUT_MS);
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        const line = out.split('\n').find((l) => l.startsWith(READY));
        if (!line) return;
        clearTimeout(timer);
        resolve(JSON.parse(line.slice(READY.length)) as { http: string; smtp: { host: string; port: number }[] });
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`Mailwright exited with ${code} before it was ready`));
      });
    });
    return {
      http: ready.http.replace(/\/$/, ''),
      smtp: { host: ready.smtp[0]!.host, port: ready.smtp[0]!.port },
      async stop() {
        if (child.exitCode === null) {
          const exited = new Promise((r) => child.once('exit', r));
          child.kill('SIGTERM');
          await exited;
        }
        fs.rmSync(data, { recursive: true, force: true });
      },
    };
  } catch (err) {
    child.kill('SIGKILL');
    fs.rmSync(data, { recursive: true, force: true });
    throw err;
  }
}
