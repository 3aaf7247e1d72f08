// Addresses against a real `serve`: a message, a session and a listener each open from their URL (a link a teammate
// pastes into a new tab), Back and Forward move between them, and `?` shows the keyboard help.
import type { Page } from '@playwright/test';
import { expect, rowSelector, test, type Mailwright } from './fixtures.js';

async function messageId(mw: Mailwright, subject: string): Promise<number> {
  const { messages } = await mw.call('messages.list', {});
  const found = messages.find((m) => m.subject === subject);
  if (!found) throw new Error(`no message "${subject}"`);
  return found.id;
}

async function newTab(page: Page, url: string): Promise<Page> {
  const tab = await page.context().newPage();
  await tab.goto(url);
  return tab;
}

test('#/inbox/<id>/headers opens that message on its headers; Back returns to the list', async ({ page, mw }) => {
  await mw.send({ subject: 'Address check A', text: 'first' });
  await mw.send({ subject: 'Address check B', text: 'second' });
  const a = await messageId(mw, 'Address check A');

  const tab = await newTab(page, `${mw.http}/#/inbox/${a}/headers`);
  await expect(tab.locator('#message-subject')).toHaveText('Address check A');
  await expect(tab.getByRole('tab', { name: 'Headers' })).toHaveAttribute('aria-selected', 'true');
  await expect(tab.getByRole('tabpanel')).toContainText('Address check A');
  await expect(tab.locator(rowSelector('Address check A'))).toHaveAttribute('aria-selected', 'true');
  await tab.close();

  await page.goto(mw.http);
  await expect(page.locator(rowSelector('Address check B'))).toBeVisible();
  await expect(page).toHaveURL(/#\/inbox$/);
  await page.goto(`${mw.http}/#/inbox/${a}/headers`);
  await expect(page.locator('#message-subject')).toHaveText('Address check A');
  await page.goBack();
  await expect(page).toHaveURL(/#\/inbox$/);
  await expect(page.locator('#message-subject')).toHaveCount(0);
  await expect(page.getByText('Select a message.')).toBeVisible();
  await page.goForward();
  await expect(page.locator('#message-subject')).toHaveText('Address check A');

  // Selecting another message and another tab are history entries of their own.
  await page.locator(rowSelector('Address check B')).click();
  const b = await messageId(mw, 'Address check B');
  await expect(page).toHaveURL(new RegExp(`#/inbox/${b}/headers$`));
  await page.getByRole('tab', { name: 'Text' }).click();
  await expect(page).toHaveURL(new RegExp(`#/inbox/${b}/text$`));
  await expect(page.getByRole('tabpanel')).toContainText('second');
  await page.goBack();
  await expect(page.getByRole('tab', { name: 'Headers' })).toHaveAttribute('aria-selected', 'true');
  await page.goBack();
  await expect(page.locator('#message-subject')).toHaveText('Address check A');
});

test('#/sessions/<id> opens that session; a malformed address falls back to the inbox', async ({ page, mw }) => {
  await mw.send({ subject: 'Session address check', text: 'x' });
  // The session is recorded when the client has quit, a moment after the message was accepted.
  await expect.poll(async () => (await mw.call('sessions.list', { filter: 'all' })).total).toBe(1);
  const id = (await mw.call('sessions.list', { filter: 'all' })).sessions[0]!.id;

  const tab = await newTab(page, `${mw.http}/#/sessions/${id}`);
  await expect(tab.getByRole('button', { name: 'Sessions' })).toHaveAttribute('aria-pressed', 'true');
  await expect(tab.locator('.meta h2')).toHaveText(new RegExp(`^Session ${id}: delivered 1`));
  await expect(tab.getByLabel('Transcript')).toContainText('C: RCPT TO:<qa@example.test>');
  await tab.close();

  const lost = await newTab(page, `${mw.http}/#/sessions/not-a-number/%E0%A4%A`);
  await expect(lost).toHaveURL(/#\/inbox$/);
  await expect(lost.locator(rowSelector('Session address check'))).toBeVisible();
});

test('#/settings/listeners/<id> opens that listener; ? shows the keyboard help', async ({ page, mw }) => {
  const current = await mw.call('settings.get', {});
  await mw.call('settings.update', {
    listeners: [...current.listeners, { id: 'submission', host: '127.0.0.1', port: 0, tls: 'none' }],
  });

  await page.goto(`${mw.http}/#/settings/listeners/submission`);
  await expect(page.getByRole('button', { name: 'Settings', exact: true })).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByRole('form', { name: 'Listener submission' })).toBeVisible();
  await expect(page.getByRole('listitem').getByRole('button', { name: /^submission/ })).toHaveAttribute(
    'aria-current',
    'true',
  );

  // Picking the other listener is an address too; Back returns to the first.
  await page.getByRole('listitem').getByRole('button', { name: /^smtp/ }).click();
  await expect(page).toHaveURL(/#\/settings\/listeners\/smtp$/);
  await expect(page.getByRole('form', { name: 'Listener smtp' })).toBeVisible();
  await page.goBack();
  await expect(page.getByRole('form', { name: 'Listener submission' })).toBeVisible();

  await page.locator('body').press('?');
  const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await expect(help).toBeVisible();
  await expect(help.getByRole('region', { name: 'Settings' })).toContainText('Apply the changes');
  await expect(help.getByRole('region', { name: 'Everywhere' })).toContainText('Show this help');
  await expect(help.getByRole('region', { name: 'Inbox' })).toHaveCount(0);
  await page.keyboard.press('Escape');
  await expect(help).toBeHidden();

  await page.getByRole('button', { name: 'Inbox' }).click();
  await page.locator('body').press('?');
  await expect(help.getByRole('region', { name: 'Inbox' })).toContainText('Next message');
});

test('#/settings/general scrolls to the general settings, and Ctrl+Enter applies from a text field there', async ({
  page,
  mw,
}) => {
  await page.goto(`${mw.http}/#/settings/general`);
  const maxMessages = page.getByLabel('Max messages', { exact: true });
  await expect(maxMessages).toBeInViewport();
  await maxMessages.fill('1234');
  await maxMessages.press('Control+Enter');
  await expect(page.getByRole('status').filter({ hasText: 'Applied.' })).toBeVisible();
  expect((await mw.call('settings.get', {})).retention.maxMessages).toBe(1234);
  await expect(page).toHaveURL(/#\/settings\/general$/);
});
