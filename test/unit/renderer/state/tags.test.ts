// The tags of the rows on screen against the fake api: one call for a burst of rows, set by hand, and re-fetched
// when the back end says tags changed (by rule, by id or all after a rename).
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { backend, callsOf, emit, reset } from './fake-api.js';

vi.mock('../../../../src-renderer/src/lib/api.js', () => import('./fake-api.js'));

const { MessageTags } = await import('../../../../src-renderer/src/lib/tags.svelte.js');

/** Lets the queued microtask and the fake call (which answers a turn later) run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

describe('MessageTags', () => {
  beforeEach(() => reset());

  it('fetches the rows asked for in one turn with one call, and never twice', async () => {
    backend.tags.set(1, ['urgent']);
    backend.tags.set(3, ['billing', 'q3']);
    const tags = new MessageTags();
    tags.want([1, 2]);
    tags.want([3]);
    await settle();
    expect(callsOf('tags.get')).toEqual([{ name: 'tags.get', args: { ids: [1, 2, 3] } }]);
    expect(tags.of(1)).toEqual(['urgent']);
    expect(tags.of(2)).toEqual([]);
    expect(tags.of(3)).toEqual(['billing', 'q3']);
    tags.want([1, 2, 3]);
    await settle();
    expect(callsOf('tags.get')).toHaveLength(1);
  });

  it('sets tags by hand and shows what the back end then holds', async () => {
    const tags = new MessageTags();
    await tags.set(7, ['signup', 'welcome']);
    expect(callsOf('tags.set')[0]?.args).toEqual({ ids: [7], tags: ['signup', 'welcome'] });
    expect(tags.of(7)).toEqual(['signup', 'welcome']);
  });

  it('re-fetches on tags.changed: the ids named, or every row it holds', async () => {
    const tags = new MessageTags();
    const stop = tags.start();
    tags.want([1, 2]);
    await settle();
    backend.tags.set(2, ['from-rule']);
    emit('tags.changed', { ids: [2] });
    await settle();
    expect(tags.of(2)).toEqual(['from-rule']);
    backend.tags.set(1, ['renamed']);
    emit('tags.changed', { all: true });
    await settle();
    expect(tags.of(1)).toEqual(['renamed']);
    expect(callsOf('tags.get').map((c) => c.args)).toEqual([{ ids: [1, 2] }, { ids: [2] }, { ids: [1, 2] }]);
    stop();
  });

  it('keeps the error of a failed fetch to show, and recovers on the next one', async () => {
    const tags = new MessageTags();
    backend.failWith = new (await import('./fake-api.js')).ApiCallError({ code: 'internal', message: 'boom' });
    tags.want([1]);
    await settle();
    expect(tags.error).toContain('boom');
    backend.failWith = null;
    tags.want([1]);
    await settle();
    expect(tags.error).toBeNull();
  });
});
