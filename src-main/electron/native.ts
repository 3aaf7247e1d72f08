// Where the Electron-ABI build of better-sqlite3 lives. node_modules holds the Node-ABI build used by
// tests and `serve`; the app loads its own build through better-sqlite3's `nativeBinding` option.
// Must not import electron: the caller passes in what Electron knows (packaged?, resourcesPath, version).
import fs from 'node:fs';
import path from 'node:path';

export const NATIVE_FILE = 'better_sqlite3.node';

export interface NativeLookup {
  isPackaged: boolean;
  /** process.resourcesPath of the packaged app. */
  resourcesPath: string;
  /** process.versions.electron. */
  electronVersion: string;
  /** The repository root (dev runs). */
  projectDir: string;
}

/** The dev location, shared with scripts/build-native-electron.mjs. */
export function devNativePath(projectDir: string, electronVersion: string): string {
  return path.join(projectDir, '.native', `electron-${electronVersion}`, NATIVE_FILE);
}

export function nativeBindingPath(where: NativeLookup): string {
  return where.isPackaged
    ? path.join(where.resourcesPath, 'native', NATIVE_FILE)
    : devNativePath(where.projectDir, where.electronVersion);
}

export type NativeBinding = { ok: true; path: string } | { ok: false; path: string; message: string };

export function locateNativeBinding(
  where: NativeLookup,
  exists: (p: string) => boolean = fs.existsSync,
): NativeBinding {
  const file = nativeBindingPath(where);
  if (exists(file)) return { ok: true, path: file };
  const message = where.isPackaged
    ? `The database module is missing from this installation (${file}). Reinstall Mailwright.`
    : `The Electron build of better-sqlite3 is missing (${file}). ` +
      'Run `npm start` (it builds it) or `node scripts/build-native-electron.mjs`.';
  return { ok: false, path: file, message };
}
