// The inbox stays virtualized: 2,000 imported messages never become 2,000 DOM rows, and the end is reachable.
import { expect, test } from './fixtures.js';

const COUNT = 2000;

function buildMbox(count: number): Buffer {
  const parts: string[] = [];
  for (let i = 1; i <= count; i++) {
    const n = String(i).padStart(4, '0');
    parts.push(
      `From sender@example.test Mon Nov  2 10:00:00 2026\n` +
        `From: Bulk Sender <sender@example.test>\nTo: qa@example.test\nSubject: Bulk message ${n}\n` +
        `Date: Mon, 02 Nov 2026 10:00:00 +0000\nMessage-ID: <bulk-${n}@example.test>\n\nBody of message ${n}\n`,
    );
  }
  return Buffer.from(parts.join('\n'));
}

test('2,000 messages: few DOM rows, and scrolling to the bottom shows the last one', async ({ page, mw }) => {
  await page.goto(mw.http);
  await expect(page.getByRole('heading', { name: 'No messages yet' })).toBeVisible();

  const result = await mw.importFile('bulk.mbox', buildMbox(COUNT));
  expect(result.imported).toBe(COUNT);
  expect(result.failed).toEqual([]);

  const list = page.getByTestId('message-list');
  const rows = list.locator('[role="option"]');
  // The import's pushes arrive live; the list learns the total without a reload.
  await expect(rows.first()).toHaveAttribute('aria-setsize', String(COUNT));
  await expect(page.getByTestId('message-count')).toContainText('2,000 messages');
  const rendered = await rows.count();
  expect(rendered).toBeGreaterThan(0);
  expect(rendered).toBeLessThan(100);

  const last = (await mw.call('messages.list', { offset: COUNT - 1, limit: 1 })).messages[0];
  expect(last).toBeDefined();
  await list.evaluate((el: { scrollTop: number; scrollHeight: number }) => {
    el.scrollTop = el.scrollHeight;
  });
  const lastRow = list.locator(`[role="option"][aria-posinset="${COUNT}"]`);
  await expect(lastRow.locator('.subject')).toHaveText(last!.subject);
  await expect(lastRow).toBeInViewport();
  expect(await rows.count()).toBeLessThan(100);

  // Keyboard: Home goes back to the first message through the same page cache.
  const first = (await mw.call('messages.list', { offset: 0, limit: 1 })).messages[0];
  await page.keyboard.press('Home');
  await expect(page.locator('#message-subject')).toHaveText(first!.subject);
});
