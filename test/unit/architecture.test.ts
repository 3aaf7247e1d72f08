// The folder rules of docs/architecture.md, read from its table and checked on every test run. A row added to the
// table is checked without editing this file; a "must not import" entry this file cannot read fails the test, so
// the table never promises a rule nobody checks.
import fs from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = path.resolve(new URL('../..', import.meta.url).pathname);
const SOURCE_EXTENSIONS = /\.(ts|svelte|mjs|js)$/;

interface ImportEdge {
  spec: string;
  /** Repository-relative path of the project file it names, or null for a package. */
  target: string | null;
  /** `import type` / `export type`: erased at build time, so it bundles nothing. */
  typeOnly: boolean;
}

interface Ban {
  /** The table's words, for the failure message. */
  text: string;
  /** Package bans follow runtime imports through project files: what a file pulls in is bundled with it. */
  transitive: boolean;
  matches: (edge: ImportEdge) => boolean;
}

interface Rule {
  folder: string;
  bans: Ban[];
  /** "anything but X": only the folder's own files and these packages. */
  allowedPackages: string[] | null;
}

// ---- reading the table ----

function architectureRows(): Array<{ folder: string; mustNotImport: string }> {
  const doc = fs.readFileSync(path.join(root, 'docs/architecture.md'), 'utf8');
  const section = doc.split(/^## What each folder owns and must not import$/m)[1]?.split(/^## /m)[0] ?? '';
  const rows = section.split('\n').filter((l) => l.startsWith('| `'));
  return rows.map((line) => {
    const cells = line
      .split('|')
      .slice(1, -1)
      .map((c) => c.trim());
    return { folder: cells[0]!.replace(/`/g, ''), mustNotImport: cells[cells.length - 1]! };
  });
}

const unquote = (s: string): string => s.replace(/`/g, '').trim();
const isPackage = (spec: string, name: string): boolean => spec === name || spec.startsWith(`${name}/`);
const NODE_BUILTINS = new Set(builtinModules);
const under = (target: string | null, folder: string): boolean =>
  target !== null && (target === folder || target.startsWith(`${folder}/`));

/** Turns one comma-separated entry of the "must not import" column into a check, or says why it cannot. */
function parseBan(entry: string, rowFolder: string): Ban | string {
  const text = entry.replace(/\([^)]*\)/g, '').trim(); // a parenthesis explains; it adds no rule
  const word = unquote(text);
  const siblingsRoot = path.posix.dirname(rowFolder);
  const folderBan = (folders: string[]): Ban => ({
    text,
    transitive: false,
    matches: (e) => folders.some((f) => under(e.target, f)),
  });
  if (word === 'electron')
    return { text, transitive: true, matches: (e) => e.target === null && isPackage(e.spec, 'electron') };
  if (word === 'zod') return { text, transitive: true, matches: (e) => e.target === null && isPackage(e.spec, 'zod') };
  if (word === 'node:*') {
    return {
      text,
      transitive: true,
      matches: (e) => e.target === null && (e.spec.startsWith('node:') || NODE_BUILTINS.has(e.spec.split('/')[0]!)),
    };
  }
  if (word === 'bindings') return folderBan(['src-main/serve', 'src-main/electron']);
  // Capability folders talk to each other through core.invoke, never by import.
  if (word === 'other capabilities') return folderBan(capabilityFolders().filter((f) => f !== rowFolder));
  // `store/`, `capture/`: a sibling folder; "store internals", "store/capture internals": the same, said for a binding
  const siblings = /^([a-z-]+(?:\/[a-z-]+)*)\/?(?: internals)?$/.exec(word);
  if (siblings && word !== 'src-main') {
    const names = siblings[1]!.split('/');
    const folders = names.map((n) => `${siblingsRoot}/${n}`);
    const missing = folders.filter((f) => !fs.existsSync(path.join(root, f)));
    if (missing.length === 0) return folderBan(folders);
  }
  if (word === 'src-main') return folderBan(['src-main']);
  return `${rowFolder}: cannot read "${entry}"`;
}

function parseRule(folder: string, column: string): { rule: Rule; unreadable: string[] } {
  const unreadable: string[] = [];
  const bans: Ban[] = [];
  let allowedPackages: string[] | null = null;
  // commas inside a parenthesis belong to its explanation
  const entries = column
    .replace(/\([^)]*\)/g, (p) => p.replace(/,/g, ';'))
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  for (const entry of entries) {
    const anythingBut = /^anything but (.+)$/.exec(unquote(entry.replace(/\([^)]*\)/g, '')));
    if (anythingBut) {
      allowedPackages = anythingBut[1]!.split(/\s+and\s+/).map(unquote);
      continue;
    }
    const ban = parseBan(entry, folder);
    if (typeof ban === 'string') unreadable.push(ban);
    else bans.push(ban);
  }
  if (!fs.existsSync(path.join(root, folder))) unreadable.push(`${folder}: no such folder`);
  return { rule: { folder, bans, allowedPackages }, unreadable };
}

/** The folders whose setup functions src-main/core/capabilities.ts registers. */
function capabilityFolders(): string[] {
  const registry = fs.readFileSync(path.join(root, 'src-main/core/capabilities.ts'), 'utf8');
  // A capability may keep several setups in subfolders (compat/mailpit, compat/mailhog): the folder is the first part.
  const folders = [...registry.matchAll(/from '\.\.\/([a-z-]+)\/[a-z/-]+\.js'/g)].map((m) => `src-main/${m[1]}`);
  return [...new Set(folders)];
}

// ---- reading the sources ----

function sources(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (SOURCE_EXTENSIONS.test(e.name)) out.push(path.relative(root, p));
    }
  };
  walk(path.join(root, dir));
  return out;
}

