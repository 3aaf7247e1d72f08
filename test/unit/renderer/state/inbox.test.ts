// The inbox state against a fake api module: the first load, selection (by row, by address, by keyboard past the
// cached pages), bursts of pushes coalesced into one refetch, and what deletes do to the selection.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { backend, callsOf, emit, reset, summary } from './fake-api.js';

vi.mock('../../../../src-renderer/src/lib/api.js', () => import('./fake-api.js'));

const { Inbox, PAGE_SIZE } = await import('../../../../src-renderer/src/lib/inbox.svelte.js');

/** The coalescing window in inbox.svelte.ts, plus a little: fake timers make this exact, not a wait. */
const AFTER_WINDOW_MS = 60;

function mailbox(count: number): void {
  backend.messages = Array.from({ length: count }, (_, i) => summary(i + 1));
}

describe('Inbox', () => {
  let stop: () => void = () => {};

  beforeEach(() => {
    reset();
    vi.useFakeTimers();
  });
  afterEach(() => {
    stop();
    vi.useRealTimers();
  });

  async function started(count: number, visible = 20): Promise<InstanceType<typeof Inbox>> {
    mailbox(count);
    const inbox = new Inbox();
    stop = inbox.start();
    inbox.setRange(0, visible);
    await vi.runAllTimersAsync();
    return inbox;
  }

  it('loads the first page with the counts, newest first', async () => {
    const inbox = await started(3);
    expect(inbox.loaded).toBe(true);
    expect(inbox.total).toBe(3);
    expect(inbox.unread).toBe(3);
    expect(inbox.row(0)?.id).toBe(3);
    expect(inbox.row(2)?.id).toBe(1);
    expect(inbox.error).toBeNull();
  });

  it('finds the row of a message opened by address, and keeps it when new mail shifts the rows', async () => {
    const inbox = await started(5);
    inbox.select(2, -1);
    expect(inbox.selectedIndex).toBe(3);
    backend.messages.push(summary(6));
    emit('messages.added', { messages: [] });
    await vi.advanceTimersByTimeAsync(AFTER_WINDOW_MS);
    expect(inbox.row(0)?.id).toBe(6);
    expect(inbox.selectedId).toBe(2);
    expect(inbox.selectedIndex).toBe(4);
  });

  it('marks every message of the search in force read, and shows the new counts', async () => {
    const inbox = await started(4);
    inbox.setQuery('Message 3');
    await vi.runAllTimersAsync();
    expect(await inbox.markAllRead()).toBe(1);
    expect(callsOf('messages.markAllRead').map((c) => c.args)).toEqual([{ query: 'Message 3' }]);
    // The list of the search in force was fetched again: its one row now shows read.
    expect(inbox.row(0)).toMatchObject({ id: 3, read: true });
    expect(backend.messages.filter((m) => !m.read).map((m) => m.id)).toEqual([1, 2, 4]);
    inbox.setQuery('');
    await vi.runAllTimersAsync();
    expect(await inbox.markAllRead()).toBe(3);
    expect(callsOf('messages.markAllRead').at(-1)?.args).toEqual({});
    expect(inbox.unread).toBe(0);
  });

  it('turns each burst of pushes into one refetch', async () => {
    const inbox = await started(3);
    const before = callsOf('messages.list').length;
    for (let i = 0; i < 25; i++) emit('messages.updated', { ids: [1] });
    expect(callsOf('messages.list').length).toBe(before); // nothing yet: the window is still open
    await vi.advanceTimersByTimeAsync(AFTER_WINDOW_MS);
    expect(callsOf('messages.list').length).toBe(before + 1);

    // The next burst, after that refetch, gets one of its own.
    emit('messages.updated', { ids: [2] });
    emit('messages.deleted', { ids: [3] });
    emit('messages.updated', { ids: [1] });
    await vi.runAllTimersAsync();
    expect(callsOf('messages.list').length).toBe(before + 2);
    expect(inbox.total).toBe(3);
  });

  it('selects by keyboard past the cached pages once the page arrives', async () => {
    const inbox = await started(PAGE_SIZE + 5);
    inbox.selectIndex(PAGE_SIZE + 2);
    expect(inbox.selectedIndex).toBe(PAGE_SIZE + 2);
    expect(inbox.selectedId).toBeNull(); // its page is not here yet
    await vi.runAllTimersAsync();
    expect(callsOf('messages.list').some((c) => (c.args as { offset: number }).offset === PAGE_SIZE)).toBe(true);
    expect(inbox.selectedId).toBe(3);
  });

  it('deleting the open message opens the one that takes its place', async () => {
    const inbox = await started(4);
    inbox.select(3, 1);
    await inbox.deleteSelected();
    expect(callsOf('messages.delete')[0]?.args).toEqual({ ids: [3] });
    expect(inbox.total).toBe(3);
    expect(inbox.selectedId).toBe(2);
    expect(inbox.selectedIndex).toBe(1);
  });

  it('a message deleted elsewhere closes when it was open', async () => {
    const inbox = await started(4);
    inbox.select(4, 0);
    backend.messages = backend.messages.filter((m) => m.id !== 4);
    emit('messages.deleted', { ids: [4] });
    expect(inbox.selectedId).toBeNull();
    await vi.runAllTimersAsync();
    expect(inbox.total).toBe(3);
  });

  it('says why the list could not load, and recovers on the next refetch', async () => {
    mailbox(2);
    backend.failWith = new (await import('./fake-api.js')).ApiCallError({ code: 'internal', message: 'disk on fire' });
    const inbox = new Inbox();
    stop = inbox.start();
    await vi.runAllTimersAsync();
    expect(inbox.error).toBe('disk on fire');
    expect(inbox.loaded).toBe(false);
    backend.failWith = null;
    inbox.refresh();
    await vi.runAllTimersAsync();
    expect(inbox.error).toBeNull();
    expect(inbox.total).toBe(2);
  });
});
