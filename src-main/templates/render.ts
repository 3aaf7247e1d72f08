// Renders one template file to HTML: .html as it is, .mjml with mjml (strict validation, includes only from inside
// the folder), .hbs with Handlebars and the sample data of the .json beside it (JSON5, so a comment or trailing
// comma is fine), .eml by its own HTML part. A compile error becomes a TemplateCompileError naming the file at
// fault and the line and column the compiler reported.
import fs from 'node:fs';
import path from 'node:path';
import type HandlebarsType from 'handlebars';
import type JSON5Type from 'json5';
import libmime from 'libmime';
import { lazyRequire } from '../core/lazy.js';

/** mjml (~59 MB resident), Handlebars and JSON5 load with the first template rendered. */
const Handlebars = lazyRequire<typeof HandlebarsType>('handlebars');
const JSON5 = lazyRequire<typeof JSON5Type>('json5');
import type { TemplateKind, TemplateProblem } from '../../src-shared/index.js';
import { parseBodies } from '../message/bodies.js';
import { isInside, type FolderRoot } from './folder.js';

/** A template larger than this is not a template; reading it would only use memory. */
export const MAX_TEMPLATE_BYTES = 4 * 1024 * 1024;

export class TemplateCompileError extends Error {
  constructor(readonly problem: TemplateProblem) {
    super(problem.message);
  }
}

export interface Rendered {
  html: string;
  /** The .eml's own text part; null for the other kinds. */
  text: string | null;
  /** The .eml's bytes as they are; null for the other kinds (they are composed into a message on capture). */
  raw: Buffer | null;
  subject: string;
}

/** `rel` is the template's path in the folder (for messages), `real` its real path (checked by resolveInside). */
export async function renderTemplate(
  root: FolderRoot,
  rel: string,
  real: string,
  kind: TemplateKind,
): Promise<Rendered> {
  const bytes = readLimited(real, rel);
  const name = path.basename(rel).replace(/\.[^.]+$/, '');
  switch (kind) {
    case 'html': {
      const html = bytes.toString('utf8');
      return { html, text: null, raw: null, subject: titleOf(html) ?? name };
    }
    case 'mjml': {
      const html = await compileMjml(root, rel, real, bytes.toString('utf8'));
      return { html, text: null, raw: null, subject: titleOf(html) ?? name };
    }
    case 'hbs': {
      const data = readSampleData(root, rel, real);
      const html = compileHandlebars(rel, bytes.toString('utf8'), data);
      return { html, text: null, raw: null, subject: titleOf(html) ?? name };
    }
    case 'eml': {
      const bodies = await parseBodies(bytes);
      if (bodies.error !== null) throw problem(rel, null, null, `the message cannot be read: ${bodies.error}`);
      const html = bodies.html ?? `<pre>${escapeHtml(bodies.text ?? '')}</pre>`;
      return { html, text: bodies.text, raw: bytes, subject: subjectHeader(bytes) ?? name };
    }
  }
}

function readLimited(real: string, rel: string): Buffer {
  const size = fs.statSync(real).size;
  if (size > MAX_TEMPLATE_BYTES)
    throw problem(rel, null, null, `the file is ${size} bytes; templates are read up to ${MAX_TEMPLATE_BYTES}`);
  return fs.readFileSync(real);
}

function problem(file: string, line: number | null, column: number | null, message: string): TemplateCompileError {
  return new TemplateCompileError({ file, line, column, message });
}

interface MjmlValidationError {
  line?: number;
  message?: string;
  tagName?: string;
}

async function compileMjml(root: FolderRoot, rel: string, real: string, source: string): Promise<string> {
  let result: { html: string };
  try {
    const { default: mjml2html } = await import('mjml');
    result = await mjml2html(source, {
      validationLevel: 'strict',
      // mj-include is read only from inside the folder: mjml's parser checks each include's real path against these.
      ignoreIncludes: false,
      filePath: real,
      includePath: root.real,
    });
  } catch (err) {
    const errors = (err as { errors?: MjmlValidationError[] }).errors;
    const first = Array.isArray(errors) ? errors[0] : undefined;
    if (first)
      throw problem(
        rel,
        typeof first.line === 'number' ? first.line : null,
        columnOfTag(source, first.line, first.tagName),
        `${first.tagName ? `<${first.tagName}> ` : ''}${first.message ?? 'invalid MJML'}` +
          (errors!.length > 1 ? ` (and ${errors!.length - 1} more)` : ''),
      );
    throw problem(rel, null, null, cleanMjmlMessage(err, root));
  }
  return result.html;
}

