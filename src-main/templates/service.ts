// The watched template folder: renders on demand and after each save (fs.watch, debounced), keeps the last good
// render of every template beside its newest compile error, and turns a template into message bytes for capture.
import fs from 'node:fs';
import path from 'node:path';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import {
  MailwrightError,
  type PreviewView,
  type TemplateKind,
  type TemplateList,
  type TemplateProblem,
  type TemplateRender,
} from '../../src-shared/index.js';
import { previewFromHtml, renderPreview } from '../message/preview.js';
import { isInside, kindOf, listFolder, openRoot, resolveInside, type FolderRoot } from './folder.js';
import { TemplateCompileError, renderTemplate } from './render.js';

/** Saves come in bursts (an editor writes, renames, touches): one render after the burst settles. */
export const DEBOUNCE_MS = 25;
/** A burst touching more files than this (a checkout, a copy) renders nothing ahead; each renders when asked. */
const MAX_PRERENDER = 50;
/** Rendered templates kept at most; the least recently used go first. */
const MAX_CACHED = 200;

/** Who sends captured mail, and to whom: fixed, recognisable names under the reserved .test domain. */
export const CAPTURE_FROM = 'Mailwright templates <templates@mailwright.test>';
export const CAPTURE_TO = 'preview@mailwright.test';

interface Good {
  html: string;
  previewHtml: string;
  text: string | null;
  /** An .eml's bytes (with the key header); the other kinds are composed into a message only when captured. */
  raw: Buffer | null;
  subject: string;
  renderedAt: Date;
  renderMs: number;
}

interface Entry {
  kind: TemplateKind;
  /** The file's (and for .hbs its sample data's) mtime and size when last rendered; null forces a render. */
  stamp: string | null;
  good: Good | null;
  problem: TemplateProblem | null;
}

export interface TemplateServiceDeps {
  /** The header whose value is a message's baseline key (the baselines settings' keyHeader). */
  keyHeader(): string;
  onChanged(paths: string[]): void;
  onProblem(text: string): void;
}

export class TemplateService {
  #root: FolderRoot | null = null;
  #configured: string | null = null;
  #folderProblem: string | null = null;
  #watcher: fs.FSWatcher | null = null;
  #pending = new Set<string>();
  #timer: NodeJS.Timeout | null = null;
  #cache = new Map<string, Entry>();
  #inflight = new Map<string, Promise<Entry>>();
  #generation = 0;

  constructor(private readonly deps: TemplateServiceDeps) {}

  /** Points the service at a folder ('' for none): stops the old watch, clears every render, starts a new watch. */
  configure(folder: string): void {
    this.#stopWatch();
    this.#cache.clear();
    this.#generation++;
    this.#root = null;
    this.#folderProblem = null;
    this.#configured = folder === '' ? null : folder;
    if (folder !== '') {
      try {
        this.#root = openRoot(folder);
        this.#startWatch(this.#root);
      } catch (err) {
        this.#folderProblem = err instanceof Error ? err.message : String(err);
      }
    }
    this.deps.onChanged([]);
  }

  close(): void {
    this.#stopWatch();
  }

