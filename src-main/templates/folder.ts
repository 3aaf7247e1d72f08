// The one door to the template folder: a relative path is resolved inside it, and a path or symlink that leaves it
// (by `..`, an absolute path, or a link whose real path lies outside) is refused before anything is read.
import fs from 'node:fs';
import path from 'node:path';
import { MailwrightError, TEMPLATE_KINDS, type TemplateKind } from '../../src-shared/index.js';

/** Folders deeper than this are not listed: a template folder is a handful of levels, not a file system. */
const MAX_DEPTH = 8;
/** Files listed at most: past this the folder is not a template folder (someone picked their home folder). */
export const MAX_TEMPLATES = 2000;
/** Folders never listed (tool output and version control). */
const SKIPPED_FOLDERS = new Set(['node_modules', '.git']);

export function kindOf(file: string): TemplateKind | null {
  const ext = path.extname(file).slice(1).toLowerCase();
  return (TEMPLATE_KINDS as readonly string[]).includes(ext) ? (ext as TemplateKind) : null;
}

/** True when `target` is `root` or inside it (both absolute and normalised). */
export function isInside(root: string, target: string): boolean {
  const rel = path.relative(root, target);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

export interface FolderRoot {
  /** As configured (absolute). */
  configured: string;
  /** Its real path (symlinks resolved): every file's real path must lie inside it. */
  real: string;
}

/** Checks the configured folder: absolute, existing, a folder. Throws naming `templates.folder`. */
export function openRoot(folder: string): FolderRoot {
  if (!path.isAbsolute(folder))
    throw new MailwrightError('invalid_argument', 'folder must be an absolute path', 'templates.folder');
  let real: string;
  try {
    real = fs.realpathSync(folder);
  } catch {
    throw new MailwrightError('not_found', `folder ${folder} does not exist`, 'templates.folder');
  }
  if (!fs.statSync(real).isDirectory())
    throw new MailwrightError('invalid_argument', `${folder} is not a folder`, 'templates.folder');
  return { configured: path.resolve(folder), real };
}

/**
 * The real path of `rel` inside the folder. Refuses (forbidden, naming `path`) an absolute path, one with `..` or a
 * NUL, and one whose real path (after every symlink) leaves the folder; a missing file is not_found.
 */
export function resolveInside(root: FolderRoot, rel: string): string {
  const parts = rel.split(/[\\/]+/);
  if (rel.includes('\0') || path.isAbsolute(rel) || /^[A-Za-z]:/.test(rel) || parts.includes('..'))
    throw new MailwrightError('forbidden', `${rel} is outside the template folder`, 'path');
  const lexical = path.resolve(root.real, rel);
  if (!isInside(root.real, lexical))
    throw new MailwrightError('forbidden', `${rel} is outside the template folder`, 'path');
  let real: string;
  try {
    real = fs.realpathSync(lexical);
  } catch {
    throw new MailwrightError('not_found', `no template ${rel} in the folder`, 'path');
  }
  if (!isInside(root.real, real))
    throw new MailwrightError('forbidden', `${rel} is a link that leaves the template folder: refused`, 'path');
  return real;
}

export interface ListedFile {
  rel: string;
  kind: TemplateKind;
  size: number;
  modifiedAt: Date;
  /** Why it is refused (a link leaving the folder), or null. */
  refused: string | null;
}

/** Every template file under the folder, sorted; links that leave it are listed as refused and never followed. */
export function listFolder(root: FolderRoot): ListedFile[] {
  const out: ListedFile[] = [];
  const walk = (dir: string, relDir: string, depth: number): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (out.length >= MAX_TEMPLATES) return;
      const rel = relDir ? `${relDir}/${e.name}` : e.name;
      const full = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (depth < MAX_DEPTH && !SKIPPED_FOLDERS.has(e.name)) walk(full, rel, depth + 1);
        continue;
      }
      const kind = kindOf(e.name);
      if (kind === null || !(e.isFile() || e.isSymbolicLink())) continue;
      let refused: string | null = null;
      let stat: fs.Stats | null = null;
      if (e.isSymbolicLink()) {
        try {
          const real = fs.realpathSync(full);
          if (!isInside(root.real, real)) refused = 'a link that leaves the template folder: refused';
          else stat = fs.statSync(real);
        } catch {
          refused = 'a link to nothing';
        }
      } else {
        try {
          stat = fs.statSync(full);
        } catch {
          continue;
        }
      }
      if (stat && !stat.isFile()) continue;
      out.push({
        rel,
        kind,
        size: stat?.size ?? 0,
        modifiedAt: stat?.mtime ?? new Date(0),
        refused,
      });
    }
  };
  walk(root.real, '', 0);
  return out.sort((a, b) => a.rel.localeCompare(b.rel));
}
