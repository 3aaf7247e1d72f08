// `npm start` without an Electron binary: it downloads it with progress and launches it, or prints one clear message
// that points at the fix and at `npm run serve`. Also the binary lookup and the native build's scratch copy, which
// run under plain Node.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createProgressReporter } from '../../../scripts/lib/download-progress.mjs';
import { findElectronBinary, missingBinaryMessage } from '../../../scripts/lib/electron-binary.mjs';
import { buildSteps, copyPackageSource } from '../../../scripts/lib/native-build.mjs';
import {
  buildFakeElectronZip,
  createStartLayout,
  ELECTRON_VERSION,
  startFakeMirror,
  ZIP_NAME,
  type FakeMirror,
} from '../../helpers/fake-electron-mirror.js';

const projectDir = path.resolve(import.meta.dirname, '..', '..', '..');
let scratch: string;
beforeEach(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'mw-start-'));
});
afterEach(() => fs.rmSync(scratch, { recursive: true, force: true }));

/** Bounds a regression only: every run here ends on its own within seconds (a failed lookup, a 2 MB download). */
const START_TIMEOUT_MS = 60_000;
const MISSING = 'The Electron binary is not installed';

function runStart(
  env: NodeJS.ProcessEnv,
  dir = projectDir,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(dir, 'scripts', 'start.mjs')],
      { cwd: dir, env, timeout: START_TIMEOUT_MS },
      (err, stdout, stderr) => {
        resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr });
      },
    );
  });
}

/** The environment of a fresh machine: no override, nothing skipped, a private download cache. */
function freshEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, electron_config_cache: path.join(scratch, 'cache'), ...extra };
  for (const name of [
    'ELECTRON_OVERRIDE_DIST_PATH',
    'MAILWRIGHT_SKIP_ELECTRON_INSTALL',
    'force_no_cache',
    'ELECTRON_GET_USE_PROXY',
  ])
    delete env[name];
  return env;
}

function occurrences(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

describe('scripts/start.mjs', () => {
  it('exits 1 with one message naming the fixes and npm run serve when the binary is missing', async () => {
    // An empty override folder makes the binary missing even on a machine that has it downloaded.
    const r = await runStart({
      ...process.env,
      MAILWRIGHT_SKIP_ELECTRON_INSTALL: '1',
      ELECTRON_OVERRIDE_DIST_PATH: scratch,
    });
    expect(r.code).toBe(1);
    expect(occurrences(r.stderr, MISSING)).toBe(1);
    expect(r.stderr).toContain('allowScripts');
    expect(r.stderr).toContain('ELECTRON_MIRROR');
    expect(r.stderr).toContain('ELECTRON_OVERRIDE_DIST_PATH');
    expect(r.stderr).toContain('npm run serve');
    expect(r.stderr).toContain('http://127.0.0.1:8025');
    expect(r.stderr).not.toMatch(/^\s+at /m); // a message, not a stack trace
    expect(r.stdout).not.toContain('downloading'); // the download was skipped
  });
});

describe('npm start on a machine without the Electron binary', () => {
  let mirror: FakeMirror | undefined;
  let layout: string;
  let zip: Buffer;
  beforeEach(() => {
    zip = buildFakeElectronZip(path.join(scratch, ZIP_NAME));
    layout = path.join(scratch, 'project');
    fs.mkdirSync(layout);
    createStartLayout(layout, zip);
  });
  afterEach(async () => {
    await mirror?.close();
    mirror = undefined;
  });

  it('downloads it with progress, unpacks it where findElectronBinary looks, and launches the app with it', async () => {
    mirror = await startFakeMirror(zip);
    const launchedWith = path.join(scratch, 'electron-args.txt');
    // .ci/run sets ELECTRON_SKIP_BINARY_DOWNLOAD for npm ci; npm start downloads all the same.
    const r = await runStart(
      freshEnv({
        ELECTRON_MIRROR: mirror.url,
        ELECTRON_SKIP_BINARY_DOWNLOAD: '1',
        MW_FAKE_ELECTRON_ARGS: launchedWith,
      }),
      layout,
    );
    expect(r.stderr).not.toContain(MISSING);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`downloading Electron ${ELECTRON_VERSION}`);
    // Not a terminal: a line per quarter, rising, ending at 100%.
    const percents = [...r.stdout.matchAll(/^ {2}[\d.]+ MB of ([\d.]+) MB \((\d+)%\)$/gm)].map((m) => Number(m[2]));
    expect(percents.length).toBeGreaterThanOrEqual(1);
    expect(percents.length).toBeLessThanOrEqual(4);
    expect(percents.at(-1)).toBe(100);
    expect([...percents].sort((a, b) => a - b)).toEqual(percents);
    expect(r.stdout).toContain(`of ${(zip.length / (1024 * 1024)).toFixed(1)} MB (100%)`);
    expect(mirror.requests).toEqual([`/v${ELECTRON_VERSION}/${ZIP_NAME}`]);
    // install.js unpacked it and wrote path.txt; the lookup npm start and the smoke test use finds it.
    const binary = path.join(layout, 'node_modules', 'electron', 'dist', 'electron');
    expect(fs.readFileSync(path.join(layout, 'node_modules', 'electron', 'path.txt'), 'utf8')).toBe('electron');
    expect(findElectronBinary(layout)).toEqual({ ok: true, path: binary });
    // ...and it is what npm start launched, with the project folder as the app.
    expect(fs.readFileSync(launchedWith, 'utf8').split('\n')[0]).toBe(layout);
  });

  it('prints how to get it once, naming npm run serve, when the mirror cannot be resolved', async () => {
    // .invalid never resolves (RFC 6761), with or without internet access: the lookup fails at once.
    const r = await runStart(freshEnv({ ELECTRON_MIRROR: 'http://electron-mirror.invalid/' }), layout);
    expect(r.code).toBe(1);
    expect(occurrences(r.stderr, MISSING)).toBe(1);
    expect(r.stderr).toMatch(/download failed: .*ENOTFOUND electron-mirror\.invalid/);
    expect(r.stderr).toContain('npm run serve');
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(fs.existsSync(path.join(layout, 'node_modules', 'electron', 'path.txt'))).toBe(false);
  });

  it('lets a slow download run past the no-progress timeout as long as bytes keep coming', async () => {
    // 32 chunks 150 ms apart take about 5 s in all, longer than the 3 s budget, yet no gap comes near it.
    mirror = await startFakeMirror(zip, { pauseMs: 150 });
    const launchedWith = path.join(scratch, 'electron-args.txt');
    const r = await runStart(
      freshEnv({
        ELECTRON_MIRROR: mirror.url,
        MAILWRIGHT_ELECTRON_STALL_SECONDS: '3',
        MW_FAKE_ELECTRON_ARGS: launchedWith,
      }),
      layout,
    );
    expect(r.stderr).not.toContain(MISSING);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('(100%)');
    expect(fs.existsSync(launchedWith)).toBe(true);
  });

  it("refuses a zip that does not match electron's checksums.json, and unpacks nothing", async () => {
    // Another build of the same shape: a mirror (or anything between) serving a tampered binary.
    mirror = await startFakeMirror(buildFakeElectronZip(path.join(scratch, `tampered-${ZIP_NAME}`)));
    const r = await runStart(freshEnv({ ELECTRON_MIRROR: mirror.url }), layout);
    expect(r.code).toBe(1);
    expect(occurrences(r.stderr, MISSING)).toBe(1);
    expect(r.stderr).toMatch(/download failed: .*checksum/i);
    expect(fs.existsSync(path.join(layout, 'node_modules', 'electron', 'path.txt'))).toBe(false);
    expect(fs.existsSync(path.join(layout, 'node_modules', 'electron', 'dist'))).toBe(false);
  });

  it('cuts a download that stops sending after the no-progress timeout, then prints how to get it once', async () => {
    mirror = await startFakeMirror(zip, { stallAfterHalf: true });
    const r = await runStart(freshEnv({ ELECTRON_MIRROR: mirror.url, MAILWRIGHT_ELECTRON_STALL_SECONDS: '2' }), layout);
    expect(r.code).toBe(1);
    expect(occurrences(r.stderr, MISSING)).toBe(1);
    expect(r.stderr).toContain('download failed: the download stalled: no data for 2 s');
    expect(r.stderr).toContain('npm run serve');
    expect(r.stdout).not.toContain('(100%)');
    expect(fs.existsSync(path.join(layout, 'node_modules', 'electron', 'path.txt'))).toBe(false);
  });
});

