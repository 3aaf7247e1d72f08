// The folder rules from docs/architecture.md, checked on every test run.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(new URL('../..', import.meta.url).pathname);

function sources(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(ts|svelte|mjs|js)$/.test(e.name)) out.push(p);
    }
  };
  walk(path.join(root, dir));
  return out;
}

function imports(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|import\s+['"]([^'"]+)['"]/g)];
  return specs.map((m) => m[1] ?? m[2] ?? m[3] ?? '');
}

function offenders(dir: string, bad: (spec: string, file: string) => boolean, skip: (file: string) => boolean = () => false): string[] {
  return sources(dir)
    .filter((f) => !skip(f))
    .flatMap((f) => imports(f).filter((s) => bad(s, f)).map((s) => `${path.relative(root, f)} imports ${s}`));
}

describe('architecture', () => {
  it('src-shared imports nothing from electron, node or the DOM-only world', () => {
    const bad = offenders('src-shared', (s) => s === 'electron' || s.startsWith('node:') || !/^(\.|zod$)/.test(s));
    expect(bad).toEqual([]);
  });

  it('the core (src-main outside src-main/electron) never imports electron', () => {
    const bad = offenders('src-main', (s) => s === 'electron' || s.startsWith('electron/'), (f) => f.includes(`${path.sep}electron${path.sep}`));
    expect(bad).toEqual([]);
  });

  it('the core never imports a binding', () => {
    const core = ['core', 'store', 'smtp', 'message'];
    const bad = core.flatMap((d) => offenders(`src-main/${d}`, (s) => /\/(serve|electron)\//.test(s) || /^\.\.\/(serve|electron)\b/.test(s)));
    expect(bad).toEqual([]);
  });

  it('the renderer reaches the back end only through src-shared types and its api module', () => {
    const bad = offenders('src-renderer', (s) => s.includes('src-main') || s === 'electron' || s.startsWith('node:'));
    expect(bad).toEqual([]);
  });
});
