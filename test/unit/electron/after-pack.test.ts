// The packaging hook: copies the Electron-ABI module into resources/native, or fails the build loudly.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const { default: afterPack } = require('../../../scripts/after-pack.cjs') as {
  default: (ctx: unknown) => Promise<void>;
};
const ARCHES = ['ia32', 'x64', 'armv7l', 'arm64', 'universal'];

let project: string;
beforeEach(() => {
  project = fs.mkdtempSync(path.join(os.tmpdir(), 'mw-afterpack-'));
});
afterEach(() => fs.rmSync(project, { recursive: true, force: true }));

function context(arch = ARCHES.indexOf(process.arch)) {
  const appOutDir = path.join(project, 'dist', 'linux-unpacked');
  return {
    appOutDir,
    arch,
    packager: {
      projectDir: project,
      info: { framework: { version: '39.5.0' } },
      getResourcesDir: (dir: string) => path.join(dir, 'resources'),
    },
  };
}

describe('scripts/after-pack.cjs', () => {
  it('copies .native/electron-<version>/better_sqlite3.node to resources/native/', async () => {
    const built = path.join(project, '.native', 'electron-39.5.0', 'better_sqlite3.node');
    fs.mkdirSync(path.dirname(built), { recursive: true });
    fs.writeFileSync(built, 'electron-abi');
    const ctx = context();
    await afterPack(ctx);
    expect(fs.readFileSync(path.join(ctx.appOutDir, 'resources', 'native', 'better_sqlite3.node'), 'utf8')).toBe(
      'electron-abi',
    );
  });

  it('fails the build when the module was never built', async () => {
    await expect(afterPack(context())).rejects.toThrow(/build-native-electron\.mjs/);
  });

  it('fails a cross-arch package instead of shipping a module for the wrong CPU', async () => {
    const other = ARCHES.findIndex((a) => a !== process.arch && a !== 'universal');
    await expect(afterPack(context(other))).rejects.toThrow(/built for/);
  });
});