describe('download progress', () => {
  const MB = 1024 * 1024;
  function sink(isTTY: boolean): { out: { isTTY: boolean; write(text: string): void }; written: string[] } {
    const written: string[] = [];
    return { out: { isTTY, write: (text) => void written.push(text) }, written };
  }

  it('rewrites one line on a terminal and ends it when done', () => {
    const { out, written } = sink(true);
    const progress = createProgressReporter(out, 'Electron 1.2.3');
    for (let mb = 0; mb <= 100; mb += 1) progress.update({ transferred: mb * MB, total: 100 * MB });
    progress.update({ transferred: 100 * MB, total: 100 * MB }); // an unchanged figure is not written again
    expect(written.length).toBe(101);
    expect(written.every((w) => w.startsWith('\r') && !w.includes('\n'))).toBe(true);
    expect(written.at(-1)).toContain('Downloading Electron 1.2.3: 100.0 MB of 100.0 MB (100%)');
    progress.finish();
    expect(written.at(-1)).toBe('\n');
  });

  it('writes a line per quarter to a log, or one per 25 MB when the size is unknown', () => {
    const known = sink(false);
    const progress = createProgressReporter(known.out, 'x');
    for (let mb = 0; mb <= 100; mb += 1) progress.update({ transferred: mb * MB, total: 100 * MB });
    progress.finish();
    expect(known.written).toEqual(['25', '50', '75', '100'].map((p) => `  ${p}.0 MB of 100.0 MB (${p}%)\n`));

    const unknown = sink(false);
    const noTotal = createProgressReporter(unknown.out, 'x');
    for (let mb = 0; mb <= 60; mb += 1) noTotal.update({ transferred: mb * MB });
    noTotal.finish();
    expect(unknown.written).toEqual(['  25.0 MB\n', '  50.0 MB\n']);
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
    expect(compile?.args).toEqual(
      expect.arrayContaining(['rebuild', '--target=39.5.0', '--dist-url=https://electronjs.org/headers']),
    );
    expect(compile?.args.some((a) => a.startsWith('--devdir='))).toBe(true);
  });
});