/** The project file a relative specifier names (`./x.js` is `./x.ts` on disk). */
function resolveRelative(from: string, spec: string): string {
  const base = path.posix.join(path.posix.dirname(from), spec);
  const candidates = [base, base.replace(/\.js$/, '.ts'), `${base}.ts`, `${base}/index.ts`];
  return candidates.find((c) => fs.existsSync(path.join(root, c)) && fs.statSync(path.join(root, c)).isFile()) ?? base;
}

function scriptText(file: string): string {
  const text = fs.readFileSync(path.join(root, file), 'utf8');
  if (!file.endsWith('.svelte')) return text;
  return [...text.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]).join('\n');
}

const edgeCache = new Map<string, ImportEdge[]>();

function importsOf(file: string): ImportEdge[] {
  const cached = edgeCache.get(file);
  if (cached) return cached;
  const source = ts.createSourceFile(file, scriptText(file), ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const edges: ImportEdge[] = [];
  const add = (spec: string, typeOnly: boolean): void => {
    edges.push({ spec, typeOnly, target: spec.startsWith('.') ? resolveRelative(file, spec) : null });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      add(node.moduleSpecifier.text, node.importClause?.isTypeOnly ?? false);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      add(node.moduleSpecifier.text, node.isTypeOnly);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [arg] = node.arguments;
      if (arg && ts.isStringLiteral(arg)) add(arg.text, false);
    } else if (
      ts.isImportTypeNode(node) &&
      ts.isLiteralTypeNode(node.argument) &&
      ts.isStringLiteral(node.argument.literal)
    ) {
      add(node.argument.literal.text, true);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  edgeCache.set(file, edges);
  return edges;
}

/** Runtime imports reached from `file` through project files, each with the chain that reaches it. */
function runtimeClosure(file: string): Array<{ edge: ImportEdge; via: string[] }> {
  const out: Array<{ edge: ImportEdge; via: string[] }> = [];
  const seen = new Set<string>([file]);
  const queue: Array<{ file: string; via: string[] }> = [{ file, via: [file] }];
  while (queue.length > 0) {
    const next = queue.shift()!;
    for (const edge of importsOf(next.file)) {
      if (edge.typeOnly) continue;
      out.push({ edge, via: next.via });
      if (
        edge.target &&
        SOURCE_EXTENSIONS.test(edge.target) &&
        !seen.has(edge.target) &&
        fs.existsSync(path.join(root, edge.target))
      ) {
        seen.add(edge.target);
        queue.push({ file: edge.target, via: [...next.via, edge.target] });
      }
    }
  }
  return out;
}

function violations(rule: Rule): string[] {
  const found = new Set<string>();
  for (const file of sources(rule.folder)) {
    for (const edge of importsOf(file)) {
      if (rule.allowedPackages && edge.target === null && !rule.allowedPackages.some((p) => isPackage(edge.spec, p))) {
        found.add(`${file} imports ${edge.spec} (only ${rule.allowedPackages.join(', ')} allowed)`);
      }
      if (rule.allowedPackages && edge.target !== null && !under(edge.target, rule.folder)) {
        found.add(`${file} imports ${edge.spec}, outside ${rule.folder}`);
      }
      for (const ban of rule.bans) {
        if (!ban.transitive && ban.matches(edge))
          found.add(`${file} imports ${edge.spec} (must not import ${ban.text})`);
      }
    }
    const transitiveBans = rule.bans.filter((b) => b.transitive);
    if (transitiveBans.length === 0) continue;
    for (const { edge, via } of runtimeClosure(file)) {
      for (const ban of transitiveBans) {
        if (ban.matches(edge)) found.add(`${via.join(' -> ')} imports ${edge.spec} (must not import ${ban.text})`);
      }
    }
  }
  return [...found].sort();
}

// ---- the checks ----

const rows = architectureRows();
const parsed = rows.map((r) => ({ ...r, ...parseRule(r.folder, r.mustNotImport) }));

describe('architecture (docs/architecture.md, "What each folder owns and must not import")', () => {
  it('the table is there and every entry of its "must not import" column has a check', () => {
    expect(rows.length).toBeGreaterThanOrEqual(8);
    expect(parsed.flatMap((p) => p.unreadable)).toEqual([]);
    for (const p of parsed) expect(p.rule.bans.length + (p.rule.allowedPackages ? 1 : 0), p.folder).toBeGreaterThan(0);
  });

  it('an entry it cannot read, or a folder that is not there, is reported rather than skipped', () => {
    expect(parseRule('src-main/store', 'electron, DOM, `nosuch/`').unreadable).toEqual([
      'src-main/store: cannot read "DOM"',
      'src-main/store: cannot read "`nosuch/`"',
    ]);
    expect(parseRule('src-main/nosuch', 'electron').unreadable).toEqual(['src-main/nosuch: no such folder']);
  });

  it('has a row for every capability folder, which bans importing the others', () => {
    const folders = capabilityFolders();
    expect(folders).toContain('src-main/messages');
    for (const folder of folders) {
      const row = parsed.find((p) => p.folder === folder);
      expect(row, `${folder} has no row`).toBeDefined();
      expect(row!.mustNotImport, folder).toMatch(/other capabilities/);
    }
  });

  for (const { folder, mustNotImport, rule } of parsed) {
    it(`${folder} must not import ${mustNotImport}`, () => {
      expect(violations(rule)).toEqual([]);
    });
  }
});
