// Every corpus message can be opened and every tab shown without an uncaught error; retention prunes are announced.
import { mkdirSync, readFileSync } from 'node:fs';
import { CORPUS_DIR, corpusFiles } from '../helpers/corpus.js';
import { expect, rowSelector, test } from './fixtures.js';

const TAB_NAMES = ['HTML', 'Text', 'Headers', 'Source', 'MIME tree', 'Attachments'];

test('every corpus message opens and every tab renders without an uncaught error', async ({ page, mw }) => {
  test.setTimeout(180_000);
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  const files = corpusFiles();
  let imported = 0;
  for (const file of files) imported += (await mw.importFile(file.split('/').pop()!, readFileSync(file))).imported;
  expect(imported).toBe(files.length);

  await page.goto(mw.http);
  const list = page.getByTestId('message-list');
  await expect(list.locator('[role="option"]').first()).toHaveAttribute('aria-setsize', String(imported));
  for (let i = 1; i <= imported; i++) {
    await page.keyboard.press('j');
    await expect(list.locator(`[role="option"][aria-posinset="${i}"]`)).toHaveAttribute('aria-selected', 'true');
    await expect(page.locator('#message-subject, .view-pane [role="alert"]').first()).toBeVisible();
    if (!(await page.locator('#message-subject').isVisible())) continue;
    for (const name of TAB_NAMES) {
      await page.getByRole('tab', { name: new RegExp(`^${name}`) }).click();
      await expect(page.getByRole('tabpanel')).toBeVisible();
    }
    await page.getByRole('tab', { name: /^HTML/ }).click();
  }
  expect(errors).toEqual([]);
});

test('a message with attachments shows them, its envelope, source and MIME tree', async ({ page, mw }) => {
  await mw.importFile('mixed-attachment.eml', readFileSync(`${CORPUS_DIR}/mailpit/mixed-attachment.eml`));
  await mw.send({
    from: 'Reports <reports@example.test>',
    to: ['qa@example.test'],
    subject: 'Weekly report with attachment',
    text: 'See the attached CSV.',
    html: '<h1 style="font-family:sans-serif">Weekly report</h1><p>See the attached <b>CSV</b>.</p>',
  });
  await page.goto(mw.http);
  await page.locator(rowSelector('Weekly report with attachment')).click();
  await page.getByText('SMTP envelope').click();
  await expect(page.locator('.envelope')).toContainText('<reports@example.test>');
  await expect(page.locator('.envelope')).toContainText('<qa@example.test>');
  mkdirSync('test-results/screenshots', { recursive: true });
  await expect(page.frameLocator('iframe[title="HTML preview"]').locator('h1')).toHaveText('Weekly report');
  await page.getByRole('button', { name: 'Phone 375' }).click();
  await expect(page.locator('iframe[title="HTML preview"]')).toHaveCSS('width', '375px');
  await page.screenshot({ path: 'test-results/screenshots/message-phone.png' });

  await page.getByRole('tab', { name: 'Source' }).click();
  await expect(page.getByRole('tabpanel')).toContainText('Subject: Weekly report with attachment');
  await page.getByRole('tab', { name: 'MIME tree' }).click();
  await expect(page.getByRole('tabpanel')).toContainText('multipart/alternative');

  const other = (await mw.call('messages.list', { query: 'has:attachment' })).messages[0];
  expect(other).toBeDefined();
  await page.locator(rowSelector(other!.subject)).click();
  await page.getByRole('tab', { name: /^Attachments/ }).click();
  const download = page.getByRole('tabpanel').getByRole('link', { name: 'Download' }).first();
  await expect(download).toHaveAttribute('href', new RegExp(`/api/messages/${other!.id}/attachments/`));
  await page.screenshot({ path: 'test-results/screenshots/attachments.png' });

  const [file] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download .eml' }).click(),
  ]);
  expect(file.suggestedFilename()).toBe(`message-${other!.id}.eml`);
});

test('a retention prune shows a dismissible banner', async ({ page, mw }) => {
  await mw.call('settings.update', { retention: { maxMessages: 2 } });
  await page.goto(mw.http);
  for (const subject of ['Keep me 1', 'Keep me 2']) await mw.send({ subject, text: subject });
  await expect(page.locator('[role="option"]')).toHaveCount(2);
  await mw.send({ subject: 'One too many', text: 'pushes the oldest out' });
  const banner = page.getByRole('status').filter({ hasText: 'Retention removed' });
  await expect(banner).toContainText('Retention removed 1 old message (limit: 2 messages)');
  await expect(page.locator('[role="option"]')).toHaveCount(2);
  await expect(page.locator(rowSelector('Keep me 1'))).toHaveCount(0);
  await banner.getByRole('button', { name: 'Dismiss' }).click();
  await expect(banner).toHaveCount(0);
});
