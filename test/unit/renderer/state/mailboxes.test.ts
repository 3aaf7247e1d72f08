// The mailboxes page state against a fake api module: the list loads on start, the fold toggle re-asks,
// an address path opens that mailbox, bursts of mail become one reload, and a new address is handed back.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { backend, callsOf, emit, reset, summary } from './fake-api.js';

vi.mock('../../../../src-renderer/src/lib/api.js', () => import('./fake-api.js'));

const { MailboxesPage, acceptsMailboxesPath } =
  await import('../../../../src-renderer/src/pages/mailboxes/state.svelte.js');

/** The refresh window (150 ms) plus a little; fake timers make this exact. */
const AFTER_WINDOW_MS = 200;
const to = (address: string) => ({ to: [{ name: '', address }] });

describe('MailboxesPage', () => {
  let stop: () => void = () => {};

  beforeEach(() => {
    reset();
    vi.useFakeTimers();
    backend.messages = [
      summary(1, to('alice+signup@example.test')),
      summary(2, { ...to('alice@example.test'), read: true }),
      summary(3, to('bob@example.test')),
    ];
  });
  afterEach(() => {
    stop();
    vi.useRealTimers();
  });

  it('lists mailboxes on start, folded, and unfolds on request', async () => {
    const page = new MailboxesPage();
    stop = page.start();
    await vi.runAllTimersAsync();
    expect(page.mailboxes.map((m) => [m.address, m.count, m.unread])).toEqual([
      ['bob@example.test', 1, 1],
      ['alice@example.test', 2, 1],
    ]);
    await page.setFoldPlus(false);
    expect(page.foldPlus).toBe(false);
    expect(callsOf('mailboxes.list').at(-1)?.args).toEqual({ foldPlus: false, limit: 200, offset: 0 });
    expect(page.mailboxes.map((m) => m.address)).toContain('alice+signup@example.test');
  });

  it('loads mailboxes a page at a time and shows more on request', async () => {
    backend.messages = Array.from({ length: 450 }, (_, i) => summary(i + 1, to(`user${i}@example.test`)));
    const page = new MailboxesPage();
    stop = page.start();
    await vi.runAllTimersAsync();
    expect(page.mailboxes).toHaveLength(200);
    expect(page.mailboxTotal).toBe(450);
    await page.showMore();
    expect(callsOf('mailboxes.list').at(-1)?.args).toEqual({ foldPlus: true, limit: 200, offset: 200 });
    await page.showMore();
    expect(page.mailboxes).toHaveLength(450);
    expect(new Set(page.mailboxes.map((m) => m.address)).size).toBe(450);
    // A refresh re-reads what is shown (one call), so the list does not shrink back to one page.
    await page.refresh();
    expect(callsOf('mailboxes.list').at(-1)?.args).toEqual({ foldPlus: true, limit: 450, offset: 0 });
    expect(page.mailboxes).toHaveLength(450);
  });

  it('opens the mailbox an address path names, and keeps it in its path', async () => {
    const page = new MailboxesPage();
    stop = page.start();
    page.show(['alice@example.test']);
    await vi.runAllTimersAsync();
    expect(page.path).toEqual(['alice@example.test']);
    expect(page.messages.map((m) => m.id)).toEqual([2, 1]);
    expect(page.total).toBe(2);
    page.show([]);
    await vi.runAllTimersAsync();
    expect(page.messages).toEqual([]);
  });

  it('turns a burst of new-mail events into one reload', async () => {
    const page = new MailboxesPage();
    stop = page.start();
    await vi.runAllTimersAsync();
    const before = callsOf('mailboxes.list').length;
    backend.messages.push(summary(4, to('carol@example.test')));
    for (let i = 0; i < 5; i++) emit('messages.added', { messages: [] });
    await vi.advanceTimersByTimeAsync(AFTER_WINDOW_MS);
    expect(callsOf('mailboxes.list').length).toBe(before + 1);
    expect(page.mailboxes.map((m) => m.address)).toContain('carol@example.test');
  });

  it('hands back a new disposable address, and says why when a call fails', async () => {
    const page = new MailboxesPage();
    expect(await page.newAddress()).toBe('fresh123@mailwright.test');
    const { ApiCallError } = await import('./fake-api.js');
    backend.failWith = new ApiCallError({ code: 'unavailable', message: 'store closed' });
    expect(await page.newAddress()).toBeNull();
    expect(page.error).toMatch(/store closed/);
  });

  it('accepts only an address as its path', () => {
    expect(acceptsMailboxesPath([])).toBe(true);
    expect(acceptsMailboxesPath(['a@b.test'])).toBe(true);
    expect(acceptsMailboxesPath(['not an address'])).toBe(false);
    expect(acceptsMailboxesPath(['a@b.test', 'x'])).toBe(false);
  });
});
