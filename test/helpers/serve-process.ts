// Starts `serve` as a real child process and waits for its MAILWRIGHT_READY line.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { READY_PREFIX, type ReadyInfo } from '../../src-shared/bridge.js';

const root = path.resolve(new URL('../..', import.meta.url).pathname);
/** How long start-up may take before the test gives up (a cold tsx compile is the slow part). */
const READY_TIMEOUT_MS = 30_000;

export interface ServeProcess {
  child: ChildProcess;
  ready: ReadyInfo;
  output: () => string;
  /** Sends the signal and resolves with the exit code (or the signal name). */
  stop: (signal?: NodeJS.Signals) => Promise<number | string>;
}

/** The built entry (`npx electron-vite build`), for tests that need the process as users run it. */
export const BUILT_SERVE_JS = path.join(root, 'out/main/serve.js');

export interface StartOptions {
  /** Flags for node itself, e.g. a small heap. */
  nodeArgs?: string[];
  /** Run out/main/serve.js (must be built) instead of the TypeScript entry. */
  built?: boolean;
}

/** Runs the TypeScript entry through tsx so tests don't depend on a prior build (unless `built`). */
export function startServe(args: string[], env: NodeJS.ProcessEnv = {}, options: StartOptions = {}): Promise<ServeProcess> {
  const entry = options.built ? [BUILT_SERVE_JS] : ['--import', 'tsx', path.join(root, 'src-main/serve/cli.ts')];
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), ...entry, ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, sig) => resolve(code ?? sig ?? -1)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`serve did not report ready within ${READY_TIMEOUT_MS} ms:\n${out}`));
    }, READY_TIMEOUT_MS);
    const onData = (chunk: Buffer): void => {
      out += chunk.toString();
      const line = out.split('\n').find((l) => l.startsWith(READY_PREFIX));
      if (!line) return;
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
      resolve({
        child,
        ready: JSON.parse(line.slice(READY_PREFIX.length)) as ReadyInfo,
        output: () => out,
        stop: (signal = 'SIGTERM') => {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
          return exited;
        },
      });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited (${code}) before it was ready:\n${out}`));
    });
  });
}
