// Starts the real headless binding (`node out/main/serve.js`) on port 0 in a temp data dir and reads its ready line.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { READY_PREFIX, type ReadyInfo } from '../../src-shared/bridge.js';

const SERVE_JS = resolve('out/main/serve.js');
/** A cold start (SQLite open, certificate generation) takes a few seconds on a slow CI box, never this long. */
const READY_TIMEOUT_MS = 30_000;
/** Graceful shutdown closes sockets and the store; past this the process is killed. */
const STOP_TIMEOUT_MS = 5_000;

export interface ServeProcess {
  ready: ReadyInfo;
  /** Base URL without the trailing slash, e.g. http://127.0.0.1:43123 */
  http: string;
  smtpHost: string;
  smtpPort: number;
  stop(): Promise<void>;
}

export async function startServe(): Promise<ServeProcess> {
  if (!existsSync(SERVE_JS)) throw new Error(`${SERVE_JS} is missing: run \`npx electron-vite build\` first`);
  const dataDir = mkdtempSync(join(tmpdir(), 'mailwright-e2e-'));
  const child = spawn(
    process.execPath,
    [SERVE_JS, '--smtp', '127.0.0.1:0', '--http', '127.0.0.1:0', '--data', dataDir],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    if (stderr.length < 64 * 1024) stderr += chunk.toString();
  });
  try {
    const ready = await readReady(child, () => stderr);
    const first = ready.smtp[0];
    if (!first) throw new Error('serve reported no SMTP listener');
    return {
      ready,
      http: ready.http.replace(/\/$/, ''),
      smtpHost: first.host,
      smtpPort: first.port,
      stop: () => stop(child, dataDir),
    };
  } catch (err) {
    await stop(child, dataDir);
    throw err;
  }
}

function readReady(child: ChildProcess, stderr: () => string): Promise<ReadyInfo> {
  return new Promise((resolvePromise, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const timer = setTimeout(() => fail(new Error(`serve printed no ready line within ${READY_TIMEOUT_MS} ms`)), READY_TIMEOUT_MS);
    const onExit = (code: number | null) => fail(new Error(`serve exited (code ${code}) before it was ready:\n${stderr()}`));
    function fail(err: Error): void {
      clearTimeout(timer);
      child.off('exit', onExit);
      lines.close();
      reject(err);
    }
    child.once('exit', onExit);
    lines.on('line', (line) => {
      if (!line.startsWith(READY_PREFIX)) return;
      clearTimeout(timer);
      child.off('exit', onExit);
      // Keep draining stdout so the child never blocks on a full pipe.
      try {
        resolvePromise(JSON.parse(line.slice(READY_PREFIX.length)) as ReadyInfo);
      } catch (err) {
        reject(new Error(`unparseable ready line: ${line} (${String(err)})`));
      }
    });
  });
}

async function stop(child: ChildProcess, dataDir: string): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  }
  rmSync(dataDir, { recursive: true, force: true });
}
