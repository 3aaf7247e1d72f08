// The data folder holds captured mail (often with real-looking credentials and tokens), saved settings, the
// secret key and TLS keys: on a shared machine (a CI host, a team server) it is for its owner only.
// Must not import electron or any binding.
import fs from 'node:fs';

/** Owner read, write and search; nobody else. */
export const DATA_FOLDER_MODE = 0o700;
/** The bits that let group or others into a folder. */
const SHARED_BITS = 0o077;

/**
 * Creates the data folder owner-only (0700). An existing folder that group or others may enter is left as it is
 * (it may be shared on purpose, and the files inside that matter are owner-only anyway: the database, secret.key,
 * TLS keys) but reported: the returned warnings are shown with the settings.
 */
export function prepareDataFolder(dir: string): string[] {
  fs.mkdirSync(dir, { recursive: true, mode: DATA_FOLDER_MODE });
  if (process.platform === 'win32') return [];
  const mode = fs.statSync(dir).mode & 0o777;
  if ((mode & SHARED_BITS) === 0) return [];
  return [
    `The data folder ${dir} is open to other users (mode ${mode.toString(8).padStart(4, '0')}): they can see which ` +
      `files it holds. Mailwright keeps the database, secret.key and TLS keys owner-only; run chmod 700 on the ` +
      `folder to close it completely.`,
  ];
}
