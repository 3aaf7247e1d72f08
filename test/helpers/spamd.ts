// A real Debian spamd on 127.0.0.1 at a free port, network tests off, for the SpamAssassin checks.
// Absent spamd is reported by `spamdMissing` so a suite can skip with that reason, never silently.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pingSpamd } from '../../src-main/checks/spam/spamc.js';

export const SPAMD_BIN = '/usr/sbin/spamd';

/** Why spamd cannot run here, or null when it can. */
export function spamdMissing(): string | null {
  if (!fs.existsSync(SPAMD_BIN)) return `${SPAMD_BIN} is not installed (apt-get install spamd)`;
  return null;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface TestSpamd {
  address: string;
  stop(): Promise<void>;
}

/** spamd compiles its rules at start: on a loaded machine that takes a while. */
const START_BUDGET_MS = 180_000;
const PING_EVERY_MS = 250;

export async function startSpamd(): Promise<TestSpamd> {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailwright-spamd-'));
  const args = [
    `--listen=127.0.0.1:${port}`,
    '--local', // no network tests (DNSBLs, Razor, Pyzor): nothing leaves the machine
    '--nouser-config',
    '--max-children=1',
    `--pidfile=${path.join(dir, 'spamd.pid')}`,
    '--syslog=stderr',
  ];
  // spamd refuses to run its children as root; nobody exists on every Debian machine.
  if (process.getuid?.() === 0) args.push('--username=nobody');
  const child: ChildProcess = spawn(SPAMD_BIN, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr?.on('data', (c: Buffer) => {
    log = (log + c.toString()).slice(-4000);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const deadline = Date.now() + START_BUDGET_MS;
  let up = false;
  while (!up && Date.now() < deadline && child.exitCode === null) {
    up = await pingSpamd({ host: '127.0.0.1', port }, 1000);
    if (!up) await new Promise((r) => setTimeout(r, PING_EVERY_MS));
  }
  if (!up) {
    child.kill('SIGKILL');
    throw new Error(`spamd did not answer PING on 127.0.0.1:${port}:\n${log}`);
  }
  return {
    address: `127.0.0.1:${port}`,
    async stop() {
      child.kill('SIGTERM');
      await exited;
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** For .ci/run-like checks in a test: the version line proves the binary runs. */
export function spamdVersion(): string {
  return spawnSync(SPAMD_BIN, ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0] ?? '';
}
