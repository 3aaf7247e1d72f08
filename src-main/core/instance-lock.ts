// Who holds a data folder: every Core writes its process id to <dataDir>/instance.pid while it runs, so that a
// second process (`mailwright ingest --data-dir`, another serve) can tell the folder is in use and refuse, instead of
// writing beside a running instance that would not see the mail until it restarts. A file whose process is gone
// (a crash, kill -9) is stale and taken over. Several Cores of one process (tests) share it.
// Must not import electron or any binding.
import fs from 'node:fs';
import path from 'node:path';
import { MailwrightError } from '../../src-shared/index.js';

export const INSTANCE_FILE = 'instance.pid';

/** The process id in the folder's instance file, if the file is there and names a live process. */
export function liveHolder(dataDir: string): number | null {
  let text: string;
  try {
    text = fs.readFileSync(path.join(dataDir, INSTANCE_FILE), 'utf8');
  } catch {
    return null;
  }
  const pid = Number(/^\d{1,10}/.exec(text)?.[0]);
  if (!Number.isSafeInteger(pid) || pid <= 0) return null;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else, so it is alive.
    return (err as NodeJS.ErrnoException).code === 'EPERM' ? pid : null;
  }
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
  fs.writeFileSync(file, `${process.pid}\n`, { mode: 0o600 });
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
