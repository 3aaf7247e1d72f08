// The template folder through the REST API of a real core: the folder setting, the list, each kind rendered, a save
// seen by the watch (templates.changed) and re-rendered, a compile error that keeps the last good render, the
// refusals (a symlink leaving the folder, `..`), and capture into the inbox with the baseline key header.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageDetail, TemplateList, TemplateRender } from '../../../src-shared/index.js';
import { request, startStack, type Stack } from '../serve/helpers.js';

const WRITE = { 'content-type': 'application/json' };
const MJML = (text: string): string =>
  `<mjml>\n  <mj-head><mj-title>Welcome aboard</mj-title></mj-head>\n  <mj-body>\n    <mj-section>\n      <mj-column>\n` +
  `        <mj-text>${text}</mj-text>\n      </mj-column>\n    </mj-section>\n  </mj-body>\n</mjml>\n`;

let stack: Stack;
let folder: string;
let outside: string;

beforeAll(async () => {
  stack = await startStack();
  folder = fs.mkdtempSync(path.join(os.tmpdir(), 'mailwright-templates-'));
  outside = fs.mkdtempSync(path.join(os.tmpdir(), 'mailwright-outside-'));
  fs.writeFileSync(path.join(folder, 'welcome.mjml'), MJML('Hello from MJML'));
  fs.writeFileSync(
    path.join(folder, 'plain.html'),
    '<html><head><title>Plain one</title></head><body><p>Plain HTML</p></body></html>',
  );
  fs.mkdirSync(path.join(folder, 'orders'));
  fs.writeFileSync(path.join(folder, 'orders', 'shipped.hbs'), '<p>Hi {{name}}, {{count}} items shipped</p>');
  fs.writeFileSync(path.join(folder, 'orders', 'shipped.json'), '{ "name": "Ada", "count": 3 }');
  fs.writeFileSync(
    path.join(folder, 'saved.eml'),
    'From: a@example.test\r\nTo: b@example.test\r\nSubject: Saved message\r\nContent-Type: text/html\r\n\r\n<p>From an eml</p>\r\n',
  );
  fs.writeFileSync(path.join(outside, 'secret.html'), '<p>outside the folder</p>');
  fs.symlinkSync(path.join(outside, 'secret.html'), path.join(folder, 'leak.html'));
  const set = await request(stack.http.url, '/api/settings', {
    method: 'PUT',
    headers: WRITE,
    body: JSON.stringify({ templates: { folder } }),
  });
  expect(set.status).toBe(200);
});
afterAll(async () => {
  await stack?.stop();
  fs.rmSync(folder, { recursive: true, force: true });
  fs.rmSync(outside, { recursive: true, force: true });
});

const enc = (rel: string): string => encodeURIComponent(rel);

async function render(rel: string): Promise<TemplateRender> {
  const res = await request(stack.http.url, `/api/templates/${enc(rel)}/render`);
  expect(res.status, res.text()).toBe(200);
  return res.json<TemplateRender>();
}

