#!/usr/bin/env node
// Builds better-sqlite3 for the pinned Electron into .native/electron-<version>/better_sqlite3.node.
// Works in a temp copy: node_modules/better-sqlite3 keeps its Node build. Usage: [--force] [--arch=x64]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { NATIVE_FILE, electronVersion, nativeBuildPath } from './lib/electron-binary.mjs';
import { buildSteps, copyPackageSource } from './lib/native-build.mjs';

const projectDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const force = argv.includes('--force');
const arch = argv.find((a) => a.startsWith('--arch='))?.slice('--arch='.length) ?? process.arch;
const version = electronVersion(projectDir);
if (!version) {
  console.error('node_modules/electron is missing: run `npm install` first.');
  process.exit(1);
}

const target = nativeBuildPath(projectDir, version);
if (fs.existsSync(target) && !force) {
  console.log(`Already built: ${target} (use --force to rebuild)`);
  process.exit(0);
}

const source = path.join(projectDir, 'node_modules', 'better-sqlite3');
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'mailwright-native-'));
const work = path.join(scratch, 'better-sqlite3');
let ok = false;
try {
  copyPackageSource(source, work);
  const built = path.join(work, 'build', 'Release', NATIVE_FILE);
  for (const step of buildSteps({ projectDir, version, arch })) {
    console.log(`better-sqlite3 for Electron ${version} (${arch}): ${step.name}`);
    const r = spawnSync(process.execPath, step.args, {
      cwd: work,
      stdio: 'inherit',
      timeout: step.timeoutMs,
      killSignal: 'SIGKILL',
    });
    if (r.status === 0 && fs.existsSync(built)) {
      fs.mkdirSync(path.dirname(target), { recursive: true });
      // Copy then rename, so an interrupted build never leaves a truncated module where the app looks.
      fs.copyFileSync(built, `${target}.partial`);
      fs.renameSync(`${target}.partial`, target);
      ok = true;
      break;
    }
    console.error(`  failed (${r.error ? r.error.message : `exit ${r.status}`})`);
  }
} finally {
  fs.rmSync(scratch, { recursive: true, force: true });
}

if (!ok) {
  console.error(`Could not build better-sqlite3 for Electron ${version}.`);
  process.exit(1);
}
console.log(`Built ${target}`);
