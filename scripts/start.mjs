#!/usr/bin/env node
// `npm start`: make sure the Electron binary and the Electron-ABI better-sqlite3 exist, build, launch.
// Each missing piece gets one clear message instead of a stack trace.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { electronVersion, findElectronBinary, missingBinaryMessage, nativeBuildPath } from './lib/electron-binary.mjs';

const projectDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** The Electron download is ~100 MB; a minute is enough on a working connection and bounds a dead one. */
const INSTALL_TIMEOUT_MS = 60_000;
/** Compiling SQLite from source takes a few minutes on a slow laptop; beyond this something is stuck. */
const NATIVE_BUILD_TIMEOUT_MS = 20 * 60_000;

function fail(message) {
  console.error(`\n${message}\n`);
  process.exit(1);
}

function ensureElectronBinary() {
  let binary = findElectronBinary(projectDir);
  if (binary.ok || process.env.MAILWRIGHT_SKIP_ELECTRON_INSTALL === '1') return binary;
  console.log('Electron binary not found; trying to download it once (node node_modules/electron/install.js)...');
  const env = { ...process.env };
  delete env.ELECTRON_SKIP_BINARY_DOWNLOAD; // install.js silently does nothing when it is set
  const r = spawnSync(process.execPath, [path.join(projectDir, 'node_modules', 'electron', 'install.js')], {
    cwd: projectDir,
    env,
    stdio: ['ignore', 'inherit', 'pipe'],
    encoding: 'utf8',
    timeout: INSTALL_TIMEOUT_MS,
    killSignal: 'SIGKILL',
  });
  binary = findElectronBinary(projectDir);
  if (binary.ok) return binary;
  // install.js prints a whole stack; its first line ("RequestError: getaddrinfo ENOTFOUND ...") is the reason.
  const why = r.error ? r.error.message : (r.stderr ?? '').trim().split('\n')[0];
  return { ok: false, reason: `download attempt failed: ${why || `exit code ${r.status}`}` };
}

function ensureNativeModule(version) {
  const file = nativeBuildPath(projectDir, version);
  if (fs.existsSync(file)) return;
  console.log(`Building better-sqlite3 for Electron ${version} (once; node_modules stays untouched)...`);
  const r = spawnSync(process.execPath, [path.join(projectDir, 'scripts', 'build-native-electron.mjs')], {
    cwd: projectDir,
    stdio: 'inherit',
    timeout: NATIVE_BUILD_TIMEOUT_MS,
    killSignal: 'SIGKILL',
  });
  if (r.status !== 0 || !fs.existsSync(file)) {
    fail(
      `Could not build better-sqlite3 for Electron ${version} (expected ${file}).\n` +
        'It needs a C++ toolchain (python3, make, g++ or Visual Studio Build Tools) and access to electronjs.org or GitHub.\n' +
        'Retry with `node scripts/build-native-electron.mjs`, or use `npm run serve` (browser UI at http://127.0.0.1:8025).',
    );
  }
}

function buildApp() {
  const cli = path.join(projectDir, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js');
  const r = spawnSync(process.execPath, [cli, 'build'], { cwd: projectDir, stdio: 'inherit' });
  if (r.status !== 0) fail('electron-vite build failed (see above).');
}

function launch(binaryPath) {
  const env = { ...process.env };
  delete env.ELECTRON_RUN_AS_NODE; // would turn the app into a plain Node process
  const child = spawn(binaryPath, [projectDir, ...process.argv.slice(2)], { cwd: projectDir, env, stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

const binary = ensureElectronBinary();
if (!binary.ok) fail(missingBinaryMessage(binary.reason));
const version = electronVersion(projectDir);
if (!version) fail('node_modules/electron is missing: run `npm install` first.');
ensureNativeModule(version);
buildApp();
launch(binary.path);
