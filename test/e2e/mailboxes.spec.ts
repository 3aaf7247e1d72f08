// Mailboxes: every envelope recipient listed with its counts, plus-addresses folded (and unfolded on request),
// a new disposable address opened empty and filled live by a real SMTP delivery, and a message opened in the inbox.
import { mkdirSync } from 'node:fs';
import { expect, test } from './fixtures.js';

test('lists mailboxes per recipient and fills a new disposable address live', async ({ page, mw }) => {
  await mw.send({ to: 'alice+signup@example.test', subject: 'Welcome Alice' });
  await mw.send({ to: ['alice@example.test', 'bob@example.test'], subject: 'Team news' });
  await page.goto(`${mw.http}/#/mailboxes`);

  const boxes = page.getByRole('region', { name: 'Mailboxes' });
  const alice = boxes.getByRole('button', { name: /^alice@example\.test/ });
  await expect(alice).toContainText('2 · 2 unread');
  await expect(boxes.getByRole('button', { name: /^bob@example\.test/ })).toContainText('1 · 1 unread');

  await page.getByLabel('Fold plus-addresses').uncheck();
  await expect(boxes.getByRole('button', { name: /^alice\+signup@example\.test/ })).toContainText('1 ·');
  await expect(alice).toContainText('1 · 1 unread');
  await page.getByLabel('Fold plus-addresses').check();
  await expect(alice).toContainText('2 · 2 unread');

  await alice.click();
  const messages = page.getByRole('region', { name: 'Messages of the mailbox' });
  await expect(messages.getByRole('button')).toHaveCount(2);
  await expect(messages.getByRole('button').first()).toContainText('Team news');

  await page.getByRole('button', { name: 'New disposable address' }).click();
  const heading = page.getByTestId('mailbox-address');
  await expect(heading).toHaveText(/^[a-z2-7]{12}@mailwright\.test$/);
  const address = (await heading.textContent())!;
  await expect(page).toHaveURL(new RegExp(`#/mailboxes/${encodeURIComponent(address)}$`));
  await expect(messages).toContainText('No mail to this address yet');

  await mw.send({ to: address, subject: 'Confirm your sign-up' });
  await expect(messages.getByRole('button', { name: /Confirm your sign-up/ })).toBeVisible();
  await expect(boxes.getByRole('button', { name: new RegExp(`^${address.replace('.', '\\.')}`) })).toContainText(
    '1 · 1 unread',
  );
  mkdirSync('test-results/screenshots', { recursive: true });
  await page.screenshot({ path: 'test-results/screenshots/mailboxes.png' });

  await messages.getByRole('button', { name: /Confirm your sign-up/ }).click();
  await expect(page.locator('#message-subject')).toHaveText('Confirm your sign-up');
});
