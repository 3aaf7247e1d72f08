// Who holds a data folder: the instance file names a process and, on Linux, its start time, so a file left by a
// crash whose number now belongs to another process is known as stale.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimDataFolder, INSTANCE_FILE, liveHolder, processStartTime } from '../../../src-main/core/instance-lock.js';

const linux = fs.existsSync('/proc/self/stat');
let other: ChildProcess;
let dir: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mw-lock-'));
  // Another live process to name in the file: it idles until killed.
  other = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1 << 30); process.stdout.write("up")']);
  await new Promise<void>((resolve) => other.stdout!.once('data', () => resolve()));
});

afterAll(() => {
  other.kill('SIGKILL');
  fs.rmSync(dir, { recursive: true, force: true });
});

function fresh(name: string, content?: string): string {
  const d = path.join(dir, name);
  fs.mkdirSync(d);
  if (content !== undefined) fs.writeFileSync(path.join(d, INSTANCE_FILE), content);
  return d;
}

describe('instance lock', () => {
  it('writes this process and its start time, and lets go on release', () => {
    const d = fresh('own');
    const lock = claimDataFolder(d);
    const text = fs.readFileSync(path.join(d, INSTANCE_FILE), 'utf8');
    expect(text.startsWith(`${process.pid}`)).toBe(true);
    if (linux) expect(text.trim()).toBe(`${process.pid} ${processStartTime(process.pid)}`);
    expect(liveHolder(d)).toBe(process.pid);
    lock.release();
    expect(fs.existsSync(path.join(d, INSTANCE_FILE))).toBe(false);
  });

  it('refuses a folder another live process holds, in the new form and the old', () => {
    const started = processStartTime(other.pid!);
    const withStart = fresh('held', `${other.pid} ${started ?? ''}\n`);
    expect(() => claimDataFolder(withStart)).toThrow(
      new RegExp(`in use by a running Mailwright \\(process ${other.pid}\\)`),
    );
    const pidOnly = fresh('held-old', `${other.pid}\n`);
    expect(liveHolder(pidOnly)).toBe(other.pid);
    expect(() => claimDataFolder(pidOnly)).toThrow(/in use/);
  });

  it.runIf(linux)('takes over a file whose process number now belongs to another process', () => {
    const started = Number(processStartTime(other.pid!));
    expect(started).toBeGreaterThan(0);
    const reused = fresh('reused', `${other.pid} ${started + 1}\n`);
    expect(liveHolder(reused)).toBeNull();
    const lock = claimDataFolder(reused);
    expect(liveHolder(reused)).toBe(process.pid);
    lock.release();
  });

  it.runIf(linux)('reads the start time after a command name with spaces and parentheses', async () => {
    expect(processStartTime(2 ** 30)).toBeNull();
    const child = spawn(process.execPath, [
      '-e',
      'process.stdout.write("a"); process.stdin.once("data", () => { process.title = ") 1 2 (x"; process.stdout.write("b"); }); setInterval(() => {}, 1 << 30)',
    ]);
    try {
      const next = () => new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
      await next();
      const before = processStartTime(child.pid!);
      const renamed = next();
      child.stdin.write('go');
      await renamed;
      expect(fs.readFileSync(`/proc/${child.pid}/stat`, 'utf8')).toContain(') 1 2 (x');
      expect(before).toMatch(/^\d+$/);
      expect(processStartTime(child.pid!)).toBe(before);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