/** MJML reports the line of an invalid element; its column is where that element's tag starts on the line. */
function columnOfTag(source: string, line: number | undefined, tag: string | undefined): number | null {
  if (typeof line !== 'number' || !tag) return null;
  const text = source.split('\n')[line - 1];
  const at = text?.indexOf(`<${tag}`) ?? -1;
  return at >= 0 ? at + 1 : null;
}

function cleanMjmlMessage(err: unknown, root: FolderRoot): string {
  const message = err instanceof Error ? err.message : String(err);
  // Paths in mjml's messages are shown relative to the folder.
  return message.split(root.real + path.sep).join('');
}

/** The sample data of `x.hbs`: `x.json` beside it, or `{}` when there is none. Broken JSON names its position. */
function readSampleData(root: FolderRoot, rel: string, real: string): unknown {
  const dataReal = real.replace(/\.hbs$/i, '.json');
  const dataRel = rel.replace(/\.hbs$/i, '.json');
  let text: string;
  try {
    const target = fs.realpathSync(dataReal);
    if (!isInside(root.real, target))
      throw problem(dataRel, null, null, 'the sample data is a link that leaves the template folder: refused');
    text = readLimited(target, dataRel).toString('utf8');
  } catch (err) {
    if (err instanceof TemplateCompileError) throw err;
    return {};
  }
  try {
    return JSON5().parse(text);
  } catch (err) {
    const e = err as { lineNumber?: number; columnNumber?: number; message?: string };
    throw problem(
      dataRel,
      e.lineNumber ?? null,
      e.columnNumber ?? null,
      `sample data is not valid JSON: ${(e.message ?? String(err)).replace(/^JSON5: /, '').replace(/ at \d+:\d+$/, '')}`,
    );
  }
}

function compileHandlebars(rel: string, source: string, data: unknown): string {
  // A fresh environment per render: no helper or partial registered by one template leaks into another.
  const hb = Handlebars().create();
  try {
    hb.parse(source);
  } catch (err) {
    // A Handlebars Exception (a mismatched block) carries its own position; a parse error carries only text, but
    // the parser's lexer still holds where it stopped.
    const e = err as { lineNumber?: number; column?: number; message?: string };
    if (typeof e.lineNumber === 'number') throw handlebarsProblem(rel, e);
    const parser = (
      hb as unknown as { Parser?: { lexer?: { yylloc?: { first_line?: number; first_column?: number } } } }
    ).Parser;
    const loc = parser?.lexer?.yylloc;
    const lineFromText = /on line (\d+)/.exec(e.message ?? '')?.[1];
    const line = lineFromText ? Number(lineFromText) : (loc?.first_line ?? null);
    const column = loc && loc.first_line === line && typeof loc.first_column === 'number' ? loc.first_column + 1 : null;
    throw problem(rel, line, column, firstLine(e.message ?? String(err)));
  }
  try {
    return hb.compile(source)(data);
  } catch (err) {
    throw handlebarsProblem(rel, err as { lineNumber?: number; column?: number; message?: string });
  }
}

/** Handlebars columns count from 0; editors (and this problem) count from 1. */
function handlebarsProblem(
  rel: string,
  e: { lineNumber?: number; column?: number; message?: string },
): TemplateCompileError {
  const line = typeof e.lineNumber === 'number' ? e.lineNumber : null;
  const column = typeof e.column === 'number' ? e.column + 1 : null;
  return problem(rel, line, column, (e.message ?? String(e)).replace(/ - \d+:\d+$/, ''));
}

function firstLine(text: string): string {
  const lines = text.split('\n');
  // Handlebars: "Parse error on line 2:", the snippet, the caret, then what it expected.
  return lines.length >= 4 ? `${lines[0]} ${lines[3]}` : text;
}

/** The document's <title>, if it has a non-empty one. */
export function titleOf(html: string): string | null {
  const m = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(html.slice(0, 64 * 1024));
  const title = m?.[1]
    ?.replace(/<[^>]*>/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  return title ? decodeEntities(title) : null;
}

function subjectHeader(raw: Buffer): string | null {
  const head = raw.subarray(0, 64 * 1024).toString('latin1');
  const end = head.search(/\r?\n\r?\n/);
  const m = /^subject:[ \t]*(.*(?:\r?\n[ \t].*)*)/im.exec(end >= 0 ? head.slice(0, end) : head);
  const value = m?.[1]?.replace(/\r?\n[ \t]/g, ' ').trim();
  if (!value) return null;
  try {
    return libmime.decodeWords(value);
  } catch {
    return value;
  }
}

function decodeEntities(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
