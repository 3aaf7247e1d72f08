// The diff page's state against the fake api: what an address compares, the options it sends, and that a slow
// reply to an older pick never replaces the newer one.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { backend, callsOf, emit, reset, summary } from './fake-api.js';

vi.mock('../../../../src-renderer/src/lib/api.js', () => import('./fake-api.js'));

const { DiffPage, parseDiffPath } = await import('../../../../src-renderer/src/pages/diff/state.svelte.js');

describe('the diff page', () => {
  let stop: () => void = () => {};
  beforeEach(() => {
    reset();
    backend.messages = [summary(1), summary(2), summary(3)];
  });
  afterEach(() => stop());

  it('reads `[]`, `[a]` and `[a, b]` and refuses anything else', () => {
    expect(parseDiffPath([])).toEqual({ a: null, b: null });
    expect(parseDiffPath(['4'])).toEqual({ a: 4, b: null });
    expect(parseDiffPath(['4', '9'])).toEqual({ a: 4, b: 9 });
    for (const bad of [['x'], ['1', 'y'], ['1', '2', '3'], ['0'], ['01']]) expect(parseDiffPath(bad)).toBeNull();
  });

  it('compares what the address names with the default options, and its path follows the picks', async () => {
    const page = new DiffPage();
    stop = page.start();
    page.show(['1', '2']);
    await vi.waitFor(() => expect(page.result?.summary.text).toBe('1 vs 2'));
    expect(callsOf('diff.messages').at(-1)?.args).toEqual({
      a: 1,
      b: 2,
      ignoreVolatile: true,
      ignoreTracking: true,
      htmlView: 'normalized',
    });
    page.pick('b', 3);
    await vi.waitFor(() => expect(page.result?.summary.text).toBe('1 vs 3'));
    expect(page.path).toEqual(['1', '3']);
    page.swap();
    expect(page.path).toEqual(['3', '1']);
    page.setOptions({ ignoreVolatile: false, htmlView: 'raw' });
    await vi.waitFor(() =>
      expect(callsOf('diff.messages').at(-1)?.args).toMatchObject({
        a: 3,
        b: 1,
        ignoreVolatile: false,
        htmlView: 'raw',
      }),
    );
  });

  it('with one message picked, asks for nothing and keeps the address of that one', () => {
    const page = new DiffPage();
    page.show(['2']);
    expect(page.path).toEqual(['2']);
    expect(callsOf('diff.messages')).toHaveLength(0);
    expect(page.result).toBeNull();
  });

  it('keeps the reply to the newest pick when an older one answers last', async () => {
    const page = new DiffPage();
    backend.holdDiffs = true;
    page.show(['1', '2']);
    page.pick('b', 3);
    await vi.waitFor(() => expect(backend.heldDiffs).toHaveLength(2));
    backend.heldDiffs[1]!();
    await vi.waitFor(() => expect(page.result?.summary.text).toBe('1 vs 3'));
    backend.heldDiffs[0]!();
    await vi.waitFor(() => expect(callsOf('diff.messages')).toHaveLength(2));
    expect(page.result?.summary.text).toBe('1 vs 3');
    expect(page.loading).toBe(false);
  });

  it('shows the error of a failed diff, and refreshes the pickers when mail arrives', async () => {
    const page = new DiffPage();
    stop = page.start();
    await vi.waitFor(() => expect(page.candidates.map((m) => m.id)).toEqual([3, 2, 1]));
    page.show(['1', '99']);
    await vi.waitFor(() => expect(page.error).toContain('message 99 not found'));
    backend.messages.push(summary(4));
    emit('messages.added', { messages: [summary(4)] });
    await vi.waitFor(() => expect(page.candidates.map((m) => m.id)).toEqual([4, 3, 2, 1]));
  });

  it('renders only when asked, again for new render options or a new pair, never for a text option', async () => {
    const page = new DiffPage();
    stop = page.start();
    page.show(['1', '2']);
    await vi.waitFor(() => expect(page.result).not.toBeNull());
    expect(callsOf('diff.visual')).toHaveLength(0);
    expect(page.renderer?.available).toBe(true);

    page.showVisual();
    await vi.waitFor(() => expect(page.visual?.changedPixels).toBe(600));
    expect(callsOf('diff.visual').at(-1)?.args).toEqual({ a: 1, b: 2, width: 600, scheme: 'light', images: 'on' });

    page.showVisual({ width: 375, scheme: 'dark' });
    await vi.waitFor(() => expect(page.visual?.width).toBe(375));
    page.setOptions({ ignoreTracking: false });
    await vi.waitFor(() => expect(callsOf('diff.messages')).toHaveLength(2));
    expect(callsOf('diff.visual')).toHaveLength(2);

    page.pick('b', 1);
    await vi.waitFor(() => expect(page.visual?.changedPixels).toBe(0));
    expect(callsOf('diff.visual').at(-1)?.args).toEqual({ a: 1, b: 1, width: 375, scheme: 'dark', images: 'on' });
  });

  it('knows when there is no browser to render with', async () => {
    backend.renderer = { available: false, browser: null, help: 'Install one: apt-get install chromium' };
    const page = new DiffPage();
    stop = page.start();
    await vi.waitFor(() => expect(page.renderer?.help).toContain('apt-get install chromium'));
  });
});
