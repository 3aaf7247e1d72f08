// The template folder in a real Chromium against `serve`: pick a folder on the page, open an MJML template, save
// an edit on disk and see the sandboxed preview update; save broken MJML and see its file and line above the last
// good render; a symlink that leaves the folder is refused; capture puts the template into the inbox.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
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