/** Resolves with the paths of the next templates.changed event that names `rel` (10 s at most). */
function nextChange(rel: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no templates.changed for ${rel} in 10 s`));
    }, 10_000);
    const off = stack.core.events.on('templates.changed', ({ paths }) => {
      if (!paths.includes(rel)) return;
      clearTimeout(timer);
      off();
      resolve(paths);
    });
  });
}

describe('templates API', () => {
  it('lists every kind, recursively, and marks the link that leaves the folder as refused', async () => {
    const list = (await request(stack.http.url, '/api/templates')).json<TemplateList>();
    expect(list.folder).toBe(folder);
    expect(list.watching).toBe(true);
    expect(list.folderProblem).toBeNull();
    expect(list.templates.map((t) => [t.path, t.kind])).toEqual([
      ['leak.html', 'html'],
      ['orders/shipped.hbs', 'hbs'],
      ['plain.html', 'html'],
      ['saved.eml', 'eml'],
      ['welcome.mjml', 'mjml'],
    ]);
    expect(list.templates.find((t) => t.path === 'leak.html')!.refused).toMatch(/leaves the template folder/);
    expect(list.templates.find((t) => t.path === 'plain.html')!.refused).toBeNull();
  });

  it('renders each kind, with a preview document under the inbox preview CSP', async () => {
    const mjml = await render('welcome.mjml');
    expect(mjml.problem).toBeNull();
    expect(mjml.subject).toBe('Welcome aboard');
    expect(mjml.html).toContain('Hello from MJML');
    expect(mjml.html).not.toContain('<mj-text');
    expect(mjml.previewHtml).toMatch(
      /<meta http-equiv="Content-Security-Policy" content="sandbox[^"]*script-src &#39;none&#39;/,
    );
    expect(mjml.previewHtml).toContain('Hello from MJML');

    const hbs = await render('orders/shipped.hbs');
    expect(hbs.html).toBe('<p>Hi Ada, 3 items shipped</p>');
    expect(hbs.subject).toBe('shipped');

    expect((await render('plain.html')).subject).toBe('Plain one');
    const eml = await render('saved.eml');
    expect(eml.subject).toBe('Saved message');
    expect(eml.html).toContain('From an eml');
  });

  it('prepares the preview in the designer view asked for, as the message preview does', async () => {
    const rel = 'dark.html';
    fs.writeFileSync(
      path.join(folder, rel),
      '<html><head><style>@media (prefers-color-scheme: dark) { body { background: #101010 } }</style></head>' +
        '<body><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" width="9"><p>Dark ready</p></body></html>',
    );
    const light = await render(rel);
    expect(light.previewHtml).toContain('(prefers-color-scheme: dark)');
    expect(light.previewHtml).not.toContain('data-mailwright-view');
    const get = (query: string) => request(stack.http.url, `/api/templates/${enc(rel)}/render?${query}`);
    const dark = (await get('scheme=dark')).json<TemplateRender>();
    // The dark media feature holds in the frame, whatever the app's own scheme is.
    expect(dark.previewHtml).not.toContain('prefers-color-scheme');
    expect(dark.previewHtml).toContain('(min-width: 0px)');
    const inverted = (await get('scheme=inverted&images=off')).json<TemplateRender>();
    expect(inverted.previewHtml).toContain('filter:invert(1) hue-rotate(180deg)');
    expect(inverted.previewHtml).toMatch(/content="[^"]*img-src &#39;none&#39;/);
    expect(light.previewHtml).not.toMatch(/img-src &#39;none&#39;/);
    // The HTML itself is the template's, whatever the view.
    expect(inverted.html).toBe(light.html);
    const bad = await get('scheme=sepia');
    expect(bad.status).toBe(400);
    expect(bad.text()).toMatch(/scheme must be one of light, dark, inverted/);

    // The accessibility lint reaches the template's render, lines in its HTML.
    const a11y = await request(stack.http.url, '/api/call/diff.templateAccessibility', {
      method: 'POST',
      headers: WRITE,
      body: JSON.stringify({ path: rel }),
    });
    expect(a11y.status, a11y.text()).toBe(200);
    const report = a11y.json<{ value: { path: string; findings: { rule: string }[] } }>().value;
    expect(report.path).toBe(rel);
    expect(report.findings.map((f) => f.rule).sort()).toEqual(['img-alt', 'lang']);
    // And through its route, as a message's lint is.
    const viaRoute = await request(stack.http.url, `/api/templates/${enc(rel)}/accessibility`);
    expect(viaRoute.status, viaRoute.text()).toBe(200);
    expect(viaRoute.json<{ path: string; findings: unknown[] }>()).toMatchObject({
      path: rel,
      findings: report.findings,
    });
    expect((await request(stack.http.url, `/api/templates/${enc('leak.html')}/accessibility`)).status).toBe(403);
    const refused = await request(stack.http.url, '/api/call/diff.templateAccessibility', {
      method: 'POST',
      headers: WRITE,
      body: JSON.stringify({ path: 'leak.html' }),
    });
    expect(refused.json<{ ok: boolean; error: { code: string; message: string } }>()).toMatchObject({
      ok: false,
      error: { code: 'forbidden', message: expect.stringMatching(/leaves the template folder/) },
    });
  });

  it('refuses a symlink that leaves the folder and a path with ..', async () => {
    const leak = await request(stack.http.url, `/api/templates/${enc('leak.html')}/render`);
    expect(leak.status).toBe(403);
    expect(leak.text()).toMatch(/leaves the template folder/);
    expect(leak.text()).not.toContain('outside the folder');
    const name = path.basename(outside);
    const up = await request(stack.http.url, `/api/templates/${enc(`../${name}/secret.html`)}/render`);
    expect(up.status).toBe(403);
    const absolute = await request(stack.http.url, `/api/templates/${enc(path.join(outside, 'secret.html'))}/render`);
    expect(absolute.status).toBe(403);
    const missing = await request(stack.http.url, `/api/templates/${enc('nope.mjml')}/render`);
    expect(missing.status).toBe(404);
  });

  it('re-renders after a save and keeps the last good render while MJML is broken, naming its line', async () => {
    const rel = 'welcome.mjml';
    await render(rel);
    let changed = nextChange(rel);
    fs.writeFileSync(path.join(folder, rel), MJML('Second version'));
    await changed;
    const second = await render(rel);
    expect(second.html).toContain('Second version');
    expect(second.problem).toBeNull();

    changed = nextChange(rel);
    fs.writeFileSync(path.join(folder, rel), MJML('Third').replace('<mj-text>', '<mj-text colour="red">'));
    await changed;
    const broken = await render(rel);
    expect(broken.problem).toMatchObject({ file: rel, line: 6, column: 9 });
    expect(broken.problem!.message).toMatch(/colour/);
    expect(broken.html).toContain('Second version');
    const list = (await request(stack.http.url, '/api/templates')).json<TemplateList>();
    expect(list.templates.find((t) => t.path === rel)!.problem).toMatchObject({ line: 6 });

    changed = nextChange(rel);
    fs.writeFileSync(path.join(folder, rel), MJML('Fixed again'));
    await changed;
    const fixed = await render(rel);
    expect(fixed.problem).toBeNull();
    expect(fixed.html).toContain('Fixed again');
  });

  it('re-renders a Handlebars template when its sample data changes, and names broken JSON', async () => {
    const rel = 'orders/shipped.hbs';
    await render(rel);
    let changed = nextChange(rel);
    fs.writeFileSync(path.join(folder, 'orders', 'shipped.json'), '{ "name": "Grace", "count": 4 }');
    await changed;
    expect((await render(rel)).html).toBe('<p>Hi Grace, 4 items shipped</p>');
    changed = nextChange(rel);
    fs.writeFileSync(path.join(folder, 'orders', 'shipped.json'), '{\n  "name": "Grace",\n  "count": }');
    await changed;
    const broken = await render(rel);
    expect(broken.problem).toMatchObject({ file: 'orders/shipped.json', line: 3, column: 12 });
    expect(broken.html).toBe('<p>Hi Grace, 4 items shipped</p>');
  });

  it('re-renders a Handlebars template when a partial it uses is saved, and tells its path', async () => {
    fs.mkdirSync(path.join(folder, 'partials'), { recursive: true });
    fs.writeFileSync(path.join(folder, 'partials', 'sign.hbs'), '<em>The team</em>');
    const rel = 'signed.hbs';
    fs.writeFileSync(path.join(folder, rel), '<p>Thanks</p>{{> sign}}');
    let changed = nextChange(rel);
    await changed;
    expect((await render(rel)).html).toBe('<p>Thanks</p><em>The team</em>');
    // The list names the partial as one, beside the template that uses it.
    const listed = (await request(stack.http.url, '/api/templates')).json<TemplateList>().templates;
    expect(listed.find((t) => t.path === 'partials/sign.hbs')?.partial).toBe(true);
    expect(listed.find((t) => t.path === rel)?.partial).toBe(false);
    changed = nextChange(rel);
    fs.writeFileSync(path.join(folder, 'partials', 'sign.hbs'), '<em>The whole team</em>');
    await changed;
    expect((await render(rel)).html).toBe('<p>Thanks</p><em>The whole team</em>');
    // A partial gone: the template names it and where it is used; the last good render stays.
    changed = nextChange(rel);
    fs.rmSync(path.join(folder, 'partials', 'sign.hbs'));
    await changed;
    const missing = await render(rel);
    expect(missing.problem).toMatchObject({ file: rel, line: 1, column: 14 });
    expect(missing.problem?.message).toMatch(/the partial "sign" is not in the folder/);
    expect(missing.html).toBe('<p>Thanks</p><em>The whole team</em>');
    fs.rmSync(path.join(folder, rel));
    fs.rmSync(path.join(folder, 'partials'), { recursive: true });
  });

  it('tells nothing of changes behind a linked folder that leads out', async () => {
    fs.mkdirSync(path.join(outside, 'shared'));
    fs.symlinkSync(path.join(outside, 'shared'), path.join(folder, 'linked'));
    const told: string[] = [];
    const off = stack.core.events.on('templates.changed', ({ paths }) => told.push(...paths));
    try {
      fs.writeFileSync(path.join(outside, 'shared', 'x.html'), '<p>outside</p>');
      // A save inside the folder after it: once it is told, the outside write has had its turn.
      const inside = nextChange('plain.html');
      fs.writeFileSync(path.join(folder, 'plain.html'), '<p>Plain again</p>');
      await inside;
      expect(told.filter((p) => p.startsWith('linked/'))).toEqual([]);
      const res = await request(stack.http.url, `/api/templates/${enc('linked/x.html')}/render`);
      expect(res.status).toBe(403);
    } finally {
      off();
    }
  });

  it('captures a template into the inbox with its baseline key, through the import path', async () => {
    const capture = (rel: string) =>
      request(stack.http.url, `/api/templates/${enc(rel)}/capture`, { method: 'POST', headers: WRITE });
    // The sample data is still broken from the test before: the file as it is now does not compile.
    const refused = await capture('orders/shipped.hbs');
    expect(refused.status).toBe(400);
    expect(refused.text()).toMatch(/orders\/shipped.json:3:12/);
    fs.writeFileSync(path.join(folder, 'orders', 'shipped.json'), '{ "name": "Grace", "count": 5 }');
    const res = await capture('orders/shipped.hbs');
    expect(res.status, res.text()).toBe(200);
    const { messageId, key } = res.json<{ messageId: number; key: string }>();
    expect(key).toBe('orders/shipped');
    const detail = (await request(stack.http.url, `/api/messages/${messageId}`)).json<MessageDetail>();
    expect(detail.envelope.listener).toBe('import');
    expect(detail.hasHtml).toBe(true);
    expect(detail.subject).toBe('shipped');
    const raw = (await request(stack.http.url, `/api/messages/${messageId}/raw`)).text();
    expect(raw).toMatch(/^X-Mailwright-Template: orders\/shipped\r?$/m);
    expect(raw).toContain('Hi Grace, 5 items shipped');

    const eml = await capture('saved.eml');
    const emlRaw = (
      await request(stack.http.url, `/api/messages/${eml.json<{ messageId: number }>().messageId}/raw`)
    ).text();
    expect(emlRaw).toMatch(/^X-Mailwright-Template: saved\r\nFrom: a@example.test/);
  });

  it('refuses a folder setting that is not an absolute, existing folder, naming the field', async () => {
    const rel = await request(stack.http.url, '/api/settings', {
      method: 'PUT',
      headers: WRITE,
      body: JSON.stringify({ templates: { folder: 'relative/path' } }),
    });
    expect(rel.status).toBe(400);
    expect(rel.json<{ error: { field: string } }>().error.field).toBe('templates.folder');
    const gone = await request(stack.http.url, '/api/settings', {
      method: 'PUT',
      headers: WRITE,
      body: JSON.stringify({ templates: { folder: path.join(folder, 'missing') } }),
    });
    expect(gone.json<{ error: { field: string } }>().error.field).toBe('templates.folder');
  });
});
