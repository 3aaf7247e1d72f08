// `npm start` without an Electron binary: one clear message that points at the fix and at `npm run serve`.
// Also the binary lookup and the native build's scratch copy, which run under plain Node.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findElectronBinary, missingBinaryMessage } from '../../../scripts/lib/electron-binary.mjs';
import { buildSteps, copyPackageSource } from '../../../scripts/lib/native-build.mjs';

const projectDir = path.resolve(import.meta.dirname, '..', '..', '..');
let scratch: string;
beforeEach(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'mw-start-'));
});
afterEach(() => fs.rmSync(scratch, { recursive: true, force: true }));

function runStart(env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    // The script exits at once when the binary is missing; the timeout only bounds a regression.
    execFile(process.execPath, [path.join(projectDir, 'scripts', 'start.mjs')], { cwd: projectDir, env, timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr });
    });
  });
}

describe('scripts/start.mjs', () => {
  it('exits 1 with one message naming the fixes and npm run serve when the binary is missing', async () => {
    // An empty override folder makes the binary missing even on a machine that has it downloaded.
    const r = await runStart({ ...process.env, MAILWRIGHT_SKIP_ELECTRON_INSTALL: '1', ELECTRON_OVERRIDE_DIST_PATH: scratch });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('The Electron binary is not installed');
    expect(r.stderr).toContain('node node_modules/electron/install.js');
    expect(r.stderr).toContain('allowScripts');
    expect(r.stderr).toContain('ELECTRON_OVERRIDE_DIST_PATH');
    expect(r.stderr).toContain('npm run serve');
    expect(r.stderr).toContain('http://127.0.0.1:8025');
    expect(r.stderr).not.toMatch(/^\s+at /m); // a message, not a stack trace
    expect(r.stdout).not.toContain('trying to download'); // the install attempt was skipped
  });
});

describe('findElectronBinary', () => {
  const saved = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  afterEach(() => {
    if (saved === undefined) delete process.env.ELECTRON_OVERRIDE_DIST_PATH;
    else process.env.ELECTRON_OVERRIDE_DIST_PATH = saved;
  });

  it('reports a missing file, then finds it once it exists', () => {
    process.env.ELECTRON_OVERRIDE_DIST_PATH = scratch;
    const missing = findElectronBinary(projectDir);
    expect(missing.ok).toBe(false);
    const reported = !missing.ok ? /no Electron binary at (.+)$/.exec(missing.reason)?.[1] : undefined;
    expect(reported && path.dirname(reported).startsWith(scratch)).toBe(true);
    fs.mkdirSync(path.dirname(reported!), { recursive: true });
    fs.writeFileSync(reported!, '#!/bin/sh\n');
    expect(findElectronBinary(projectDir)).toEqual({ ok: true, path: reported });
  });

  it('says how to get the binary', () => {
    const text = missingBinaryMessage('because');
    expect(text.split('\n')[0]).toBe('The Electron binary is not installed (because).');
    expect(text).toContain('npm run serve');
  });
});

describe('native build helpers', () => {
  it('copies the package without its Node-ABI build and leaves the source untouched', () => {
    const src = path.join(scratch, 'src');
    fs.mkdirSync(path.join(src, 'build', 'Release'), { recursive: true });
    fs.mkdirSync(path.join(src, 'deps'), { recursive: true });
    fs.writeFileSync(path.join(src, 'binding.gyp'), '{}');
    fs.writeFileSync(path.join(src, 'deps', 'sqlite3.c'), '/* c */');
    fs.writeFileSync(path.join(src, 'build', 'Release', 'better_sqlite3.node'), 'node-abi');
    fs.writeFileSync(path.join(src, 'buildish.txt'), 'kept: only the build folder is skipped');
    const dest = path.join(scratch, 'dest');
    copyPackageSource(src, dest);
    expect(fs.readdirSync(dest).sort()).toEqual(['binding.gyp', 'buildish.txt', 'deps']);
    expect(fs.readFileSync(path.join(src, 'build', 'Release', 'better_sqlite3.node'), 'utf8')).toBe('node-abi');
  });

  it('tries a prebuilt Electron binary first, then node-gyp against Electron headers', () => {
    const [prebuilt, compile] = buildSteps({ projectDir: '/p', version: '39.5.0', arch: 'x64' });
    expect(prebuilt?.args).toEqual(expect.arrayContaining(['--runtime=electron', '--target=39.5.0', '--arch=x64']));
    expect(compile?.args).toEqual(expect.arrayContaining(['rebuild', '--target=39.5.0', '--dist-url=https://electronjs.org/headers']));
    expect(compile?.args.some((a) => a.startsWith('--devdir='))).toBe(true);
  });
});
