// Rendering each kind of template from real files, the compile errors with their positions, and the folder's
// refusals (`..`, absolute paths, symlinks whose real path leaves it).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listFolder, openRoot, resolveInside, type FolderRoot } from '../../../src-main/templates/folder.js';
import { TemplateCompileError, renderTemplate } from '../../../src-main/templates/render.js';
import type { TemplateKind, TemplateProblem } from '../../../src-shared/index.js';

let dir: string;
let outside: string;
let root: FolderRoot;

function write(rel: string, text: string): void {
  fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
  fs.writeFileSync(path.join(dir, rel), text);
}

async function renderRel(rel: string, kind: TemplateKind) {
  return renderTemplate(root, rel, resolveInside(root, rel), kind);
}

async function problemOf(rel: string, kind: TemplateKind): Promise<TemplateProblem> {
  const err = await renderRel(rel, kind).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TemplateCompileError);
  return (err as TemplateCompileError).problem;
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailwright-tpl-unit-'));
  outside = fs.mkdtempSync(path.join(os.tmpdir(), 'mailwright-tpl-outside-'));
  root = openRoot(dir);
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.rmSync(outside, { recursive: true, force: true });
});

describe('renderTemplate', () => {
  it('renders .html as it is, with the <title> as subject', async () => {
    write('a.html', '<html><head><title>Order &amp; more</title></head><body><b>x</b></body></html>');
    const r = await renderRel('a.html', 'html');
    expect(r.subject).toBe('Order & more');
    expect(r.html).toContain('<b>x</b>');
  });

  it('compiles .mjml, and an mj-include from inside the folder', async () => {
    write('parts/footer.mjml', '<mj-section><mj-column><mj-text>Footer words</mj-text></mj-column></mj-section>');
    write(
      'm.mjml',
      '<mjml><mj-body><mj-section><mj-column><mj-text>Body words</mj-text></mj-column></mj-section>' +
        '<mj-include path="./parts/footer.mjml" /></mj-body></mjml>',
    );
    const r = await renderRel('m.mjml', 'mjml');
    expect(r.html).toMatch(/<!doctype html>/i);
    expect(r.html).toContain('Body words');
    expect(r.html).toContain('Footer words');
    expect(r.subject).toBe('m');
  });

  it('names the line and column of invalid MJML', async () => {
    write('bad.mjml', '<mjml>\n<mj-body>\n  <mj-section>\n    <mj-column>\n      <mj-bogus>x</mj-bogus>\n');
    const p = await problemOf('bad.mjml', 'mjml');
    expect(p).toMatchObject({ file: 'bad.mjml', line: 5, column: 7 });
    expect(p.message).toMatch(/mj-bogus/);
  });

  it('names the element of MJML left unclosed, which mjml itself renders without a word', async () => {
    write(
      'open.mjml',
      '<mjml>\n  <mj-body>\n    <mj-section>\n      <mj-column>\n        <mj-image src="a.png" />\n' +
        "        <mj-text>Hi <p>unclosed HTML is HTML's business<br></mj-text>\n    </mj-section>\n  </mj-body>\n</mjml>\n",
    );
    const p = await problemOf('open.mjml', 'mjml');
    expect(p).toEqual({
      file: 'open.mjml',
      line: 4,
      column: 7,
      message: '<mj-column> is never closed (no </mj-column>)',
    });
    write('tail.mjml', '<mjml><mj-body><mj-section><mj-column><mj-text>Hi</mj-text>');
    const tail = await problemOf('tail.mjml', 'mjml');
    expect(tail).toMatchObject({ line: 1, column: 28 });
    expect(tail.message).toBe('<mj-column> is never closed (no </mj-column>) (and 3 more unclosed)');
    // Closed, self-closing and HTML inside mj-text: no complaint.
    write(
      'closed.mjml',
      '<mjml><mj-body><mj-section><mj-column><mj-image src="a.png" /><mj-text><p>a<br>b</mj-text>' +
        '</mj-column></mj-section></mj-body></mjml>',
    );
    expect((await renderRel('closed.mjml', 'mjml')).html).toContain('a<br>b');
  });

  it('refuses an mj-include that leaves the folder', async () => {
    fs.writeFileSync(path.join(outside, 'secret.mjml'), '<mj-text>outside words</mj-text>');
    const rel = path.relative(dir, path.join(outside, 'secret.mjml'));
    write('inc.mjml', `<mjml><mj-body><mj-include path="${rel}" /></mj-body></mjml>`);
    const r = await renderRel('inc.mjml', 'mjml').catch((e: unknown) => e);
    const html = r instanceof TemplateCompileError ? '' : (r as { html: string }).html;
    expect(html).not.toContain('outside words');
  });

  it('renders .hbs with the .json beside it, and without one', async () => {
    write('h/welcome.hbs', '<p>Hello {{user.name}}{{#each items}} [{{this}}]{{/each}}</p>');
    write('h/welcome.json', '{ "user": { "name": "Ada" }, "items": ["a", "b"], }');
    expect((await renderRel('h/welcome.hbs', 'hbs')).html).toBe('<p>Hello Ada [a] [b]</p>');
    write('h/lonely.hbs', '<p>Hello {{user.name}}</p>');
    expect((await renderRel('h/lonely.hbs', 'hbs')).html).toBe('<p>Hello </p>');
  });

  it('renders Handlebars partials from partials/ and _name.hbs, nested, inline ones left alone', async () => {
    write('partials/footer.hbs', '<footer>Bye {{name}} {{> legal/small}}</footer>');
    write('partials/legal/small.hbs', '<small>Terms</small>');
    write('emails/_header.hbs', '<header>Hi {{name}}</header>');
    write('_layout.hbs', '<main>{{> @partial-block}}</main>');
    write(
      'emails/news.hbs',
      '{{#*inline "aside"}}<aside>inline</aside>{{/inline}}{{> emails/header}}\n' +
        '{{#> layout}}<p>Body</p>{{/layout}}{{> aside}}{{> "footer"}}',
    );
    write('emails/news.json', '{ "name": "Ada" }');
    const r = await renderRel('emails/news.hbs', 'hbs');
    expect(r.html).toBe(
      '<header>Hi Ada</header>\n<main><p>Body</p></main><aside>inline</aside>' +
        '<footer>Bye Ada <small>Terms</small></footer>',
    );
  });

  it('names the file and position of a missing partial, a broken one and a link leaving the folder', async () => {
    write('p1.hbs', '<p>\n  {{> nowhere}}</p>');
    expect(await problemOf('p1.hbs', 'hbs')).toEqual({
      file: 'p1.hbs',
      line: 2,
      column: 3,
      message: 'the partial "nowhere" is not in the folder (looked for partials/nowhere.hbs and _nowhere.hbs)',
    });
    write('partials/broken.hbs', '<p>\n{{#if x}}</p>');
    write('p2.hbs', '{{> broken}}');
    expect(await problemOf('p2.hbs', 'hbs')).toMatchObject({ file: 'partials/broken.hbs', line: 2 });
    fs.writeFileSync(path.join(outside, 'secret.hbs'), 'outside words');
    fs.symlinkSync(path.join(outside, 'secret.hbs'), path.join(dir, 'partials', 'secret.hbs'));
    write('p3.hbs', 'x {{> secret}}');
    const p3 = await problemOf('p3.hbs', 'hbs');
    expect(p3).toMatchObject({ file: 'p3.hbs', line: 1, column: 3 });
    expect(p3.message).toMatch(/the partial "secret" is refused: .*leaves the template folder/);
    write('p4.hbs', '{{> ../escape}}');
    expect((await problemOf('p4.hbs', 'hbs')).message).toMatch(/the partial "..\/escape" is refused/);
  });

  it('names the position of a Handlebars parse error, a mismatched block and broken JSON', async () => {
    write('e/parse.hbs', '<p>one</p>\n<p>  {{name</p>');
    expect(await problemOf('e/parse.hbs', 'hbs')).toMatchObject({ file: 'e/parse.hbs', line: 2, column: 8 });
    write('e/block.hbs', '<p>\n{{#if x}}\nyes\n{{/iff}}</p>');
    const block = await problemOf('e/block.hbs', 'hbs');
    // Handlebars points at the block's name: `if` of `{{#if x}}`.
    expect(block).toMatchObject({ file: 'e/block.hbs', line: 2, column: 4 });
    expect(block.message).toBe("if doesn't match iff");
    write('e/data.hbs', '<p>{{a}}</p>');
    write('e/data.json', '{\n  "a": 1\n  "b": 2\n}');
    const data = await problemOf('e/data.hbs', 'hbs');
    expect(data).toMatchObject({ file: 'e/data.json', line: 3, column: 3 });
    expect(data.message).toMatch(/not valid JSON/);
  });

  it('reads an .eml by its HTML part and its Subject', async () => {
    write(
      'm.eml',
      'Subject: =?UTF-8?B?U3RvcmVkIG9uZSDinJM=?=\r\nMIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=b\r\n\r\n' +
        '--b\r\nContent-Type: text/plain\r\n\r\nplain words\r\n--b\r\nContent-Type: text/html\r\n\r\n<p>html words</p>\r\n--b--\r\n',
    );
    const r = await renderRel('m.eml', 'eml');
    expect(r.subject).toBe('Stored one ✓');
    expect(r.html).toContain('html words');
    expect(r.text).toContain('plain words');
    expect(r.raw).not.toBeNull();
  });
});

