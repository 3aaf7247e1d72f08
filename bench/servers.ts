// The servers under test, each started fresh (own temp data dir) and pinned to the server core:
// Mailwright serve mode, MailDev, a bare smtp-server and Postfix's smtp-sink.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { READY_PREFIX, type ReadyInfo } from '../src-shared/bridge.js';
import { helperArgs } from './build.js';
import {
  freePort,
  killProc,
  ROOT,
  readMem,
  SERVER_CORE,
  spawnPinned,
  waitForBanner,
  waitForLine,
  type MemInfo,
  type Proc,
} from './proc.js';

export { ROOT };
export type ServerName = 'mailwright' | 'mailwright-faults' | 'maildev' | 'bare' | 'smtp-sink';
/** `mailwright-faults` is opt-in (--servers): the price of a loaded fault-rule set that never fires. */
export const ALL_SERVERS: ServerName[] = ['mailwright', 'maildev', 'bare', 'smtp-sink'];
export const MAILWRIGHT_SERVERS: readonly ServerName[] = ['mailwright', 'mailwright-faults'];
/** Rules in the mailwright-faults config: a large hand-made set, every one evaluated at its stage on every message. */
export const BENCH_FAULT_RULES = 100;

/** MAILWRIGHT_BENCH_SERVE picks another build for A/B runs (README: "A/B against another build"). */
export const SERVE_JS = process.env.MAILWRIGHT_BENCH_SERVE
  ? path.resolve(process.env.MAILWRIGHT_BENCH_SERVE)
  : path.join(ROOT, 'out/main/serve.js');
const MAILDEV_DIR = path.join(ROOT, 'bench/.maildev');
const MAILDEV_BIN = path.join(MAILDEV_DIR, 'node_modules/maildev/dist/bin/maildev.js');
export const MAILDEV_VERSION = '3.0.0';
const SMTP_SINK = '/usr/sbin/smtp-sink';
/** A cold start (bundle load, SQLite open, migrations) well under this; more means it is broken. */
const START_TIMEOUT_MS = 20_000;

export interface ServerHandle {
  name: ServerName;
  port: number;
  pid: number;
  /** Mailwright only: base URL of its HTTP API. */
  http: string | null;
  dataDir: string;
  proc: Proc;
  mem(): MemInfo | null;
  stop(): Promise<void>;
}

export function ensureMaildev(): void {
  if (fs.existsSync(MAILDEV_BIN)) return;
  console.log(`[bench] installing maildev@${MAILDEV_VERSION} into bench/.maildev (one-off)…`);
  execFileSync('npm', ['install', '--prefix', MAILDEV_DIR, '--no-audit', '--no-fund', `maildev@${MAILDEV_VERSION}`], {
    stdio: 'inherit',
    timeout: 300_000,
    env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' },
  });
  if (!fs.existsSync(MAILDEV_BIN)) throw new Error('maildev install finished but its bin is missing');
}

/** Postfix's own daemon would compete for the cores; the tools we use need no daemon. */
export function ensurePostfixStopped(): void {
  try {
    const out = execFileSync('pgrep', ['-a', 'master'], { encoding: 'utf8' });
    if (/postfix/.test(out)) {
      console.log('[bench] stopping the running postfix daemon');
      execFileSync('postfix', ['stop'], { stdio: 'ignore', timeout: 30_000 });
    }
  } catch {
    // pgrep exits 1 when nothing matches: nothing to stop.
  }
}

/**
 * BENCH_FAULT_RULES enabled rules spread over every stage, each with a pattern no bench message matches, so every
 * rule is checked on every message and none fires: the figure is the engine's and the gate's overhead.
 */
