#!/usr/bin/env node
// `npm start`: make sure the Electron binary (downloaded here when missing) and the Electron-ABI better-sqlite3
// exist, build, launch.
// Each missing piece gets one clear message instead of a stack trace.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { electronVersion, findElectronBinary, missingBinaryMessage, nativeBuildPath } from './lib/electron-binary.mjs';
import { downloadElectron } from './lib/electron-download.mjs';

const projectDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Compiling SQLite from source takes a few minutes on a slow laptop; beyond this something is stuck. */
const NATIVE_BUILD_TIMEOUT_MS = 20 * 60_000;

function fail(message) {
  console.error(`\n${message}\n`);
  process.exit(1);
}

/** The binary, downloading it (with progress) when it is missing. The "how to get it" text only if that fails. */
async function ensureElectronBinary() {
  const binary = findElectronBinary(projectDir);
  if (binary.ok) return binary;
  // A folder the user chose holds no binary, or they asked us not to fetch: say so, do not download elsewhere.
  if (process.env.ELECTRON_OVERRIDE_DIST_PATH || process.env.MAILWRIGHT_SKIP_ELECTRON_INSTALL === '1') return binary;
  const download = await downloadElectron(projectDir);
  if (!download.ok) return download;
  return findElectronBinary(projectDir);
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

const binary = await ensureElectronBinary();
if (!binary.ok) fail(missingBinaryMessage(binary.reason));
const version = electronVersion(projectDir);
if (!version) fail('node_modules/electron is missing: run `npm install` first.');
ensureNativeModule(version);
buildApp();
launch(binary.path);
