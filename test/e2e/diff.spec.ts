// The diff page in Chromium against serve: two versions of one template sent over real SMTP, picked from the
// message view's "Compare…" and the page's pickers; the sections show their counts and only changed ones are open.
import fs from 'node:fs';
import path from 'node:path';
import { expect, rowSelector, test } from './fixtures.js';

const FIXTURES = path.resolve(new URL('../fixtures/diff', import.meta.url).pathname);
const envelope = { from: 'shop@example.test', to: ['qa@example.test'] };

test('compares two versions of a template from the inbox', async ({ page, mw }) => {
  await mw.sendRaw(fs.readFileSync(path.join(FIXTURES, 'order-v1.eml')), envelope);
  const v2 = fs.readFileSync(path.join(FIXTURES, 'order-v2.eml')).toString('latin1');
  await mw.sendRaw(v2.replace('Subject: Your order', 'Subject: Your order v2'), envelope);
  const list = await mw.call('messages.list', {});
  const [second, first] = list.messages;

  await page.goto(mw.http);
  await page.locator(rowSelector('Your order')).click();
  await page.getByRole('link', { name: 'Compare…' }).click();
  await expect(page).toHaveURL(new RegExp(`#/diff/${first!.id}$`));
  await expect(page.getByText('Choose two messages to compare')).toBeVisible();

  await page.getByLabel('Message B').selectOption(String(second!.id));
  await expect(page).toHaveURL(new RegExp(`#/diff/${first!.id}/${second!.id}$`));
  const summary = page.getByTestId('diff-summary');
  await expect(summary).toHaveText(
    '9 changes: headers (1), text body (2), html source (3), html as text (1), links (1), images (1)',
  );

  const links = page.locator('details[data-section="links"]');
  await expect(links).toHaveAttribute('open', '');
  await expect(links.locator('summary')).toContainText('1 change');
  await expect(links.locator('tbody tr')).toContainText('https://shop.example/orders/1');
  await expect(page.locator('details[data-section="attachments"]')).not.toHaveAttribute('open', '');
  await expect(page.locator('details[data-section="attachments"] summary')).toContainText('no changes');
  // The changed price is marked word by word.
  await expect(page.locator('details[data-section="text"] ins')).toHaveText(['45', 'orders']);

  // Raw HTML shows the source as sent; volatile headers come back when asked.
  await page.getByLabel('Raw HTML source').check();
  await expect(page.locator('details[data-section="htmlSource"] .note')).toContainText('raw source');
  await page.getByLabel('Ignore volatile headers').uncheck();
  await expect(page.locator('details[data-section="headers"] tbody tr')).toContainText([
    'Date',
    'Message-ID',
    'Subject',
  ]);

  // The address opens the same comparison directly.
  await page.goto(`${mw.http}/#/diff/${first!.id}/${first!.id}`);
  await expect(summary).toHaveText('No differences');
  fs.mkdirSync('test-results/screenshots', { recursive: true });
  await page.screenshot({ path: 'test-results/screenshots/diff.png' });
});

