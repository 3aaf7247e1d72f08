// Tags in the browser against the real serve binding: shown in the list (from an X-Tags header and from Mailpit's
// send API), set by hand in the message view, given by a rule, and found with tag: in the search box.
import { expect, rowSelector, test } from './fixtures.js';

const rows = '[role="option"]';

test('tags are listed, set by hand, given by rule and searchable', async ({ page, mw }) => {
  await mw.sendRaw(
    'From: app@example.test\r\nTo: qa@example.test\r\nSubject: Signup confirmation\r\nX-Tags: signup, onboarding\r\n\r\nWelcome\r\n',
    { from: 'app@example.test', to: ['qa@example.test'] },
  );
  const sent = await fetch(`${mw.http}/api/v1/send`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      From: { Email: 'shop@example.test' },
      To: [{ Email: 'buyer@example.test' }],
      Subject: 'Receipt 19',
      Text: 'paid',
      Tags: ['receipts'],
    }),
  });
  expect(sent.status).toBe(200);
  await mw.call('settings.update', {
    tags: { fromHeader: true, fromPlusAddress: true, rules: [{ query: 'subject:newsletter', tag: 'marketing' }] },
  });
  await mw.send({ subject: 'Monthly newsletter', text: 'news', to: 'qa+digest@example.test' });

  await page.goto(mw.http);
  await expect(page.locator(rows)).toHaveCount(3);
  const signup = page.locator(rowSelector('Signup confirmation'));
  await expect(signup.locator('.tag')).toHaveText(['onboarding', 'signup']);
  await expect(page.locator(rowSelector('Receipt 19')).locator('.tag')).toHaveText(['receipts']);
  // Rules run once the message is indexed; the list follows tags.changed without a reload.
  await expect(page.locator(rowSelector('Monthly newsletter')).locator('.tag')).toHaveText(['digest', 'marketing']);

  await signup.click();
  const editor = page.getByTestId('message-tags');
  await expect(editor).toContainText('signup');
  await editor.getByLabel('Add tag').fill('needs review');
  await editor.getByLabel('Add tag').press('Enter');
  await expect(signup.locator('.tag')).toHaveText(['needs review', 'onboarding', 'signup']);
  await editor.getByRole('button', { name: 'Remove tag onboarding' }).click();
  await expect(signup.locator('.tag')).toHaveText(['needs review', 'signup']);

  const search = page.getByLabel('Search messages');
  await search.fill('tag:"needs review"');
  await expect(page.locator(rows)).toHaveCount(1);
  await expect(page.locator(rowSelector('Signup confirmation'))).toBeVisible();
  await search.fill('is:tagged -tag:receipts');
  await expect(page.locator(rows)).toHaveCount(2);
  await expect(page.locator(rowSelector('Receipt 19'))).toHaveCount(0);
});
