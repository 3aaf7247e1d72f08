// A scratch copy of the project's start-up layout and an Electron mirror on loopback, so `npm start`'s download
// path runs for real (electron's own @electron/get, got, checksums, install.js, extract-zip) without the network
// and without touching the real node_modules/electron.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

const projectDir = path.resolve(import.meta.dirname, '..', '..');
export const ELECTRON_VERSION = (
  JSON.parse(fs.readFileSync(path.join(projectDir, 'node_modules', 'electron', 'package.json'), 'utf8')) as {
    version: string;
  }
).version;
/** The file name @electron/get asks a mirror for on this machine. */
export const ZIP_NAME = `electron-v${ELECTRON_VERSION}-${process.platform}-${process.arch}.zip`;
/** Big enough to arrive in many chunks (so progress has steps to show), small enough to build in an instant. */
const FILLER_BYTES = 2 * 1024 * 1024;
/** Written a piece at a time, as a real server would stream it. */
const CHUNK_BYTES = 64 * 1024;

/**
 * A zip shaped like Electron's: an executable `electron` at the top (here a shell script that writes its
 * arguments to $MW_FAKE_ELECTRON_ARGS, so a test sees it was launched) and an incompressible filler.
 * Built with python3's zipfile, which records the Unix mode that extract-zip restores.
 */
export function buildFakeElectronZip(file: string): Buffer {
  const script = String.raw`
import os, sys, zipfile
with zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_STORED) as z:
    launcher = zipfile.ZipInfo('electron')
    launcher.create_system = 3
    launcher.external_attr = 0o100755 << 16
    z.writestr(launcher, '#!/bin/sh\nprintf "%s\\n" "$@" > "$MW_FAKE_ELECTRON_ARGS"\n')
    z.writestr('version', sys.argv[2])
    z.writestr('resources.pak', os.urandom(int(sys.argv[3])))
`;
  execFileSync('python3', ['-c', script, file, ELECTRON_VERSION, String(FILLER_BYTES)]);
  return fs.readFileSync(file);
}

/**
 * The files `npm start` reaches before the app starts, copied into `dir`: scripts/, package.json and electron's
 * package (install.js, index.js, and a checksums.json that vouches for `zip`). Electron's own dependencies are
 * linked from the real node_modules. What comes after the binary is not under test here: the Electron-ABI
 * native module is a placeholder and the build step a script that succeeds.
 */
export function createStartLayout(dir: string, zip: Buffer): string {
  const realModules = path.join(projectDir, 'node_modules');
  fs.cpSync(path.join(projectDir, 'scripts'), path.join(dir, 'scripts'), { recursive: true });
  fs.copyFileSync(path.join(projectDir, 'package.json'), path.join(dir, 'package.json'));
  const electronDir = path.join(dir, 'node_modules', 'electron');
  fs.mkdirSync(electronDir, { recursive: true });
  for (const file of ['package.json', 'install.js', 'index.js']) {
    fs.copyFileSync(path.join(realModules, 'electron', file), path.join(electronDir, file));
  }
  const sha256 = createHash('sha256').update(zip).digest('hex');
  fs.writeFileSync(path.join(electronDir, 'checksums.json'), JSON.stringify({ [ZIP_NAME]: sha256 }));
  for (const dep of ['@electron', 'extract-zip'])
    fs.symlinkSync(path.join(realModules, dep), path.join(dir, 'node_modules', dep));
  const native = path.join(dir, '.native', `electron-${ELECTRON_VERSION}`, 'better_sqlite3.node');
  fs.mkdirSync(path.dirname(native), { recursive: true });
  fs.writeFileSync(native, 'placeholder');
  const viteBin = path.join(dir, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js');
  fs.mkdirSync(path.dirname(viteBin), { recursive: true });
  fs.writeFileSync(viteBin, 'process.exit(0);\n');
  return dir;
}

function drainedOrClosed(res: http.ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

export interface FakeMirror {
  /** Base URL for ELECTRON_MIRROR, with the trailing slash @electron/get expects. */
  url: string;
  /** Paths requested, in order. */
  requests: string[];
  close(): Promise<void>;
}

/**
 * Serves `zip` at the path @electron/get asks for. With `stallAfterHalf`, sends half and then nothing, ever; with
 * `pauseMs`, waits that long before each chunk (a slow line).
 */
export async function startFakeMirror(zip: Buffer, { stallAfterHalf = false, pauseMs = 0 } = {}): Promise<FakeMirror> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(req.url ?? '');
    if (req.url !== `/v${ELECTRON_VERSION}/${ZIP_NAME}`) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/zip', 'Content-Length': zip.length });
    void (async () => {
      const end = stallAfterHalf ? Math.floor(zip.length / 2) : zip.length;
      for (let offset = 0; offset < end; offset += CHUNK_BYTES) {
        if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
        if (res.destroyed) return;
        if (!res.write(zip.subarray(offset, Math.min(offset + CHUNK_BYTES, end)))) {
          await drainedOrClosed(res);
        }
      }
      if (!stallAfterHalf) res.end();
    })();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    requests,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
