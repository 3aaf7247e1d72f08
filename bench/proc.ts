// Process plumbing for the benchmarks: pinned spawns, bounded waits, kills by process group,
// RSS readings from /proc, free ports and SMTP banner checks. No benchmark logic here.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** The repository root (bench/..). */
export const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

/** Core the server under test runs on; the load clients and this runner use the other one. */
export const SERVER_CORE = '0';
export const CLIENT_CORE = '1';

export interface Proc {
  child: ChildProcess;
  pid: number;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** Tail kept of a child's output: enough for a ready line and an error, bounded for long runs. */
const OUTPUT_KEEP = 64 * 1024;

/** Spawns `cmd args` under `taskset -c core` (taskset execs, so the pid is the real process). */
export function spawnPinned(
  core: string,
  cmd: string,
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Proc {
  const child = spawn('taskset', ['-c', core, cmd, ...args], {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // own process group, so a kill takes its children too
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => {
    out = (out + d.toString()).slice(-OUTPUT_KEEP);
  });
  child.stderr?.on('data', (d: Buffer) => {
    err = (err + d.toString()).slice(-OUTPUT_KEEP);
  });
  const exited = new Promise<number | null>((resolve) => {
    child.on('exit', (code, signal) => resolve(code ?? (signal ? -1 : null)));
    child.on('error', () => resolve(-2));
  });
  if (child.pid === undefined) throw new Error(`could not spawn ${cmd}`);
  const proc: Proc = { child, pid: child.pid, stdout: () => out, stderr: () => err, exited };
  live.add(proc);
  void exited.then(() => live.delete(proc));
  return proc;
}

/** Every child still running: detached into their own groups, they would outlive an interrupted runner. */
const live = new Set<Proc>();

/** On Ctrl-C or SIGTERM the runner takes its servers and clients down with it. */
export function killChildrenOnExit(): void {
  const stop = (signal: NodeJS.Signals): void => {
    for (const p of live) {
      try {
        process.kill(-p.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
    console.error(`[bench] ${signal}: killed ${live.size} child process(es)`);
    process.exit(130);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** SIGTERM the group, SIGKILL after a grace period; resolves once the process is gone. */
export async function killProc(p: Proc, graceMs = 3000): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  try {
    process.kill(-p.pid, 'SIGTERM');
  } catch {
    /* already gone */
  }
  const done = await Promise.race([p.exited.then(() => true), sleep(graceMs).then(() => false)]);
  if (!done) {
    try {
      process.kill(-p.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
    await Promise.race([p.exited, sleep(graceMs)]);
  }
}

/** Waits for the process to exit within `timeoutMs`; kills it and throws on timeout. */
export async function waitExit(p: Proc, timeoutMs: number, what: string): Promise<number | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((r) => {
    timer = setTimeout(() => r('timeout'), timeoutMs);
  });
  const result = await Promise.race([p.exited, timeout]);
  clearTimeout(timer);
  if (result === 'timeout') {
    await killProc(p, 1000);
    throw new Error(`${what} timed out after ${timeoutMs} ms (killed)`);
  }
  return result;
}

/** Resolves with the first stdout line starting with `prefix`, or throws after `timeoutMs`. */
export async function waitForLine(p: Proc, prefix: string, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const line = p
      .stdout()
      .split('\n')
      .find((l) => l.startsWith(prefix));
    if (line) return line.slice(prefix.length).trim();
    if (p.child.exitCode !== null) break;
    await sleep(20);
  }
  throw new Error(`no "${prefix}" line within ${timeoutMs} ms; stderr: ${p.stderr().slice(-2000)}`);
}

export interface MemInfo {
  rssMB: number;
  hwmMB: number;
  /** Heap and other private memory: what the process itself allocated. */
  anonMB: number;
  /** File pages mapped in (SQLite's mmap, the node binary): reclaimable, but counted in VmRSS. */
  fileMB: number;
}

export function readMem(pid: number): MemInfo | null {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string): number =>
      Number(/^(\w+):\s+(\d+) kB/m.exec(status.split('\n').find((l) => l.startsWith(key)) ?? '')?.[2] ?? NaN);
    return {
      rssMB: kb('VmRSS') / 1024,
      hwmMB: kb('VmHWM') / 1024,
      anonMB: kb('RssAnon') / 1024,
      fileMB: (kb('RssFile') + kb('RssShmem')) / 1024,
    };
  } catch {
    return null;
  }
}

/** A port free right now (the tools that cannot bind port 0 and report it need one). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Polls until the SMTP port answers with a 220 greeting. */
export async function waitForBanner(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      const sock = net.connect(port, '127.0.0.1');
      const t = setTimeout(() => {
        sock.destroy();
        resolve(false);
      }, 1000);
      sock.once('data', (d) => {
        clearTimeout(t);
        last = d.toString();
        sock.end('QUIT\r\n');
        resolve(last.startsWith('220'));
      });
      sock.once('error', (e) => {
        clearTimeout(t);
        last = e.message;
        resolve(false);
      });
    });
    if (ok) return;
    await sleep(50);
  }
  throw new Error(`no SMTP banner on port ${port} within ${timeoutMs} ms (${last.trim()})`);
}

/** Pins this runner to the client core so its polling never steals the server's core. */
export function pinSelf(): boolean {
  try {
    // -a: every thread (V8's GC and compiler threads, libuv's pool), not only the main one, or they still run on
    // the server's core.
    execFileSync('taskset', ['-a', '-cp', CLIENT_CORE, String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Lets this runner use every core again. A browser the runner starts is its child and inherits its affinity: a
 * Chromium pinned to the runner's one core (with the runner beside it) is not what the app runs. Pin again after.
 */
export function unpinSelf(): boolean {
  try {
    execFileSync('taskset', ['-a', '-cp', `0-${os.cpus().length - 1}`, String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** The cores each child process of this one may run on (`comm: list`), from /proc; empty where /proc is absent. */
export function childAffinities(): string[] {
  const out: string[] = [];
  let pids: string[];
  try {
    pids = fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return out;
  }
  for (const pid of pids) {
    try {
      const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
      if (/^PPid:\s*(\d+)/m.exec(status)?.[1] !== String(process.pid)) continue;
      const name = /^Name:\s*(.*)$/m.exec(status)?.[1] ?? '?';
      out.push(`${name}: ${/^Cpus_allowed_list:\s*(.*)$/m.exec(status)?.[1] ?? '?'}`);
    } catch {
      // Gone meanwhile.
    }
  }
  return out;
}

/**
 * nodemailer writes the final "\r\n.\r\n" as its own small segment; with Nagle on, it waits for
 * the server's delayed ACK (~40 ms on Linux), so every small message costs 40 ms whatever the server
 * does. TCP_NODELAY on every client socket of this process takes that artefact out of the comparison.
 */
export function forceNoDelay(): void {
  const connect = net.connect as (...args: unknown[]) => net.Socket;
  (net as { connect: unknown }).connect = (...args: unknown[]): net.Socket => {
    const socket = connect(...args);
    socket.setNoDelay(true);
    return socket;
  };
}