function writeFaultConfig(dataDir: string): string {
  const stages = ['connect', 'ehlo', 'auth', 'mail', 'rcpt', 'data', 'afterData'] as const;
  const faults = Array.from({ length: BENCH_FAULT_RULES }, (_, i) => {
    const stage = stages[i % stages.length]!;
    const match =
      stage === 'connect' || stage === 'ehlo' || stage === 'auth'
        ? { stage, clientAddress: `203.0.113.${i % 250}/32` }
        : { stage, sender: `never-${i}-*@nowhere.invalid` };
    return {
      id: `bench-${i}`,
      name: `never fires ${i}`,
      enabled: true,
      match,
      action: { kind: 'reply', code: 550, enhanced: '5.7.1', text: 'never' },
    };
  });
  const file = path.join(dataDir, 'bench-faults.json');
  fs.writeFileSync(file, JSON.stringify({ faults }));
  return file;
}

export function mailwrightBuilt(): boolean {
  return fs.existsSync(SERVE_JS);
}

/** `serveArgs`: more flags for a Mailwright `serve` (the team part's `--store URL` and `--config FILE`). */
export async function startServer(name: ServerName, serveArgs: string[] = []): Promise<ServerHandle> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `wrbench-${name}-`));
  let proc: Proc | null = null;
  try {
    let port: number;
    let http: string | null = null;
    switch (name) {
      case 'mailwright':
      case 'mailwright-faults': {
        const config = name === 'mailwright-faults' ? ['--config', writeFaultConfig(dataDir)] : [];
        proc = spawnPinned(
          SERVER_CORE,
          process.execPath,
          [SERVE_JS, ...config, ...serveArgs, '--smtp', '127.0.0.1:0', '--http', '127.0.0.1:0', '--data', dataDir],
          { cwd: ROOT },
        );
        const info = JSON.parse(await waitForLine(proc, READY_PREFIX, START_TIMEOUT_MS)) as ReadyInfo;
        const smtp = info.smtp.find((l) => l.tls === 'starttls') ?? info.smtp[0];
        if (!smtp) throw new Error('Mailwright ready line lists no SMTP listener');
        port = smtp.port;
        http = info.http.startsWith('http') ? info.http.replace(/\/$/, '') : `http://${info.http}`;
        break;
      }
      case 'maildev': {
        port = await freePort();
        const web = await freePort();
        proc = spawnPinned(
          SERVER_CORE,
          process.execPath,
          [
            MAILDEV_BIN,
            '--smtp',
            String(port),
            '--ip',
            '127.0.0.1',
            '--web',
            String(web),
            '--web-ip',
            '127.0.0.1',
            '--disable-web',
            '--mail-directory',
            dataDir,
            '--silent',
          ],
          { cwd: dataDir },
        );
        await waitForBanner(port, START_TIMEOUT_MS);
        break;
      }
      case 'bare': {
        proc = spawnPinned(SERVER_CORE, process.execPath, [...helperArgs('bare-smtp-server'), '0'], { cwd: ROOT });
        port = (JSON.parse(await waitForLine(proc, 'BARE_READY ', START_TIMEOUT_MS)) as { port: number }).port;
        break;
      }
      case 'smtp-sink': {
        port = await freePort();
        // -u: smtp-sink refuses to run as root without a user to drop to; 1000 is the listen backlog.
        proc = spawnPinned(SERVER_CORE, SMTP_SINK, ['-u', 'nobody', `127.0.0.1:${port}`, '1000'], { cwd: dataDir });
        await waitForBanner(port, START_TIMEOUT_MS);
        break;
      }
    }
    const p = proc;
    return {
      name,
      port,
      pid: p.pid,
      http,
      dataDir,
      proc: p,
      mem: () => readMem(p.pid),
      stop: async () => {
        await killProc(p);
        fs.rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    if (proc) await killProc(proc, 1000);
    fs.rmSync(dataDir, { recursive: true, force: true });
    const exited =
      proc && proc.child.exitCode !== null
        ? ` (exited ${proc.child.exitCode}: ${proc.stderr().slice(-500).trim()})`
        : '';
    throw new Error(`[${name}] failed to start: ${(err as Error).message}${exited}`, { cause: err });
  }
}
