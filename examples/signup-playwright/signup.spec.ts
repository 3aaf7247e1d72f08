// A sign-up flow tested end to end: the app mails a confirmation link, the test waits for that mail with
// Mailwright's /api/wait and follows the link.
import { test as base, expect } from '@playwright/test';
import { startSignupApp, type SignupApp } from './app.js';
import { startMailwright, type MailwrightServer } from './mailwright.js';

const test = base.extend<{ app: SignupApp }, { mailwright: MailwrightServer }>({
  mailwright: [
    async ({}, use) => {
      const server = await startMailwright();
      await use(server);
      await server.stop();
    },
    { scope: 'worker' },
  ],
  app: async ({ mailwright }, use) => {
    const app = await startSignupApp(mailwright.smtp);
    await use(app);
    await app.close();
  },
});

test('signing up mails a link that confirms the account', async ({ page, app, mailwright }) => {
  // A fresh address per test, so the wait cannot pick up another test's mail.
  const { address } = (await (
    await fetch(`${mailwright.http}/api/mailboxes/new`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
    })
  ).json()) as { address: string };

  await page.goto(app.url);
  await page.getByLabel('Email').fill(address);
  await page.getByRole('button', { name: 'Sign up' }).click();
  await expect(page.getByText('Check your inbox.')).toBeVisible();

  const wait = await fetch(`${mailwright.http}/api/wait?query=${encodeURIComponent(`to:${address}`)}&timeout=30s`);
  expect(wait.status).toBe(200);
  const message = (await wait.json()) as { id: number; subject: string };
  expect(message.subject).toBe('Confirm your account');

  const detail = (await (await fetch(`${mailwright.http}/api/messages/${message.id}`)).json()) as { text: string };
  const link = /http:\/\/\S+\/confirm\?token=\w+/.exec(detail.text)?.[0];
  expect(link).toBeDefined();
  await page.goto(link!);
  await expect(page.getByText(`Your account ${address} is confirmed.`)).toBeVisible();
});
