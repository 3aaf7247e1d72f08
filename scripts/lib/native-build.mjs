// The steps that build better-sqlite3 for Electron in a scratch copy, so node_modules/better-sqlite3
// (the Node-ABI build that tests and `serve` use) is never rebuilt, and `npm install` stays untouched.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Copies the package's sources, leaving out its existing Node-ABI build output. */
export function copyPackageSource(src, dest) {
  const skip = path.join(src, 'build');
  fs.cpSync(src, dest, {
    recursive: true,
    filter: (p) => p !== skip && !p.startsWith(skip + path.sep),
  });
}

/** First a prebuilt download (fast), then a compile against Electron's headers. Each with its own time budget. */
export function buildSteps({ projectDir, version, arch }) {
  const bin = (...p) => path.join(projectDir, 'node_modules', ...p);
  return [
    {
      name: 'prebuild-install (download a prebuilt binary)',
      args: [
        bin('prebuild-install', 'bin.js'),
        '--runtime=electron',
        `--target=${version}`,
        `--arch=${arch}`,
        '--verbose',
      ],
      // A release asset download; a dead network fails at once, a slow one gets two minutes.
      timeoutMs: 2 * 60_000,
    },
    {
      name: 'node-gyp rebuild (compile against Electron headers)',
      args: [
        bin('node-gyp', 'bin', 'node-gyp.js'),
        'rebuild',
        '--release',
        `--target=${version}`,
        `--arch=${arch}`,
        '--dist-url=https://electronjs.org/headers',
        // Electron's headers must not share a cache folder with Node's: versions can coincide.
        `--devdir=${path.join(os.homedir(), '.electron-gyp')}`,
      ],
      // Compiling the SQLite amalgamation on two slow cores takes minutes; beyond twenty something is stuck.
      timeoutMs: 20 * 60_000,
    },
  ];
}
