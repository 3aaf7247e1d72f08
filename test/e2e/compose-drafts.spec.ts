// Drafts, Edit as new, comparing two sends and the reply-code lookup, in Chromium against serve: a draft with an
// attachment saved and reopened from the drafts list; a captured HTML message with an attachment and a custom
// header opened with "Edit as new" (HTML, text, attachment and header all in the composer); two sends compared in
// the History page; a code explained on the Tools page.
import { expect, test } from './fixtures.js';

test('saves a draft with its attachment and reopens it from the drafts list', async ({ page, mw }) => {
  await mw.call('compose.profiles.create', {
    profile: { id: 'loop', name: 'Loop', host: mw.smtpHost, port: mw.smtpPort, security: 'none' },
  });
  await page.goto(`${mw.http}/#/compose`);
  const compose = page.getByRole('form', { name: 'Compose' });
  await compose.getByLabel('From', { exact: true }).fill('writer@example.test');
  await compose.getByLabel('To', { exact: true }).fill('reader@example.test');
  await compose.getByLabel('Subject').fill('Half written');
  await compose.getByLabel('HTML body').fill('<p>Work in progress</p>');
  await compose.getByLabel('Attach files').setInputFiles({
    name: 'notes.txt',
    mimeType: 'text/plain',
    buffer: Buffer.from('attached notes'),
  });
  await expect(compose.getByText('notes.txt (14 bytes)')).toBeVisible();
  await compose.getByRole('button', { name: 'Save draft' }).click();
  await expect(compose.getByRole('status')).toContainText(/Draft #\d+ saved/);
  await expect(page).toHaveURL(/#\/compose\/draft\/\d+$/);

  const drafts = await mw.call('compose.drafts.list', {});
  expect(drafts.drafts).toMatchObject([{ subject: 'Half written', attachments: 1, profile: 'loop' }]);

  // A fresh page: the draft comes back from the list with every field and the attachment.
  await page.goto(`${mw.http}/#/compose`);
  await page.reload();
  const fresh = page.getByRole('form', { name: 'Compose' });
  await expect(fresh.getByLabel('Subject')).toHaveValue('');
  await fresh.getByText('Drafts (1)').click();
  await fresh.getByRole('list', { name: 'Drafts' }).getByRole('link', { name: 'Half written' }).click();
  await expect(fresh.getByRole('heading', { name: /Draft #\d+/ })).toBeVisible();
  await expect(fresh.getByLabel('Subject')).toHaveValue('Half written');
  await expect(fresh.getByLabel('To', { exact: true })).toHaveValue('reader@example.test');
  await expect(fresh.getByLabel('From', { exact: true })).toHaveValue('writer@example.test');
  await expect(fresh.getByLabel('HTML body')).toHaveValue('<p>Work in progress</p>');
  await expect(fresh.getByText('notes.txt (14 bytes)')).toBeVisible();

  // Saving again updates the same draft, and the send carries the attachment.
  await fresh.getByLabel('Subject').fill('Fully written');
  await fresh.getByRole('button', { name: 'Save draft' }).click();
  await expect(fresh.getByRole('status')).toContainText(/saved/);
  expect((await mw.call('compose.drafts.list', {})).drafts.map((d) => d.subject)).toEqual(['Fully written']);
  await fresh.getByRole('button', { name: 'Send', exact: true }).click();
  await expect(page.getByRole('region', { name: 'Send result' })).toHaveAttribute('data-outcome', 'delivered', {
    timeout: 30_000,
  });
  const sent = (await mw.call('compose.sends.list', {})).sends[0]!;
  const raw = Buffer.from((await mw.call('compose.sends.raw', { id: sent.id })).base64, 'base64').toString();
  expect(raw).toContain('filename=notes.txt');
});

test('Edit as new carries the HTML, text, attachment and headers; History compares two sends', async ({ page, mw }) => {
  await mw.call('compose.profiles.create', {
    profile: { id: 'loop', name: 'Loop', host: mw.smtpHost, port: mw.smtpPort, security: 'none' },
  });
  await mw.sendRaw(
    [
      'From: Shop <shop@example.test>',
      'To: buyer@example.test',
      'Subject: Weekly offers',
      'X-Campaign: week-49',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b1"',
      '',
      '--b1',
      'Content-Type: multipart/alternative; boundary="b2"',
      '',
      '--b2',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Offers in plain text',
      '--b2',
      'Content-Type: text/html; charset=utf-8',
      '',
      '<h1>Offers</h1><p>In <b>HTML</b></p>',
      '--b2--',
      '--b1',
      'Content-Type: text/csv; name="prices.csv"',
      'Content-Disposition: attachment; filename="prices.csv"',
      '',
      'item,price',
      '--b1--',
      '',
    ].join('\r\n'),
    { from: 'shop@example.test', to: ['buyer@example.test'] },
  );
  await page.goto(mw.http);
  await page.getByText('Weekly offers').first().click();
  await expect(page.locator('#message-subject')).toHaveText('Weekly offers');
  await page.getByRole('button', { name: 'Edit as new' }).click();

  const compose = page.getByRole('form', { name: 'Compose' });
  await expect(compose.getByRole('heading', { name: /Edit message #\d+ as new/ })).toBeVisible();
  await expect(compose.getByLabel('HTML body')).toHaveValue('<h1>Offers</h1><p>In <b>HTML</b></p>');
  await expect(compose.getByLabel('Text body')).toHaveValue(/Offers in plain text/);
  await expect(compose.getByLabel('Subject')).toHaveValue('Weekly offers');
  await expect(compose.getByLabel('From', { exact: true })).toHaveValue('"Shop" <shop@example.test>');
  await expect(compose.getByText(/prices\.csv \(\d+ bytes\)/)).toBeVisible();
  await compose.getByText('Headers and envelope').click();
  await expect(compose.getByLabel(/Custom headers/)).toHaveValue('X-Campaign: week-49');
  const preview = page.frameLocator('iframe[title="HTML preview of the draft"]');
  await expect(preview.locator('h1')).toHaveText('Offers');

  await compose.getByRole('button', { name: 'Send', exact: true }).click();
  await expect(page.getByRole('region', { name: 'Send result' })).toHaveAttribute('data-outcome', 'delivered', {
    timeout: 30_000,
  });
  await compose.getByLabel('HTML body').fill('<h1>Offers</h1><p>In <b>bold HTML</b></p>');
  await compose.getByRole('button', { name: 'Send', exact: true }).click();
  await expect.poll(async () => (await mw.call('compose.sends.list', {})).total).toBe(2);
  const [second, first] = (await mw.call('compose.sends.list', {})).sends;
  const raw = Buffer.from((await mw.call('compose.sends.raw', { id: first!.id })).base64, 'base64').toString();
  expect(raw).toContain('X-Campaign: week-49');
  expect(raw).toContain('filename=prices.csv');

  await page.goto(`${mw.http}/#/history/${first!.id}`);
  await page.getByLabel('Compare with another send').selectOption(String(second!.id));
  const diff = page.getByRole('region', { name: `Comparison with send #${second!.id}` });
  await expect(diff.getByRole('status')).toContainText(`#${first!.id} against #${second!.id}`);
  await expect(diff.locator('[data-section="htmlSource"]')).toContainText('bold');
  await expect(diff.locator('[data-section="attachments"] .count')).toHaveText('no changes');
});

test('the Tools page explains a reply code', async ({ page, mw }) => {
  await page.goto(`${mw.http}/#/tools`);
  const tool = page.locator('[data-tool="reply-code"]');
  await tool.getByLabel('Reply or code').fill('550 5.1.1 user unknown');
  await tool.getByRole('button', { name: 'Explain' }).click();
  await expect(tool.getByRole('status')).toContainText('permanent');
  await expect(tool.getByRole('status')).toContainText('Bad destination mailbox address');
  const api = await fetch(`${mw.http}/api/tools/reply-code?code=451&enhanced=4.7.1`).then((r) => r.json());
  expect(api).toMatchObject({ code: 451, enhanced: '4.7.1', kind: 'transient' });
});