  list(): TemplateList {
    const root = this.#root;
    const files = root ? listFolder(root) : [];
    return {
      folder: this.#configured,
      watching: this.#watcher !== null,
      folderProblem: this.#folderProblem,
      templates: files.map((f) => ({
        path: f.rel,
        kind: f.kind,
        partial: f.kind === 'hbs' && isHandlebarsPartial(f.rel),
        size: f.size,
        modifiedAt: f.modifiedAt.toISOString(),
        problem: f.refused ? null : (this.#cache.get(f.rel)?.problem ?? null),
        refused: f.refused,
      })),
    };
  }

  /** `view` is the designer view the preview is prepared for; absent (or light with images) is the cached one. */
  async render(rel: string, view?: PreviewView): Promise<TemplateRender> {
    const entry = await this.#entry(rel);
    const good = entry.good;
    const previewHtml = good ? await previewIn(good, view) : null;
    return {
      path: normalise(rel),
      kind: entry.kind,
      subject: good?.subject ?? path.posix.basename(normalise(rel)),
      html: good?.html ?? null,
      previewHtml,
      text: good?.text ?? null,
      renderedAt: good ? good.renderedAt.toISOString() : null,
      renderMs: good ? good.renderMs : null,
      problem: entry.problem,
    };
  }

  /** The bytes to import for a capture, and the baseline key they carry; refuses a template that does not compile. */
  async messageFor(rel: string): Promise<{ raw: Buffer; key: string; filename: string }> {
    const entry = await this.#entry(rel);
    if (!entry.good || entry.problem) {
      // The preview keeps the last good render to look at; a capture is of the file as it is now.
      const p = entry.problem;
      throw new MailwrightError(
        'invalid_argument',
        `${normalise(rel)} does not compile${p ? `: ${describeProblem(p)}` : ''}`,
        'path',
      );
    }
    const raw = entry.good.raw ?? (await this.#compose(rel, entry.good));
    return { raw, key: keyOf(rel), filename: `${path.posix.basename(normalise(rel))}.eml` };
  }

  #requireRoot(): FolderRoot {
    if (this.#root) return this.#root;
    throw new MailwrightError(
      'unavailable',
      this.#folderProblem ?? 'no template folder is set (Settings, templates.folder)',
      'templates.folder',
    );
  }

  async #entry(relIn: string): Promise<Entry> {
    const root = this.#requireRoot();
    const rel = normalise(relIn);
    const kind = kindOf(rel);
    if (kind === null)
      throw new MailwrightError('invalid_argument', `${rel} is not a template (.html, .mjml, .eml or .hbs)`, 'path');
    const real = resolveInside(root, rel);
    const stamp = stampOf(real, kind);
    const cached = this.#cache.get(rel);
    if (cached && cached.stamp === stamp) {
      // Most recently used last.
      this.#cache.delete(rel);
      this.#cache.set(rel, cached);
      return cached;
    }
    const running = this.#inflight.get(rel);
    if (running) return running;
    const generation = this.#generation;
    const job = this.#renderInto(root, rel, real, kind, stamp, cached ?? null).finally(() =>
      this.#inflight.delete(rel),
    );
    this.#inflight.set(rel, job);
    const entry = await job;
    if (generation === this.#generation) {
      this.#cache.delete(rel);
      this.#cache.set(rel, entry);
      while (this.#cache.size > MAX_CACHED) this.#cache.delete(this.#cache.keys().next().value!);
    }
    return entry;
  }

  async #renderInto(
    root: FolderRoot,
    rel: string,
    real: string,
    kind: TemplateKind,
    stamp: string,
    previous: Entry | null,
  ): Promise<Entry> {
    const started = performance.now();
    try {
      const out = await renderTemplate(root, rel, real, kind);
      // Composing a message (quoted-printable of ~100 KB of compiled MJML) costs as much as the compile: only an
      // .eml, whose cid: parts the preview inlines, goes through the message path here.
      const raw = out.raw ? withKeyHeader(out.raw, this.deps.keyHeader(), keyOf(rel)) : null;
      const preview = raw
        ? await renderPreview(raw, { allowRemote: false })
        : previewFromHtml(out.html, { allowRemote: false });
      return {
        kind,
        stamp,
        problem: null,
        good: {
          html: out.html,
          previewHtml: preview.html,
          text: out.text,
          raw,
          subject: out.subject,
          renderedAt: new Date(),
          renderMs: Math.round((performance.now() - started) * 10) / 10,
        },
      };
    } catch (err) {
      if (!(err instanceof TemplateCompileError)) throw err;
      // The last good render stays; the error is shown beside it.
      return { kind, stamp, problem: err.problem, good: previous?.good ?? null };
    }
  }

