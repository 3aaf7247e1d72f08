// Compose, Profiles and History against serve: a profile made from the "this Mailwright" preset, its connection
// test (with the TLS chain), a send whose result shows the transcript, the message arriving in the inbox, the
// send in the history with its bytes, and "Send through…" on the captured message.
import { mkdirSync } from 'node:fs';
import { expect, test } from './fixtures.js';

test('a profile from the preset, its connection test, a send that arrives in the inbox, and the history', async ({
  page,
  mw,
}) => {
  await page.goto(mw.http);
  await page.getByRole('button', { name: 'Profiles' }).click();
  const preset = page.getByLabel('Preset');
  await expect(preset.locator('option', { hasText: 'This Mailwright' })).toHaveCount(1);
  await preset.selectOption({ label: (await preset.locator('option', { hasText: 'This Mailwright' }).textContent())! });
  await page.getByRole('button', { name: 'New profile' }).click();
  const form = page.getByRole('form', { name: 'Profile' });
  await expect(form.getByLabel('Port')).toHaveValue(String(mw.smtpPort));
  await form.getByLabel('Name', { exact: true }).fill('Local capture');
  await page.getByRole('button', { name: 'Save and test connection' }).click();

  const report = page.getByRole('region', { name: 'Connection test' });
  await expect(report).toContainText('passed', { timeout: 30_000 });
  for (const step of ['dns', 'tcp', 'greeting', 'ehlo', 'starttls']) {
    await expect(report.locator(`[data-step="${step}"]`)).toHaveClass(/ok/);
  }
  await expect(report.getByRole('region', { name: 'TLS' })).toContainText('chain verified');
  await expect(report.getByRole('region', { name: 'TLS' })).toContainText('SHA-256');
  await expect(report).toContainText('PIPELINING');
  mkdirSync('test-results/screenshots', { recursive: true });
  await page.screenshot({ path: 'test-results/screenshots/profiles.png' });

  await page.getByRole('button', { name: 'Compose' }).click();
  const compose = page.getByRole('form', { name: 'Compose' });
  await expect(compose.getByLabel('Profile')).toHaveValue('local-capture');
  await compose.getByLabel('From', { exact: true }).fill('composer@example.test');
  await compose.getByLabel('To', { exact: true }).fill('Reader <reader@example.test>');
  await compose.getByLabel('Subject').fill('Composed in the browser');
  await compose.getByLabel('Text body').fill('hello from compose');
  await compose.getByLabel('HTML body').fill('<h1>Big news</h1><script>parent.document.title="pwned"</script>');
  const preview = page.frameLocator('iframe[title="HTML preview of the draft"]');
  await expect(preview.locator('h1')).toHaveText('Big news');
  await compose.getByRole('button', { name: 'Send', exact: true }).click();

  const result = page.getByRole('region', { name: 'Send result' });
  await expect(result).toHaveAttribute('data-outcome', 'delivered', { timeout: 30_000 });
  await expect(result).toContainText('reader@example.test');
  await expect(result.getByLabel('Transcript')).toContainText('C DATA');
  await expect(page).not.toHaveTitle('pwned');
  await page.screenshot({ path: 'test-results/screenshots/compose.png' });

  await result.getByRole('button', { name: /Open in history/ }).click();
  await expect(page.getByRole('button', { name: 'History' })).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByRole('list', { name: 'Sends' })).toContainText('Composed in the browser');
  await page.getByText('The bytes sent').click();
  await expect(page.locator('pre.source')).toContainText('Subject: Composed in the browser');

  await page.getByRole('button', { name: 'Inbox' }).click();
  await page.getByText('Composed in the browser').first().click();
  await expect(page.locator('#message-subject')).toHaveText('Composed in the browser');

  await page.getByRole('button', { name: 'Send through…' }).click();
  const release = page.getByRole('form', { name: 'Release a captured message' });
  await release.getByLabel(/Envelope recipients/).fill('second@example.test');
  await release.getByRole('button', { name: 'Send again' }).click();
  const again = page.getByRole('region', { name: 'Send result' });
  await expect(again).toHaveAttribute('data-outcome', 'delivered', { timeout: 30_000 });
  await expect(again).toContainText('second@example.test');
  const sends = await mw.call('compose.sends.list', {});
  expect(sends.sends.map((s) => s.kind)).toEqual(['release', 'send']);
});
