// Who holds a data folder: every Core writes its process id to <dataDir>/instance.pid while it runs, so that a
// second process (`mailwright ingest --data-dir`, another serve) can tell the folder is in use and refuse, instead of
// writing beside a running instance that would not see the mail until it restarts. A file whose process is gone
// (a crash, kill -9) is stale and taken over. Several Cores of one process (tests) share it.
// On Linux the file also holds the process's start time (/proc/PID/stat), so a stale file whose number now
// belongs to an unrelated process (process ids are reused after a reboot or wrap-around) is still known as stale.
// Must not import electron or any binding.
import fs from 'node:fs';
import path from 'node:path';
import { MailwrightError } from '../../src-shared/index.js';

export const INSTANCE_FILE = 'instance.pid';

/**
 * When the process started, in clock ticks since boot (field 22 of /proc/PID/stat), or null where there is no
 * /proc (macOS, Windows) or no such process. The command name (field 2) may hold spaces and parentheses, so the
 * fields are counted after its last ')'.
 */
export function processStartTime(pid: number): string | null {
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After the name come state (field 3) … starttime (field 22): index 19 here.
  const start = fields[19];
  return start && /^\d+$/.test(start) ? start : null;
}

/** The process id in the folder's instance file, if the file is there and names a live process. */
export function liveHolder(dataDir: string): number | null {
  let text: string;
  try {
    text = fs.readFileSync(path.join(dataDir, INSTANCE_FILE), 'utf8');
  } catch {
    return null;
  }
  const m = /^(\d{1,10})(?:[ \t]+(\d{1,20}))?/.exec(text);
  const pid = Number(m?.[1]);
  if (!Number.isSafeInteger(pid) || pid <= 0) return null;
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: the process exists but belongs to someone else, so it is alive.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return null;
  }
  // A live process with that number but another start time is not the one that wrote the file.
  const recorded = m?.[2];
  if (recorded !== undefined) {
    const now = processStartTime(pid);
    if (now !== null && now !== recorded) return null;
  }
  return pid;
}

/** Cores of this process per folder: the file goes when the last of them stops. */
const holders = new Map<string, { count: number }>();

export interface InstanceLock {
  release(): void;
}

/** Claims the folder for this process; throws `conflict` naming the holder when another live process has it. */
export function claimDataFolder(dataDir: string): InstanceLock {
  const key = path.resolve(dataDir);
  const file = path.join(dataDir, INSTANCE_FILE);
  const holder = liveHolder(dataDir);
  if (holder !== null && holder !== process.pid)
    throw new MailwrightError(
      'conflict',
      `the data folder ${dataDir} is in use by a running Mailwright (process ${holder}); talk to that instance ` +
        `instead, or stop it first (if no Mailwright runs, remove ${file})`,
      'dataDir',
    );
  const started = processStartTime(process.pid);
  fs.writeFileSync(file, `${process.pid}${started === null ? '' : ` ${started}`}\n`, { mode: 0o600 });
  const held = holders.get(key) ?? { count: 0 };
  held.count++;
  holders.set(key, held);
  let released = false;
  return {
    release() {
      if (released) return;
      released = true;
      if (--held.count > 0) return;
      holders.delete(key);
      try {
        if (liveHolder(dataDir) === process.pid) fs.rmSync(file, { force: true });
      } catch {
        // a folder removed under us (a test's cleanup) has nothing left to release
      }
    },
  };
}
