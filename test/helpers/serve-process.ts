// Starts `serve` as a real child process and waits for its MAILWRIGHT_READY line. The one way every suite
// (vitest integration, Playwright e2e) runs the headless binding as a process.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { READY_PREFIX, type ReadyInfo } from '../../src-shared/bridge.js';
import { createDatabaseAt, serveStoreCluster } from './postgres.js';

const root = path.resolve(new URL('../..', import.meta.url).pathname);
/** How long start-up may take before the test gives up (a cold tsx compile is the slow part). */
const READY_TIMEOUT_MS = 30_000;
/** Graceful shutdown closes sockets and the store; a process still there after this is killed (a slow box is 4x slower). */
const STOP_TIMEOUT_MS = 20_000;

export interface ServeProcess {
  child: ChildProcess;
  ready: ReadyInfo;
  /** Base URL without the trailing slash, e.g. http://127.0.0.1:43123 */
  http: string;
  /** The first SMTP listener. */
  smtpHost: string;
  smtpPort: number;
  /** The data folder made by `freshDataDir`, if asked for. */
  dataDir: string | undefined;
  /** stdout and stderr as they arrived. */
  output: () => string;
  /** stdout alone, for tests of what the CLI prints. */
  stdout: () => string;
  /**
   * Sends the signal (SIGKILL if the process outlives STOP_TIMEOUT_MS), removes a `freshDataDir`, and resolves
   * with the exit code (or the signal name).
   */
  stop: (signal?: NodeJS.Signals) => Promise<number | string>;
}

/** The built entry (`npx electron-vite build`), for tests that need the process as users run it. */
export const BUILT_SERVE_JS = path.join(root, 'out/main/serve.js');

/** Both listeners on loopback port 0: the arguments nearly every test starts with. */
export const LOOPBACK_PORT_0 = ['--smtp', '127.0.0.1:0', '--http', '127.0.0.1:0'];

export interface StartOptions {
  /** Flags for node itself, e.g. a small heap. */
  nodeArgs?: string[];
  /** Run out/main/serve.js (must be built) instead of the TypeScript entry. */
  built?: boolean;
  /** Adds `--data <a new temp folder>`, removed by stop(). */
  freshDataDir?: boolean;
}

/** The environment without any MAILWRIGHT_* the developer may have set, so only the test's own settings apply. */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('MAILWRIGHT_'))), ...extra };
}

/**
 * Runs the TypeScript entry through tsx so tests don't depend on a prior build (unless `built`). `env` is added to
 * an environment cleared of the developer's MAILWRIGHT_* variables.
 */
export async function startServe(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  options: StartOptions = {},
): Promise<ServeProcess> {
  const entry = options.built ? [BUILT_SERVE_JS] : ['--import', 'tsx', path.join(root, 'src-main/serve/cli.ts')];
  if (options.built && !fs.existsSync(BUILT_SERVE_JS))
    throw new Error(`${BUILT_SERVE_JS} is missing: run \`npx electron-vite build\` first`);
  const dataDir = options.freshDataDir ? fs.mkdtempSync(path.join(os.tmpdir(), 'mailwright-serve-')) : undefined;
  // The serve-postgres project: this instance keeps its mail in a fresh database of the project's cluster.
  const pgCluster = serveStoreCluster();
  if (pgCluster && !args.includes('--store')) args = [...args, '--store', await createDatabaseAt(pgCluster)];
  const child = spawn(
    process.execPath,
    [...(options.nodeArgs ?? []), ...entry, ...args, ...(dataDir ? ['--data', dataDir] : [])],
    {
      cwd: root,
      env: cleanEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  let stdout = '';
  child.stdout.on('data', (c: Buffer) => {
    out += c.toString();
    stdout += c.toString();
  });
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, sig) => resolve(code ?? sig ?? -1)),
  );

  const stop = async (signal: NodeJS.Signals = 'SIGTERM'): Promise<number | string> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited.finally(() => clearTimeout(timer));
    }
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    return exited;
  };

  let ready: ReadyInfo;
  try {
    ready = await readyLine(
      child,
      exited,
      () => stdout,
      () => out,
    );
  } catch (err) {
    await stop('SIGKILL');
    throw err;
  }
  const first = ready.smtp[0];
  return {
    child,
    ready,
    http: ready.http.replace(/\/$/, ''),
    smtpHost: first?.host ?? '',
    smtpPort: first?.port ?? 0,
    dataDir,
    output: () => out,
    stdout: () => stdout,
    stop,
  };
}

function readyLine(
  child: ChildProcess,
  exited: Promise<number | string>,
  stdout: () => string,
  output: () => string,
): Promise<ReadyInfo> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      fn();
    };
    const timer = setTimeout(
      () => settle(() => reject(new Error(`serve did not report ready within ${READY_TIMEOUT_MS} ms:\n${output()}`))),
      READY_TIMEOUT_MS,
    );
    // Runs after the collector above has appended the chunk; only a whole line is parsed.
    const onData = (): void => {
      const line = stdout()
        .split('\n')
        .slice(0, -1)
        .find((l) => l.startsWith(READY_PREFIX));
      if (!line) return;
      settle(() => {
        try {
          resolve(JSON.parse(line.slice(READY_PREFIX.length)) as ReadyInfo);
        } catch (err) {
          reject(new Error(`unparseable ready line: ${line} (${String(err)})`));
        }
      });
    };
    child.stdout!.on('data', onData);
    void exited.then((code) =>
      settle(() => reject(new Error(`serve exited (${code}) before it was ready:\n${output()}`))),
    );
  });
}
