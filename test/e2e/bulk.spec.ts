// The Bulk page against serve: a CSV run that finishes with its figures and export, then a paced run of copies
// whose live progress moves and which is cancelled mid-run, with what was sent kept in the history.
import { mkdirSync } from 'node:fs';
import { expect, test } from './fixtures.js';

test('bulk: a CSV run, its export, then a paced run cancelled mid-way', async ({ page, mw }) => {
  await mw.call('compose.profiles.create', {
    profile: { id: 'bulk-local', name: 'Bulk local', host: '127.0.0.1', port: mw.smtpPort, security: 'none' },
  });
  await page.goto(mw.http);
  await page.getByRole('button', { name: 'Bulk' }).click();
  const form = page.getByRole('form', { name: 'Bulk send' });
  await expect(form.getByLabel('Profile')).toHaveValue('bulk-local');
  await form.getByLabel('From', { exact: true }).fill('bulk@example.test');
  await form.getByLabel(/^CSV/).fill('email,name\nann@example.test,Ann\nbob@example.test,Bob\ncy@example.test,Cy\n');
  await form.getByRole('button', { name: 'Start' }).click();

  const progress = page.getByRole('region', { name: 'Bulk progress' });
  await expect(progress.getByTestId('bulk-state')).toHaveText('done', { timeout: 30_000 });
  await expect(progress.getByTestId('bulk-done')).toHaveText('3 of 3');
  await expect(progress.getByTestId('bulk-sent')).toHaveText('3');
  await expect(progress.getByTestId('bulk-latency')).toContainText('ms');
  const download = page.waitForEvent('download');
  await progress.getByRole('button', { name: 'Export CSV' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^bulk-b-.*\.csv$/);

  // A broken row is refused with its line number, and nothing starts.
  await form.getByLabel(/^CSV/).fill('email,name\nann@example.test,Ann\nbob@example.test,Bob,extra\n');
  await form.getByRole('button', { name: 'Start' }).click();
  await expect(form.getByRole('alert')).toContainText('line 3');

  await form.getByLabel('Copies of the message').check();
  await form.getByLabel('Copies', { exact: true }).fill('2000');
  await form.getByLabel('To', { exact: true }).fill('copy{{n}}@example.test');
  await form.getByLabel('Subject').fill('Copy {{n}}');
  await form.getByLabel('Text body').fill('copy {{n}}');
  await form.getByLabel(/^Messages per second/).fill('20');
  await form.getByRole('button', { name: 'Start' }).click();
  await expect(progress.getByTestId('bulk-state')).toHaveText('running', { timeout: 30_000 });
  // Live progress: the done count moves past 5 while the run is still going.
  await expect(async () => {
    const text = (await progress.getByTestId('bulk-done').textContent()) ?? '';
    expect(Number(/^(\d+)/.exec(text)?.[1] ?? 0)).toBeGreaterThanOrEqual(5);
  }).toPass({ timeout: 30_000 });
  await expect(progress.getByTestId('bulk-throughput')).not.toHaveText('0 msg/s');
  mkdirSync('test-results/screenshots', { recursive: true });
  await page.screenshot({ path: 'test-results/screenshots/bulk.png' });
  await progress.getByRole('button', { name: 'Cancel' }).click();
  await expect(progress.getByTestId('bulk-state')).toHaveText('cancelled', { timeout: 30_000 });
  const done = Number(/^(\d+)/.exec((await progress.getByTestId('bulk-done').textContent()) ?? '')?.[1]);
  expect(done).toBeGreaterThanOrEqual(5);
  expect(done).toBeLessThan(2000);
  const runs = await mw.call('compose.bulk.list', {});
  expect(runs.runs[0]).toMatchObject({ state: 'cancelled', done });
  const history = await mw.call('compose.sends.list', { query: 'Copy ' });
  expect(history.total).toBe(done);
});
