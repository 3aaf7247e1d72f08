// Renders one template file to HTML: .html as it is, .mjml with mjml (strict validation, includes only from inside
// the folder), .hbs with Handlebars and the sample data of the .json beside it (JSON5, so a comment or trailing
// comma is fine), .eml by its own HTML part. A compile error becomes a TemplateCompileError naming the file at
// fault and the line and column the compiler reported.
import fs from 'node:fs';
import path from 'node:path';
import type HandlebarsType from 'handlebars';
import type JSON5Type from 'json5';
import { Parser } from 'htmlparser2';
import libmime from 'libmime';
import { lazyRequire } from '../core/lazy.js';

/** mjml (~59 MB resident), Handlebars and JSON5 load with the first template rendered. */
const Handlebars = lazyRequire<typeof HandlebarsType>('handlebars');
const JSON5 = lazyRequire<typeof JSON5Type>('json5');
import { MailwrightError, type TemplateKind, type TemplateProblem } from '../../src-shared/index.js';
import { parseBodies } from '../message/bodies.js';
import { isInside, resolveInside, type FolderRoot } from './folder.js';

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
      const html = compileHandlebars(root, rel, bytes.toString('utf8'), data);
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
  // mjml's own findings first (they are more precise); then what it lets pass.
  checkMjmlClosed(rel, source);
  return result.html;
}

/**
 * mjml closes an unclosed element silently (its parser, htmlparser2, implies the end tag) and renders something
 * else than was meant. The same parser, with mjml's options, tells which `mj-*` element was closed only by
 * implication; the element's start tag is the position. HTML inside mj-text and the like is not checked (an
 * unclosed <p> there is HTML's business), and a self-closing tag (`<mj-image />`) closes in its own tag.
 */
export function checkMjmlClosed(rel: string, source: string): void {
  const open: { name: string; start: number }[] = [];
  const unclosed: { name: string; start: number }[] = [];
  const parser = new Parser(
    {
      onopentag(name) {
        open.push({ name, start: parser.startIndex });
      },
      onclosetag(name, implied) {
        const element = open.pop();
        if (element && implied && element.start !== parser.startIndex && /^mj(ml|-)/.test(name)) unclosed.push(element);
      },
    },
    { recognizeCDATA: true, decodeEntities: false, recognizeSelfClosing: true, lowerCaseAttributeNames: false },
  );
  parser.write(source);
  parser.end();
  const first = unclosed.sort((a, b) => a.start - b.start).at(-1);
  if (!first) return;
  const { line, column } = positionOf(source, first.start);
  throw problem(
    rel,
    line,
    column,
    `<${first.name}> is never closed (no </${first.name}>)` +
      (unclosed.length > 1 ? ` (and ${unclosed.length - 1} more unclosed)` : ''),
  );
}

/** 1-based line and column of a character offset. */
function positionOf(source: string, offset: number): { line: number; column: number } {
  const before = source.slice(0, offset);
  const lineStart = before.lastIndexOf('\n') + 1;
  return { line: before.split('\n').length, column: offset - lineStart + 1 };
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

/** Partials one render may pull in, all told: past this a partial is including itself by another name. */
const MAX_PARTIALS = 200;

function compileHandlebars(root: FolderRoot, rel: string, source: string, data: unknown): string {
  // A fresh environment per render: no helper or partial registered by one template leaks into another.
  const hb = Handlebars().create();
  const ast = parseHandlebars(hb, rel, source);
  // Partials are read from the folder as the template names them, each by the folder's rules, before compiling.
  const pending = [{ file: rel, ast }];
  const loaded = new Set<string>();
  for (let next = pending.pop(); next; next = pending.pop()) {
    const { names, inline } = partialsOf(next.ast);
    for (const ref of names) {
      if (loaded.has(ref.name) || inline.has(ref.name)) continue;
      if (loaded.size >= MAX_PARTIALS)
        throw problem(next.file, ref.line, ref.column, `more than ${MAX_PARTIALS} partials: refused`);
      const found = findPartial(root, next.file, ref);
      const text = readLimited(found.real, found.rel).toString('utf8');
      hb.registerPartial(ref.name, text);
      loaded.add(ref.name);
      pending.push({ file: found.rel, ast: parseHandlebars(hb, found.rel, text) });
    }
  }
  try {
    return hb.compile(source)(data);
  } catch (err) {
    throw handlebarsProblem(rel, err as { lineNumber?: number; column?: number; message?: string });
  }
}

function parseHandlebars(hb: typeof HandlebarsType, rel: string, source: string): hbs.AST.Program {
  try {
    return hb.parse(source);
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
}

interface PartialRef {
  name: string;
  line: number;
  column: number;
}

/** The partials a template names (`{{> footer}}`, `{{#> layout}}`), and those it defines inline. */
function partialsOf(ast: hbs.AST.Program): { names: PartialRef[]; inline: Set<string> } {
  const names: PartialRef[] = [];
  const inline = new Set<string>();
  // The Visitor class lives on the top-level Handlebars object, not on an environment from create().
  const Visitor = Handlebars().Visitor;
  const visitor = new Visitor();
  const base = Visitor.prototype;
  const add = (partial: hbs.AST.PartialStatement | hbs.AST.PartialBlockStatement): void => {
    const n = partial.name as hbs.AST.PathExpression | hbs.AST.StringLiteral | hbs.AST.SubExpression;
    // A dynamic name (`{{> (which)}}`) is known only when it runs; `@partial-block` is the caller's block.
    const name = n.type === 'PathExpression' ? n.original : n.type === 'StringLiteral' ? n.value : null;
    if (name && !name.startsWith('@'))
      names.push({ name, line: partial.loc.start.line, column: partial.loc.start.column + 1 });
  };
  visitor.PartialStatement = function (partial) {
    add(partial);
    base.PartialStatement.call(this, partial);
  };
  visitor.PartialBlockStatement = function (partial) {
    add(partial);
    base.PartialBlockStatement.call(this, partial);
  };
  visitor.DecoratorBlock = function (decorator) {
    const param = decorator.params[0] as hbs.AST.StringLiteral | undefined;
    if (decorator.path.original === 'inline' && param?.type === 'StringLiteral') inline.add(param.value);
    base.DecoratorBlock.call(this, decorator);
  };
  visitor.accept(ast);
  return { names, inline };
}

/**
 * The file of a partial: `partials/<name>.hbs`, else `_<name>.hbs` (for `emails/footer`, `emails/_footer.hbs`),
 * both inside the folder by its rules (no `..`, no link leaving it). Missing or refused names the reference.
 */
function findPartial(root: FolderRoot, from: string, ref: PartialRef): { rel: string; real: string } {
  const slash = ref.name.lastIndexOf('/');
  const candidates = [`partials/${ref.name}.hbs`, `${ref.name.slice(0, slash + 1)}_${ref.name.slice(slash + 1)}.hbs`];
  for (const rel of candidates) {
    try {
      return { rel, real: resolveInside(root, rel) };
    } catch (err) {
      if (err instanceof MailwrightError && err.code === 'not_found') continue;
      const why = err instanceof MailwrightError ? err.message : String(err);
      throw problem(from, ref.line, ref.column, `the partial "${ref.name}" is refused: ${why}`);
    }
  }
  throw problem(
    from,
    ref.line,
    ref.column,
    `the partial "${ref.name}" is not in the folder (looked for ${candidates.join(' and ')})`,
  );
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