  #compose(rel: string, out: { html: string; subject: string }): Promise<Buffer> {
    const composer = new MailComposer({
      from: CAPTURE_FROM,
      to: CAPTURE_TO,
      subject: out.subject,
      html: out.html,
      headers: { [this.deps.keyHeader()]: keyOf(rel) },
    });
    return composer.compile().build();
  }

  #startWatch(root: FolderRoot): void {
    try {
      const watcher = fs.watch(root.real, { recursive: true, persistent: false }, (_event, filename) => {
        if (filename) this.#changed(String(filename).split(path.sep).join('/'));
      });
      watcher.on('error', (err) => {
        this.deps.onProblem(`[templates] watching ${root.configured} stopped: ${err.message}`);
        this.#stopWatch();
      });
      this.#watcher = watcher;
    } catch (err) {
      this.deps.onProblem(`[templates] cannot watch ${root.configured}: ${(err as Error).message}`);
    }
  }

  #stopWatch(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#pending.clear();
    this.#watcher?.close();
    this.#watcher = null;
  }

  #changed(rel: string): void {
    this.#pending.add(rel);
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#flush(), DEBOUNCE_MS);
  }

  /** After a burst of saves: renders the templates it touched (so the preview's fetch finds them), then tells. */
  async #flush(): Promise<void> {
    this.#timer = null;
    const changed = [...this.#pending];
    this.#pending.clear();
    const root = this.#root;
    if (!root) return;
    const affected = new Set<string>();
    for (const rel of changed) {
      if (!staysInside(root, rel)) continue;
      const ext = path.extname(rel).toLowerCase();
      if (ext === '.json') affected.add(rel.replace(/\.json$/i, '.hbs'));
      if (ext === '.mjml')
        // An edited partial (mj-include) changes every MJML template that includes it.
        for (const entry of this.#cache.values()) if (entry.kind === 'mjml') entry.stamp = null;
      if (ext === '.hbs' && isHandlebarsPartial(rel))
        // A partial changes every Handlebars template rendered so far (any may use it): each renders again and is
        // told, so an open preview follows the partial's save.
        for (const [cachedRel, entry] of this.#cache) if (entry.kind === 'hbs') affected.add(cachedRel);
      if (kindOf(rel) !== null) affected.add(rel);
    }
    const paths = [...affected].filter((rel) => kindOf(rel) !== null);
    // Two saves within one mtime tick and of one size look alike: what the watch saw always renders again.
    for (const rel of paths) {
      const entry = this.#cache.get(normalise(rel));
      if (entry) entry.stamp = null;
    }
    if (paths.length <= MAX_PRERENDER)
      for (const rel of paths) {
        try {
          await this.#entry(rel);
        } catch {
          // Deleted, refused or unreadable: the list says so when it is fetched.
        }
      }
    if (this.#root === root && paths.length > 0) this.deps.onChanged(paths);
  }
}

/** The last good render's preview document in a designer view (the light one with images is made once, on render). */
async function previewIn(good: Good, view: PreviewView | undefined): Promise<string> {
  if (!view || (view.scheme === 'light' && view.images === 'on')) return good.previewHtml;
  const doc = good.raw
    ? await renderPreview(good.raw, { allowRemote: false, view })
    : previewFromHtml(good.html, { allowRemote: false, view });
  return doc.html;
}

/**
 * Whether a path the watch reported lies inside the folder by its real path: a linked folder that leads out may be
 * watched too, and nothing about what changes there is told. A path that is gone (deleted) is judged as written.
 */
function staysInside(root: FolderRoot, rel: string): boolean {
  const lexical = path.resolve(root.real, rel);
  if (!isInside(root.real, lexical)) return false;
  try {
    return isInside(root.real, fs.realpathSync(lexical));
  } catch {
    return true;
  }
}

/** A partial by the folder's naming (render.ts): under `partials/`, or a file named `_<name>.hbs`. */
function isHandlebarsPartial(rel: string): boolean {
  return rel.startsWith('partials/') || path.posix.basename(rel).startsWith('_');
}

/** `a\b.mjml`, `./a.mjml` → `a.mjml`: the one spelling a template is cached and listed under. */
function normalise(rel: string): string {
  return path.posix.normalize(rel.replace(/\\/g, '/')).replace(/^\.\//, '');
}

/** The baseline key a template's captures carry: its path without the extension. */
export function keyOf(rel: string): string {
  return normalise(rel).replace(/\.[^./]+$/, '');
}

function stampOf(real: string, kind: TemplateKind): string {
  const s = fs.statSync(real);
  let stamp = `${s.mtimeMs}:${s.size}`;
  if (kind === 'hbs') {
    try {
      const d = fs.statSync(real.replace(/\.hbs$/i, '.json'));
      stamp += `|${d.mtimeMs}:${d.size}`;
    } catch {
      stamp += '|none';
    }
  }
  return stamp;
}

/** An .eml keeps its bytes; the key header is added in front unless the message already names its own key. */
function withKeyHeader(raw: Buffer, header: string, key: string): Buffer {
  const head = raw.subarray(0, 64 * 1024).toString('latin1');
  const end = head.search(/\r?\n\r?\n/);
  const block = end >= 0 ? head.slice(0, end) : head;
  const escaped = header.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  if (new RegExp(`^${escaped}:`, 'im').test(block)) return raw;
  const eol = /\r\n/.test(block) ? '\r\n' : '\n';
  return Buffer.concat([Buffer.from(`${header}: ${key.replace(/[\r\n]/g, ' ')}${eol}`, 'utf8'), raw]);
}

export function describeProblem(p: TemplateProblem): string {
  const at = p.line !== null ? `:${p.line}${p.column !== null ? `:${p.column}` : ''}` : '';
  return `${p.file}${at}: ${p.message}`;
}
