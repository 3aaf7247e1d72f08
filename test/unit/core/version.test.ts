// The version has one home, package.json; source runs and the bundle both read it from there.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'vite';
import { afterEach, describe, expect, it } from 'vitest';
import { VERSION } from '../../../src-main/core/version.js';

const root = path.resolve(import.meta.dirname, '..', '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  version: string;
  dependencies: Record<string, string>;
};

let scratch: string | undefined;
afterEach(() => {
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  scratch = undefined;
});

describe('version', () => {
  it("is package.json's version when run from source", () => {
    expect(VERSION).toBe(pkg.version);
  });

  it('is inlined by the bundler, alone, so out/main and the packaged app need no package.json at run time', async () => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'mw-version-'));
    await build({
      root,
      configFile: false,
      logLevel: 'silent',
      build: {
        ssr: path.join(root, 'src-main', 'core', 'version.ts'),
        outDir: scratch,
        emptyOutDir: false,
        minify: false,
        rollupOptions: { output: { entryFileNames: 'version.mjs', format: 'es' } },
      },
    });
    const bundle = path.join(scratch, 'version.mjs');
    const text = fs.readFileSync(bundle, 'utf8');
    expect(text).not.toContain('package.json'); // nothing is read at run time
    expect(text).not.toContain(Object.keys(pkg.dependencies)[0]!); // and the rest of package.json stays out
    const built = (await import(pathToFileURL(bundle).href)) as { VERSION: string };
    expect(built.VERSION).toBe(pkg.version);
  });
});