test('shows the visual diff in its four modes, and says why a text-only message has none', async ({ page, mw }) => {
  const html = (price: string) =>
    `<body style="margin:0;font:16px sans-serif"><h1>Order</h1><p>Total: <b>${price}</b></p></body>`;
  await mw.send({ subject: 'Visual A', html: html('$42.00') });
  await mw.send({ subject: 'Visual B', html: html('$45.00') });
  await mw.send({ subject: 'Plain', text: 'no html here' });
  const [plain, b, a] = (await mw.call('messages.list', {})).messages;

  await page.goto(`${mw.http}/#/diff/${a!.id}/${b!.id}`);
  const visual = page.getByRole('region', { name: 'Visual diff' });
  await visual.getByRole('button', { name: 'Render and compare' }).click();
  // The first render starts Chromium in the server; on a loaded machine that alone can take many seconds.
  await expect(page.getByTestId('pixel-ratio')).toContainText(/\d+ pixels differ \(.+%\) at 600 px, light, images on/, {
    timeout: 60_000,
  });
  await expect(visual.getByAltText('Message A rendered')).toBeVisible();
  await expect(visual.getByAltText('Message B rendered')).toBeVisible();

  await visual.getByLabel('Slider').check();
  const over = visual.locator('img.over');
  await expect(over).toHaveAttribute('style', /clip-path: inset\(0px 50% 0px 0px\)/);
  await visual.getByLabel('B from the left edge to here').fill('80');
  await expect(over).toHaveAttribute('style', /clip-path: inset\(0px 20% 0px 0px\)/);

  await visual.getByLabel('Onion skin').check();
  await visual.getByLabel('Opacity of B').fill('30');
  await expect(visual.locator('img.over')).toHaveAttribute('style', /opacity: 0.3/);

  await visual.getByLabel('Highlight').check();
  await expect(visual.getByAltText('Changed pixels highlighted in red')).toBeVisible();

  await visual.getByLabel('Width').selectOption('375');
  await expect(page.getByTestId('pixel-ratio')).toContainText('at 375 px', { timeout: 30_000 });
  const diffImage = visual.getByAltText('Changed pixels highlighted in red');
  expect(await diffImage.evaluate((img) => (img as { naturalWidth: number }).naturalWidth)).toBe(375);

  await page.goto(`${mw.http}/#/diff/${a!.id}/${plain!.id}`);
  await expect(page.getByRole('region', { name: 'Visual diff' })).toContainText('message B has no HTML part');
});

test('approves a baseline from the diff page and shows verdicts as inbox badges', async ({ page, mw }) => {
  await mw.sendRaw(fs.readFileSync(path.join(FIXTURES, 'order-v1.eml')), envelope);
  const [v1] = (await mw.call('messages.list', {})).messages;
  await page.goto(`${mw.http}/#/diff/${v1!.id}`);
  await page.getByRole('button', { name: 'Approve A as baseline' }).click();
  // Approval renders the baseline's screenshot; the server's first render starts Chromium.
  await expect(page.getByRole('status')).toHaveText(
    `Message #${v1!.id} is the baseline for "order-confirmation" (600 px).`,
    { timeout: 60_000 },
  );

  await page.getByRole('button', { name: 'Inbox' }).click();
  await mw.sendRaw(fs.readFileSync(path.join(FIXTURES, 'order-v1-resent.eml')), envelope);
  const v2 = fs.readFileSync(path.join(FIXTURES, 'order-v2.eml')).toString('latin1');
  await mw.sendRaw(v2.replace('Subject: Your order', 'Subject: Your order v2'), envelope);
  const rows = page.locator('[role="option"]');
  await expect(rows).toHaveCount(3);
  const changed = page.locator(rowSelector('Your order v2')).getByTestId('verdict');
  await expect(changed).toHaveText('changed', { timeout: 30_000 });
  await expect(changed).toHaveAttribute('title', /^Baseline "order-confirmation": changed \(text: \d+ changed lines/);
  await expect(rows.nth(1).getByTestId('verdict')).toHaveText('same', { timeout: 30_000 });
  // The approved message itself was not compared with itself: no badge.
  await expect(rows.nth(2).getByTestId('verdict')).toHaveCount(0);
  await page.screenshot({ path: 'test-results/screenshots/diff-verdicts.png' });

  // Without a header and without a key, the page says what to do.
  await mw.send({ subject: 'Untagged', html: '<p>x</p>' });
  const [untagged] = (await mw.call('messages.list', {})).messages;
  await page.goto(`${mw.http}/#/diff/${untagged!.id}`);
  await page.getByRole('button', { name: 'Approve A as baseline' }).click();
  await expect(page.getByRole('status')).toContainText('has no X-Mailwright-Template header: give the baseline a key');
});
