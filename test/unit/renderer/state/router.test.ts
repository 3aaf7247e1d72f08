// The hash router: addresses parse and format both ways, anything unknown or malformed lands on the inbox, and
// the Router writes history entries only for real moves (driven here through a fake Locator, no browser).
import { describe, expect, it, vi } from 'vitest';
import {
  HOME,
  Router,
  formatAddress,
  parseAddress,
  sameAddress,
  type Address,
  type Locator,
} from '../../../../src-renderer/src/lib/router.svelte.js';
import { parseInboxPath } from '../../../../src-renderer/src/pages/inbox/state.svelte.js';
import { acceptsSessionsPath } from '../../../../src-renderer/src/pages/sessions/state.svelte.js';
import { parseSettingsPath } from '../../../../src-renderer/src/pages/settings/state.svelte.js';

vi.mock('../../../../src-renderer/src/lib/api.js', () => import('./fake-api.js'));

/** The registry's answer for the three pages of today, without importing their components. */
const accepts = (a: Address): boolean =>
  (a.page === 'inbox' && parseInboxPath(a.path) !== null) ||
  (a.page === 'sessions' && acceptsSessionsPath(a.path)) ||
  (a.page === 'settings' && parseSettingsPath(a.path) !== null);

describe('parseAddress and formatAddress', () => {
  it('read the addresses of every page', () => {
    expect(parseAddress('#/inbox/123/html', accepts)).toEqual({ page: 'inbox', path: ['123', 'html'] });
    expect(parseAddress('#/inbox/7/attachments', accepts)).toEqual({ page: 'inbox', path: ['7', 'attachments'] });
    expect(parseAddress('#/sessions/45', accepts)).toEqual({ page: 'sessions', path: ['45'] });
    expect(parseAddress('#/settings/listeners/submission', accepts)).toEqual({
      page: 'settings',
      path: ['listeners', 'submission'],
    });
    expect(parseAddress('#/settings/faults', accepts)).toEqual({ page: 'settings', path: ['faults'] });
    expect(parseAddress('/settings/', accepts)).toEqual({ page: 'settings', path: [] });
  });

  it('round-trip ids that need escaping', () => {
    const address = { page: 'settings', path: ['listeners', 'a/b c#?%'] };
    const hash = formatAddress(address);
    expect(hash).toBe('#/settings/listeners/a%2Fb%20c%23%3F%25');
    expect(parseAddress(hash, accepts)).toEqual(address);
  });

  it('send anything unknown or malformed to the inbox', () => {
    const bad = [
      '',
      '#',
      '#/',
      '#inbox',
      '#/nope',
      '#/nope/1',
      '#/inbox/abc',
      '#/inbox/0/html',
      '#/inbox/12/pdf',
      '#/inbox/12/html/x',
      '#/inbox//html',
      '#/sessions/x',
      '#/sessions/1/2',
      '#/settings/nope',
      '#/settings/faults/x',
      '#/settings/listeners/a/b',
      '#/settings/listeners/%E0%A4%A',
      '#/' + 'a/'.repeat(50),
      '#/inbox/' + '1'.repeat(3000),
      '#/__proto__',
      '#/constructor',
    ];
    for (const hash of bad) expect(parseAddress(hash, accepts), hash).toEqual(HOME);
  });

  it('sameAddress compares page and every segment', () => {
    expect(sameAddress({ page: 'inbox', path: ['1', 'html'] }, { page: 'inbox', path: ['1', 'html'] })).toBe(true);
    expect(sameAddress({ page: 'inbox', path: ['1'] }, { page: 'inbox', path: ['1', 'html'] })).toBe(false);
    expect(sameAddress({ page: 'inbox', path: [] }, { page: 'sessions', path: [] })).toBe(false);
  });
});

/** A URL bar and history stack in memory: push adds an entry, back() moves and announces the change. */
class FakeLocation implements Locator {
  entries: string[];
  index = 0;
  #listeners = new Set<() => void>();

