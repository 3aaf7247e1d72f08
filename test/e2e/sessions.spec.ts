// The Sessions view: a mail just sent over real SMTP shows up as a session with its transcript (secrets and
// data elided), the dashboard counts it, the filters narrow the list, and the message link opens the inbox.
import { mkdirSync } from 'node:fs';
import { expect, test } from './fixtures.js';

test('Sessions shows the transcript of a mail just sent and links to the message', async ({ page, mw }) => {
  await page.goto(mw.http);
  await mw.send({ subject: 'Session transcript check', text: 'transcript body that must not show' });
  await expect(page.getByTestId('smtp-endpoint')).toHaveCount(0);

  await page.getByRole('button', { name: 'Sessions' }).click();
  await expect(page.getByRole('button', { name: 'Sessions' })).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByTestId('metric-accepted')).toHaveText('1');
  await expect(page.getByTestId('metric-sessions')).toHaveText('1');

  const row = page.locator('.sessions .row').first();
  await expect(row).toContainText('delivered 1');
  await row.click();
  const transcript = page.getByLabel('Transcript');
  await expect(transcript).toContainText('C: MAIL FROM:<app@example.test>');
  await expect(transcript).toContainText('C: RCPT TO:<qa@example.test>');
  await expect(transcript).toContainText(/C: <message data: \d+ bytes>/);
  await expect(transcript).toContainText(/S: 250 .*queued as \d+/);
  await expect(transcript).not.toContainText('transcript body that must not show');
  // nodemailer upgrades with STARTTLS: the TLS details are on the session.
  await expect(page.locator('.meta')).toContainText('TLSv1.');
  mkdirSync('test-results/screenshots', { recursive: true });
  await page.screenshot({ path: 'test-results/screenshots/sessions.png' });

  await page.getByRole('button', { name: 'AUTH failures' }).click();
  await expect(page.getByText('No sessions match.')).toBeVisible();
  await page.getByRole('button', { name: 'All', exact: true }).click();
  await expect(page.locator('.sessions .row')).toHaveCount(1);

  await page.locator('.meta button.link').first().click();
  await expect(page.getByRole('button', { name: 'Sessions' })).toHaveAttribute('aria-pressed', 'false');
  await expect(page.locator('#message-subject')).toHaveText('Session transcript check');
});
