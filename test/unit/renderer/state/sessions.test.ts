// The sessions state against a fake api module: loading and filtering the list, opening a transcript (a late reply
// for a session no longer open is dropped), closing it, and bursts of 'sessions.added' coalesced into one reload.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { backend, callsOf, emit, reset, session } from './fake-api.js';

vi.mock('../../../../src-renderer/src/lib/api.js', () => import('./fake-api.js'));

const { Sessions } = await import('../../../../src-renderer/src/lib/sessions.svelte.js');
const { SessionsPage, acceptsSessionsPath } =
  await import('../../../../src-renderer/src/pages/sessions/state.svelte.js');

/** The sessions refresh window (200 ms) plus a little; fake timers make this exact. */
const AFTER_WINDOW_MS = 250;

describe('Sessions', () => {
  let stop: () => void = () => {};

  beforeEach(() => {
    reset();
    vi.useFakeTimers();
    backend.sessions = [
      session(3, { authFailures: 2, outcome: 'authFailed' }),
      session(2),
      session(1, { clientAddress: '10.0.0.9' }),
    ];
  });
  afterEach(() => {
    stop();
    vi.useRealTimers();
  });

  async function started(): Promise<InstanceType<typeof Sessions>> {
    const sessions = new Sessions();
    stop = sessions.start();
    await vi.runAllTimersAsync();
    return sessions;
  }

  it('loads the newest sessions and narrows them by filter and client address', async () => {
    const sessions = await started();
    expect(sessions.loaded).toBe(true);
    expect(sessions.rows.map((s) => s.id)).toEqual([3, 2, 1]);
    sessions.setFilter('authFailures');
    await vi.runAllTimersAsync();
    expect(callsOf('sessions.list').at(-1)?.args).toMatchObject({ filter: 'authFailures', offset: 0 });
    expect(sessions.rows.map((s) => s.id)).toEqual([3]);
    sessions.setFilter('all');
    sessions.setClient('10.0.0.9');
    await vi.runAllTimersAsync();
    expect(sessions.rows.map((s) => s.id)).toEqual([1]);
  });

  it('opens a transcript, drops a late reply for one no longer open, and closes', async () => {
    const sessions = await started();
    backend.holdSessions = true;
    const first = sessions.select(1);
    const second = sessions.select(2);
    backend.heldSessions.get(2)?.();
    await second;
    backend.heldSessions.get(1)?.();
    await first;
    expect(sessions.selectedId).toBe(2);
    expect(sessions.detail?.id).toBe(2);
    sessions.clearSelection();
    expect(sessions.selectedId).toBeNull();
    expect(sessions.detail).toBeNull();
  });

  it('says why a transcript could not open', async () => {
    const sessions = await started();
    await sessions.select(99);
    expect(sessions.detailError).toBe('session 99 not found');
  });

  it('reloads once per burst of new sessions', async () => {
    const sessions = await started();
    const before = callsOf('sessions.list').length;
    for (let id = 4; id < 40; id++) {
      backend.sessions.unshift(session(id));
      emit('sessions.added', { ids: [id] });
    }
    expect(callsOf('sessions.list').length).toBe(before);
    await vi.advanceTimersByTimeAsync(AFTER_WINDOW_MS);
    expect(callsOf('sessions.list').length).toBe(before + 1);
    expect(sessions.total).toBe(39);
    expect(sessions.rows[0]?.id).toBe(39);
  });
});

describe('the sessions page address', () => {
  beforeEach(() => {
    reset();
    backend.sessions = [session(45)];
  });

  it('accepts #/sessions and #/sessions/<id> only', () => {
    expect(acceptsSessionsPath([])).toBe(true);
    expect(acceptsSessionsPath(['45'])).toBe(true);
    for (const bad of [['0'], ['-1'], ['4.5'], ['abc'], ['45', 'x'], ['1e3'], ['99999999999999999']]) {
      expect(acceptsSessionsPath(bad)).toBe(false);
    }
  });

  it('opens the session its address names, and its path follows the selection', async () => {
    const page = new SessionsPage();
    page.show(['45']);
    expect(page.path).toEqual(['45']);
    await vi.waitFor(() => expect(page.sessions.detail?.id).toBe(45));
    page.show([]);
    expect(page.path).toEqual([]);
    void page.sessions.select(45);
    expect(page.path).toEqual(['45']);
  });
});
