// Finding the Electron binary and the Electron-ABI better-sqlite3 build, for `npm start`, the native
// build script and the Electron smoke test. Plain Node ESM: runs before anything is compiled.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

export const NATIVE_FILE = 'better_sqlite3.node';

/** The Electron version the project is pinned to, from node_modules/electron/package.json, or null. */
export function electronVersion(projectDir) {
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(projectDir, 'node_modules', 'electron', 'package.json'), 'utf8'));
    return typeof pkg.version === 'string' ? pkg.version : null;
  } catch {
    return null;
  }
}

/** Same place src-main/electron/native.ts looks in dev runs. */
export function nativeBuildPath(projectDir, version) {
  return path.join(projectDir, '.native', `electron-${version}`, NATIVE_FILE);
}

/**
 * require('electron') from plain Node returns the binary's path (or throws when path.txt is missing,
 * i.e. the download never ran). The file must also exist: a half-finished download leaves path.txt behind.
 */
export function findElectronBinary(projectDir) {
  const require = createRequire(path.join(projectDir, 'package.json'));
  let binary;
  try {
    const entry = require.resolve('electron');
    delete require.cache[entry]; // re-evaluate: an install attempt may have just written path.txt
    binary = require('electron');
  } catch (err) {
    return { ok: false, reason: err instanceof Error ? err.message.split('\n')[0] : String(err) };
  }
  if (typeof binary !== 'string' || !fs.existsSync(binary)) {
    return { ok: false, reason: `no Electron binary at ${String(binary)}` };
  }
  return { ok: true, path: binary };
}

/** Printed once, where the binary is missing and `npm start` could not get it. */
export function missingBinaryMessage(reason) {
  return [
    `The Electron binary is not installed (${reason}).`,
    '`npm start` downloads it when it is missing (about 100 MB from github.com); `npm install` does not, because',
    "package.json leaves Electron's install script out of allowScripts so that installs work offline.",
    'To get it, do one of:',
    '  - run `npm start` again where github.com is reachable (behind a proxy: set HTTPS_PROXY and ELECTRON_GET_USE_PROXY=1)',
    '  - set ELECTRON_MIRROR to a mirror of https://github.com/electron/electron/releases/download/ and run `npm start`',
    '  - set ELECTRON_OVERRIDE_DIST_PATH to a folder that holds an Electron build of the same version',
    'Meanwhile `npm run serve` runs the same UI in a browser at http://127.0.0.1:8025',
  ].join('\n');
}