describe('the folder boundary', () => {
  it('refuses .., absolute paths and NUL before reading anything', () => {
    for (const bad of ['../x.html', 'a/../../x.html', path.join(outside, 'x.html'), 'a\0.html', '..\\x.html'])
      expect(() => resolveInside(root, bad), bad).toThrow(expect.objectContaining({ code: 'forbidden' }));
  });

  it('refuses a symlink whose real path leaves the folder, file or folder, and lists it as refused', () => {
    fs.writeFileSync(path.join(outside, 'o.html'), '<p>o</p>');
    fs.symlinkSync(path.join(outside, 'o.html'), path.join(dir, 'link.html'));
    fs.symlinkSync(outside, path.join(dir, 'linkdir'));
    expect(() => resolveInside(root, 'link.html')).toThrow(/leaves the template folder/);
    expect(() => resolveInside(root, 'linkdir/o.html')).toThrow(/leaves the template folder/);
    const listed = listFolder(root);
    expect(listed.find((f) => f.rel === 'link.html')?.refused).toMatch(/leaves the template folder/);
    expect(listed.some((f) => f.rel.startsWith('linkdir'))).toBe(false);
  });

  it('follows a symlink that stays inside the folder', () => {
    write('inner/real.html', '<p>in</p>');
    fs.symlinkSync(path.join(dir, 'inner', 'real.html'), path.join(dir, 'alias.html'));
    expect(resolveInside(root, 'alias.html')).toBe(fs.realpathSync(path.join(dir, 'inner', 'real.html')));
    expect(listFolder(root).find((f) => f.rel === 'alias.html')?.refused).toBeNull();
  });

  it('refuses a folder setting that is relative or missing, naming templates.folder', () => {
    expect(() => openRoot('relative')).toThrow(expect.objectContaining({ field: 'templates.folder' }));
    expect(() => openRoot(path.join(dir, 'nope'))).toThrow(expect.objectContaining({ code: 'not_found' }));
  });
});