  constructor(initial: string) {
    this.entries = [initial];
  }
  hash(): string {
    return this.entries[this.index]!;
  }
  push(hash: string): void {
    this.entries = [...this.entries.slice(0, this.index + 1), hash];
    this.index++;
  }
  replace(hash: string): void {
    this.entries[this.index] = hash;
  }
  listen(onChange: () => void): () => void {
    this.#listeners.add(onChange);
    return () => this.#listeners.delete(onChange);
  }
  go(delta: number): void {
    this.index += delta;
    this.#listeners.forEach((f) => f());
  }
  /** The user edits the URL: a new entry, announced. */
  type(hash: string): void {
    this.push(hash);
    this.#listeners.forEach((f) => f());
  }
}

describe('Router', () => {
  function started(initial: string): { router: Router; url: FakeLocation; shown: Address[]; stop: () => void } {
    const url = new FakeLocation(initial);
    const router = new Router(accepts, url);
    const shown: Address[] = [];
    const stop = router.start((a) => shown.push(a));
    return { router, url, shown, stop };
  }

  it('shows the address it starts on', () => {
    const { router, shown, url } = started('#/inbox/5/headers');
    expect(shown).toEqual([{ page: 'inbox', path: ['5', 'headers'] }]);
    expect(router.address).toEqual({ page: 'inbox', path: ['5', 'headers'] });
    expect(url.entries).toEqual(['#/inbox/5/headers']);
  });

  it('replaces a malformed or empty address with the inbox, without a history entry', () => {
    for (const bad of ['', '#/inbox/zzz', '#/nowhere']) {
      const { url, shown } = started(bad);
      expect(shown).toEqual([HOME]);
      expect(url.entries).toEqual(['#/inbox']);
    }
  });

  it('navigate pushes an entry and shows it; Back and Forward show the entries again', () => {
    const { router, url, shown } = started('#/inbox');
    router.navigate({ page: 'sessions', path: ['45'] });
    expect(url.entries).toEqual(['#/inbox', '#/sessions/45']);
    expect(shown.at(-1)).toEqual({ page: 'sessions', path: ['45'] });
    url.go(-1);
    expect(router.address).toEqual(HOME);
    expect(shown.at(-1)).toEqual(HOME);
    url.go(1);
    expect(shown.at(-1)).toEqual({ page: 'sessions', path: ['45'] });
    expect(shown).toHaveLength(4);
  });

  it('navigate to where it already is, or somewhere refused, adds nothing twice', () => {
    const { router, url, shown } = started('#/inbox');
    router.navigate(HOME);
    router.navigate({ page: 'nowhere', path: [] });
    expect(url.entries).toEqual(['#/inbox']);
    expect(shown).toHaveLength(1);
  });

  it('follow records what the page did by itself; correct rewrites the current entry', () => {
    const { router, url, shown } = started('#/inbox/5');
    router.correct({ page: 'inbox', path: ['5', 'html'] });
    expect(url.entries).toEqual(['#/inbox/5/html']);
    router.follow({ page: 'inbox', path: ['6', 'html'] });
    router.follow({ page: 'inbox', path: ['6', 'html'] });
    expect(url.entries).toEqual(['#/inbox/5/html', '#/inbox/6/html']);
    expect(shown).toHaveLength(1); // the page already shows what it recorded
    url.go(-1);
    expect(shown.at(-1)).toEqual({ page: 'inbox', path: ['5', 'html'] });
  });

  it('an address typed into the URL bar is shown; a bad one is corrected in place', () => {
    const { url, shown } = started('#/inbox');
    url.type('#/settings/listeners/submission');
    expect(shown.at(-1)).toEqual({ page: 'settings', path: ['listeners', 'submission'] });
    url.type('#/settings/listeners/%zz');
    expect(shown.at(-1)).toEqual(HOME);
    expect(url.hash()).toBe('#/inbox');
  });

  it('stops listening when stopped', () => {
    const { url, shown, stop } = started('#/inbox');
    stop();
    url.type('#/sessions');
    expect(shown).toHaveLength(1);
  });
});
