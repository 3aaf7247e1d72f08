// The inbox is live: mail sent over real SMTP appears without a reload; the empty state names the real port.
import { mkdirSync } from 'node:fs';
import { expect, rowSelector, test } from './fixtures.js';

test('the empty state tells the user the real SMTP host and port', async ({ page, mw }) => {
  await page.goto(mw.http);
  const endpoint = page.getByTestId('smtp-endpoint').first();
  await expect(endpoint).toContainText(`${mw.smtpHost}:${mw.smtpPort}`);
  await expect(endpoint).toContainText('STARTTLS');
  // The snippets carry the same port, ready to paste.
  await expect(page.locator('.snippet pre')).toContainText(`port: ${mw.smtpPort}`);
  mkdirSync('test-results/screenshots', { recursive: true });
  await page.screenshot({ path: 'test-results/screenshots/empty.png' });
  await page.getByRole('tab', { name: 'Python (smtplib)' }).click();
  await expect(page.locator('.snippet pre')).toContainText(`smtplib.SMTP("${mw.smtpHost}", ${mw.smtpPort})`);
});

test('a message sent with nodemailer appears without a reload, unread until opened', async ({ page, mw }) => {
  await page.goto(mw.http);
  await expect(page.getByTestId('smtp-endpoint').first()).toBeVisible();
  // A reload would start a new document without this mark. (Selecting a message changes the address, a same-document
  // navigation that Playwright's framenavigated also reports, so that event no longer tells a reload apart.)
  await page.evaluate(() => {
    (globalThis as unknown as { sameDocument: boolean }).sameDocument = true;
  });

  await mw.send({
    from: 'Alice Example <alice@example.test>',
    subject: 'Live delivery check',
    text: 'Hello from nodemailer',
  });
  const row = page.locator(rowSelector('Live delivery check'));
  await expect(row).toBeVisible();
  await expect(row).toHaveClass(/unread/);
  await expect(row.locator('.from')).toHaveText('Alice Example');

  await mw.send({ subject: 'Second live message', html: '<p>Second <b>body</b></p>' });
  await expect(page.locator(rowSelector('Second live message'))).toBeVisible();
  await expect(page.locator('[role="option"]')).toHaveCount(2);

  mkdirSync('test-results/screenshots', { recursive: true });
  await mw.send({ from: 'Billing <billing@example.test>', subject: 'Your invoice #1042', text: 'Amount due: 42 EUR' });
  await expect(page.locator('[role="option"]')).toHaveCount(3);
  await page.screenshot({ path: 'test-results/screenshots/inbox.png' });

  await row.click();
  await expect(page.locator('#message-subject')).toHaveText('Live delivery check');
  await expect(row).not.toHaveClass(/unread/);
  await page.getByRole('tab', { name: 'Text' }).click();
  await expect(page.getByRole('tabpanel')).toContainText('Hello from nodemailer');
  await page.locator(rowSelector('Second live message')).click();
  await page.getByRole('tab', { name: 'HTML' }).click();
  await expect(page.frameLocator('iframe[title="HTML preview"]').locator('b')).toHaveText('body');
  await page.screenshot({ path: 'test-results/screenshots/message.png' });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: 'test-results/screenshots/message-dark.png' });
  expect(await page.evaluate(() => (globalThis as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
});

test('corrupt saved preferences fall back to the defaults', async ({ page, mw }) => {
  // Seeded once per tab, so the reload below sees what the app itself saved.
  await page.addInitScript(`if (!sessionStorage.getItem('seeded')) {
    sessionStorage.setItem('seeded', '1');
    localStorage.setItem('mailwright.ui.v1', '{"tab":"<img src=x>","previewWidth":-5}');
  }`);
  await mw.send({ subject: 'Prefs check', html: '<p>Preview body</p>' });
  await page.goto(mw.http);
  await page.locator(rowSelector('Prefs check')).click();
  await expect(page.getByRole('tab', { name: 'HTML' })).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByRole('button', { name: 'Full width' })).toHaveAttribute('aria-pressed', 'true');
  await expect(page.frameLocator('iframe[title="HTML preview"]').getByText('Preview body')).toBeVisible();

  // A good value is kept across a reload.
  await page.getByRole('button', { name: 'Tablet 768' }).click();
  await page.reload();
  await page.locator(rowSelector('Prefs check')).click();
  await expect(page.getByRole('button', { name: 'Tablet 768' })).toHaveAttribute('aria-pressed', 'true');
});

test('after the event socket drops, the inbox reconnects and re-fetches what it missed', async ({ page, mw }) => {
  let connections = 0;
  const swallowed: string[] = [];
  let dropFirst: (() => Promise<void>) | null = null;
  await page.routeWebSocket(/\/api\/events$/, (ws) => {
    connections++;
    const server = ws.connectToServer();
    if (connections === 1) {
      // The first connection loses every push, as a flaky network would.
      server.onMessage((message) => swallowed.push(String(message)));
      dropFirst = () => ws.close({ code: 1006, reason: 'simulated outage' });
    }
  });
  await page.goto(mw.http);
  await expect(page.getByText('Live', { exact: true })).toBeVisible();

  await mw.send({ subject: 'Sent while the socket was deaf', text: 'missed push' });
  await expect.poll(() => swallowed.some((m) => m.includes('messages.added'))).toBe(true);
  await dropFirst!();
  await expect(page.locator(rowSelector('Sent while the socket was deaf'))).toBeVisible();
  expect(connections).toBe(2);
});
