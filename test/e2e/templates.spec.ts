// The template folder in a real Chromium against `serve`: pick a folder on the page, open an MJML template, save
// an edit on disk and see the sandboxed preview update; save broken MJML and see its file and line above the last
// good render; a symlink that leaves the folder is refused; capture puts the template into the inbox. The template
// preview has every designer mode, and a save re-renders in the mode chosen.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { expect, test } from './fixtures.js';

const MJML = (text: string, attr = ''): string =>
  `<mjml>\n  <mj-head><mj-title>Spring sale</mj-title></mj-head>\n  <mj-body>\n    <mj-section>\n      <mj-column>\n` +
  `        <mj-text${attr}>${text}</mj-text>\n      </mj-column>\n    </mj-section>\n  </mj-body>\n</mjml>\n`;

test('edits to a watched MJML template update the preview; broken MJML shows its line', async ({ page, mw }) => {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'mailwright-e2e-templates-'));
  const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'mailwright-e2e-outside-'));
  try {
    fs.writeFileSync(path.join(folder, 'sale.mjml'), MJML('Twenty percent off'));
    fs.writeFileSync(path.join(outside, 'private.html'), '<p>not for the preview</p>');
    fs.symlinkSync(path.join(outside, 'private.html'), path.join(folder, 'escape.html'));

    await page.goto(`${mw.http}/#/templates`);
    await page.getByLabel('Template folder').fill(folder);
    await page.getByRole('button', { name: 'Watch' }).click();
    await expect(page.getByTestId('watching')).toHaveText(`Watching ${folder}`);

    const list = page.getByRole('region', { name: 'Templates' });
    await expect(list.getByRole('button', { name: /escape\.html/ })).toContainText('refused');
    await list.getByRole('button', { name: /sale\.mjml/ }).click();
    await expect(page).toHaveURL(/#\/templates\/sale\.mjml$/);
    const preview = page.frameLocator('[data-testid="template-preview"]');
    await expect(preview.locator('body')).toContainText('Twenty percent off');
    await expect(page.getByTestId('template-preview')).toHaveAttribute(
      'sandbox',
      'allow-popups allow-popups-to-escape-sandbox',
    );

    // A save on disk: the watch renders it and the page re-fetches, with no reload.
    fs.writeFileSync(path.join(folder, 'sale.mjml'), MJML('Thirty percent off'));
    await expect(preview.locator('body')).toContainText('Thirty percent off');

    // Broken MJML: the file and line (and column) are shown, and the last good render stays.
    fs.writeFileSync(path.join(folder, 'sale.mjml'), MJML('Forty percent off', ' font-colour="red"'));
    const problem = page.getByTestId('template-problem');
    await expect(problem).toContainText('sale.mjml:6:9');
    await expect(problem).toContainText('font-colour');
    await expect(problem).toContainText('showing the last good render');
    await expect(preview.locator('body')).toContainText('Thirty percent off');
    await expect(list.getByRole('button', { name: /sale\.mjml/ })).toContainText('error at sale.mjml:6:9');

    // An element never closed, which mjml itself would render without a word: named at its start tag.
    fs.writeFileSync(path.join(folder, 'sale.mjml'), MJML('Forty-five percent off').replace('</mj-column>', ''));
    await expect(problem).toContainText('sale.mjml:5:7');
    await expect(problem).toContainText('<mj-column> is never closed');
    await expect(preview.locator('body')).toContainText('Thirty percent off');

    fs.writeFileSync(path.join(folder, 'sale.mjml'), MJML('Fifty percent off'));
    await expect(preview.locator('body')).toContainText('Fifty percent off');
    await expect(problem).toHaveCount(0);

    // The link that leaves the folder is refused, and nothing of its target is shown.
    await list.getByRole('button', { name: /escape\.html/ }).click();
    await expect(page.getByRole('alert')).toContainText('leaves the template folder');
    await expect(page.getByTestId('template-preview')).toHaveCount(0);

    // Capture: the rendered template is a message in the inbox.
    await list.getByRole('button', { name: /sale\.mjml/ }).click();
    await expect(preview.locator('body')).toContainText('Fifty percent off');
    await page.getByRole('button', { name: 'Capture' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Captured as message' })).toBeVisible();
    const inbox = await mw.call('messages.list', { limit: 5 });
    expect(inbox.messages.map((m) => m.subject)).toContain('Spring sale');
    fs.mkdirSync('test-results/screenshots', { recursive: true });
    await page.screenshot({ path: 'test-results/screenshots/templates.png' });
  } finally {
    fs.rmSync(folder, { recursive: true, force: true });
    fs.rmSync(outside, { recursive: true, force: true });
  }
});

const LOGO = (() => {
  const png = new PNG({ width: 40, height: 40 });
  for (let i = 0; i < 40 * 40; i++) png.data.set([220, 20, 20, 255], i * 4);
  return `data:image/png;base64,${PNG.sync.write(png).toString('base64')}`;
})();

const PROMO = (title: string, fixed = false): string =>
  [
    '<!doctype html>',
    fixed ? '<html lang="en">' : '<html>',
    '<head><style>',
    'body { margin: 0; background: #ffffff; color: #111111; font: 16px sans-serif }',
    '@media (prefers-color-scheme: dark) { body { background: #101010 !important; color: #eeeeee } }',
    '</style></head>',
    '<body>',
    `<h1 id="title">${title}</h1>`,
    `<img id="logo" src="${LOGO}" width="40" height="40"${fixed ? ' alt="Shop logo"' : ''}>`,
    '</body>',
    '</html>',
  ].join('\n');

test('the template preview has every designer mode, and a save re-renders in the mode chosen', async ({ page, mw }) => {
  test.setTimeout(120_000);
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'mailwright-e2e-designer-'));
  try {
    fs.writeFileSync(path.join(folder, 'promo.html'), PROMO('Promo one'));
    await mw.call('settings.update', { templates: { folder } });
    await page.goto(`${mw.http}/#/templates/promo.html`);
    const frameEl = page.locator('iframe[title="Template preview"]');
    const frame = page.frameLocator('iframe[title="Template preview"]');
    await expect(frame.locator('#title')).toHaveText('Promo one');
    await expect(frameEl).toHaveAttribute('sandbox', 'allow-popups allow-popups-to-escape-sandbox');

    // Widths: a preset, and a second width side by side.
    await page.getByRole('button', { name: 'Phone 375' }).click();
    await expect(frameEl).toHaveCSS('width', '375px');
    await page.getByLabel('Second width, side by side').selectOption('600');
    await expect(page.locator('iframe[title="Template preview, second width"]')).toHaveCSS('width', '600px');
    await page.getByLabel('Second width, side by side').selectOption('');

    // Dark (the template's own CSS), images off, the accessibility findings.
    await page.getByRole('button', { name: 'Dark: template CSS' }).click();
    await expect(frame.locator('body')).toHaveCSS('background-color', 'rgb(16, 16, 16)');
    await page.getByLabel('Images off').check();
    const logoWidth = () => frame.locator('#logo').evaluate((img) => (img as { naturalWidth: number }).naturalWidth);
    await expect.poll(logoWidth).toBe(0);
    await page.getByRole('button', { name: 'Accessibility' }).click();
    const findings = page.getByRole('region', { name: 'Accessibility findings' });
    await expect(findings.locator('.rule')).toHaveText(['No lang', 'Image without alt']);

    // A save: the preview shows the new version in the same modes, and the findings follow it.
    fs.writeFileSync(path.join(folder, 'promo.html'), PROMO('Promo two', true));
    await expect(frame.locator('#title')).toHaveText('Promo two');
    await expect(frame.locator('body')).toHaveCSS('background-color', 'rgb(16, 16, 16)');
    await expect.poll(logoWidth).toBe(0);
    await expect(frameEl).toHaveCSS('width', '375px');
    await expect(findings.locator('h3')).toHaveText('Accessibility: no findings');
    fs.mkdirSync('test-results/screenshots', { recursive: true });
    await page.screenshot({ path: 'test-results/screenshots/templates-designer.png' });

    // The forced inversion and the text beside (an HTML template has no text part: it says so).
    await page.getByRole('button', { name: 'Dark: forced inversion' }).click();
    await expect(frame.locator('body')).toHaveCSS('filter', 'invert(1) hue-rotate(180deg)');
    await page.getByLabel('Text beside').check();
    await expect(page.getByRole('region', { name: 'Text part beside the HTML' })).toContainText('no text part');

    // Export: a PNG of the template at the width and in the scheme on screen.
    await page.getByText('Export PNG…').click();
    const download = page.waitForEvent('download', { timeout: 60_000 });
    await page.getByRole('button', { name: 'Download 1 PNG' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toBe('promo-375px-inverted-no-images.png');
    expect(PNG.sync.read(fs.readFileSync(await file.path())).width).toBe(375);
  } finally {
    fs.rmSync(folder, { recursive: true, force: true });
  }
});
