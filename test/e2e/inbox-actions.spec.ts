// Search, mark all read, delete one, delete all and keyboard navigation, against the real serve binding.
import { expect, rowSelector, test } from './fixtures.js';

const rows = '[role="option"]';

test('the search box filters with the search syntax', async ({ page, mw }) => {
  await mw.send({ from: 'Billing <billing@shop.test>', subject: 'Invoice 42 is ready', text: 'Amount due: 42 EUR' });
  await mw.send({ from: 'Welcome Team <hello@shop.test>', subject: 'Welcome aboard', text: 'Glad you joined' });
  await mw.send({ from: 'Security <security@bank.test>', subject: 'Password reset', text: 'Use code 99812' });
  await page.goto(mw.http);
  await expect(page.locator(rows)).toHaveCount(3);

  const search = page.getByLabel('Search messages');
  await search.fill('subject:invoice');
  await expect(page.locator(rows)).toHaveCount(1);
  await expect(page.locator(rowSelector('Invoice 42 is ready'))).toBeVisible();
  await expect(page.getByTestId('match-count')).toHaveText('1 match');

  await search.fill('from:security@bank.test');
  await expect(page.locator(rows)).toHaveCount(1);
  await expect(page.locator(rowSelector('Password reset'))).toBeVisible();

  await search.fill('"glad you joined"');
  await expect(page.locator(rows)).toHaveCount(1);
  await expect(page.locator(rowSelector('Welcome aboard'))).toBeVisible();

  await search.fill('subject:nothing-matches-this');
  await expect(page.locator(rows)).toHaveCount(0);
  await expect(page.getByText('No messages match')).toBeVisible();

  await search.press('Escape');
  await expect(page.locator(rows)).toHaveCount(3);

  // The syntax hint is one click away.
  await page.getByRole('button', { name: '?' }).click();
  await expect(page.getByRole('note')).toContainText('has:attachment');
});

test('delete one message, then delete all after confirming', async ({ page, mw }) => {
  for (const subject of ['First to stay', 'Doomed message', 'Third to stay']) await mw.send({ subject, text: subject });
  await page.goto(mw.http);
  await expect(page.locator(rows)).toHaveCount(3);

  await page.locator(rowSelector('Doomed message')).click();
  await expect(page.locator('#message-subject')).toHaveText('Doomed message');
  await page.getByRole('button', { name: 'Delete', exact: true }).click();
  await expect(page.locator(rowSelector('Doomed message'))).toHaveCount(0);
  await expect(page.locator(rows)).toHaveCount(2);
  // The row that took its place is selected, so repeated deletes walk down the list.
  await expect(page.locator('#message-subject')).toHaveText('First to stay');
  expect((await mw.call('messages.list', {})).total).toBe(2);

  // Keyboard: Delete removes the selected message.
  await page.locator('[data-testid="message-list"]').focus();
  await page.keyboard.press('Delete');
  await expect(page.locator(rows)).toHaveCount(1);

  await page.getByRole('button', { name: 'Delete all' }).click();
  const dialog = page.getByRole('dialog', { name: 'Delete all messages?' });
  await expect(dialog).toBeVisible();
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.locator(rows)).toHaveCount(1);

  await page.getByRole('button', { name: 'Delete all' }).click();
  await dialog.getByRole('button', { name: 'Delete all' }).click();
  await expect(page.getByRole('heading', { name: 'No messages yet' })).toBeVisible();
  expect((await mw.call('messages.list', {})).total).toBe(0);
});

test('j/k and arrow keys move the selection and open the message', async ({ page, mw }) => {
  for (const subject of ['Oldest', 'Middle', 'Newest']) await mw.send({ subject, text: subject });
  await page.goto(mw.http);
  await expect(page.locator(rows)).toHaveCount(3);
  await page.keyboard.press('j');
  await expect(page.locator('#message-subject')).toHaveText('Newest');
  await page.keyboard.press('j');
  await expect(page.locator('#message-subject')).toHaveText('Middle');
  await page.keyboard.press('ArrowDown');
  await expect(page.locator('#message-subject')).toHaveText('Oldest');
  await page.keyboard.press('k');
  await expect(page.locator('#message-subject')).toHaveText('Middle');
  await expect(page.locator(`${rows}[aria-selected="true"]`)).toHaveCount(1);
});

test('Mark all read marks the search in force, then the whole inbox (also with R)', async ({ page, mw }) => {
  for (const subject of ['Invoice 1', 'Welcome', 'Invoice 2']) await mw.send({ subject, text: subject });
  await page.goto(mw.http);
  await expect(page.locator(rows)).toHaveCount(3);
  const unreadDots = page.locator('[data-testid="message-list"] [aria-label="unread"]');
  await expect(unreadDots).toHaveCount(3);

  await page.locator('#search').fill('subject:invoice');
  await page.locator('#search').press('Enter');
  await expect(page.locator(rows)).toHaveCount(2);
  await page.getByRole('button', { name: 'Mark all read' }).click();
  await expect(page.getByText('Marked 2 messages read.')).toBeVisible();
  await expect(unreadDots).toHaveCount(0);
  expect((await mw.call('messages.list', { query: 'is:unread' })).messages.map((m) => m.subject)).toEqual(['Welcome']);

  await page.locator('#search').fill('');
  await page.locator('#search').press('Enter');
  await expect(page.locator(rows)).toHaveCount(3);
  await page.locator('[data-testid="message-list"]').focus();
  await page.keyboard.press('R');
  await expect(unreadDots).toHaveCount(0);
  expect((await mw.call('messages.list', {})).unread).toBe(0);
});
