// The inbox and settings pages against a fake api module: what an address opens, and the address of what the
// user then does (the shell turns a changed path into a history entry).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Settings } from '../../../../src-shared/settings.js';
import { backend, reset, summary } from './fake-api.js';

vi.mock('../../../../src-renderer/src/lib/api.js', () => import('./fake-api.js'));

const { Inbox } = await import('../../../../src-renderer/src/lib/inbox.svelte.js');
const { Prefs } = await import('../../../../src-renderer/src/lib/prefs.svelte.js');
const { InboxPage, parseInboxPath } = await import('../../../../src-renderer/src/pages/inbox/state.svelte.js');
const { SettingsPage, parseSettingsPath } = await import('../../../../src-renderer/src/pages/settings/state.svelte.js');

describe('the inbox page', () => {
  let stops: (() => void)[] = [];
  beforeEach(() => {
    reset();
    backend.messages = [summary(1), summary(2), summary(3)];
  });
  afterEach(() => stops.forEach((stop) => stop()));

  it('reads `[]`, `[id]` and `[id, tab]` with the view tab ids', () => {
    expect(parseInboxPath([])).toEqual({ id: null, tab: null });
    expect(parseInboxPath(['12'])).toEqual({ id: 12, tab: null });
    for (const tab of ['html', 'text', 'source', 'headers', 'mime', 'attachments'])
      expect(parseInboxPath(['12', tab])?.tab).toBe(tab);
    for (const bad of [['x'], ['12', 'parts'], ['12', 'html', 'x'], ['012'], ['1.5']])
      expect(parseInboxPath(bad)).toBeNull();
  });

  it('opens the message and tab an address names, and its path follows the selection and the tab', async () => {
    const inbox = new Inbox();
    const page = new InboxPage({ inbox, prefs: new Prefs() });
    stops = [inbox.start(), page.start()];
    await vi.waitFor(() => expect(inbox.loaded).toBe(true));

    page.show(['2', 'headers']);
    expect(inbox.selectedId).toBe(2);
    expect(page.prefs.tab).toBe('headers');
    expect(page.path).toEqual(['2', 'headers']);

    page.show(['3']); // no tab: the last one used
    expect(page.path).toEqual(['3', 'headers']);

    inbox.select(1, 2);
    page.prefs.tab = 'source';
    expect(page.path).toEqual(['1', 'source']);

    page.show([]);
    expect(inbox.selectedId).toBeNull();
    expect(page.path).toEqual([]);
  });
});

function listener(id: string, port: number): Settings['listeners'][number] {
  return {
    id,
    host: '127.0.0.1',
    port,
    tls: 'none',
    auth: { policy: 'off', mechanisms: [] },
  } as unknown as Settings['listeners'][number];
}

describe('the settings page', () => {
  let stop: () => void = () => {};
  afterEach(() => stop());

  beforeEach(() => {
    reset();
    backend.settings = {
      listeners: [listener('smtp', 1025), listener('submission', 2587)],
      faults: [],
      retention: { maxMessages: 100, maxBytes: 1_000_000 },
      smtp: {},
      checks: {
        dnsServers: [],
        dnsTimeoutMs: 3000,
        spamd: '',
        compatClients: ['outlook.*'],
        ipBlocklists: [],
        domainBlocklists: [],
      },
      pinned: [],
      warnings: [],
    } as unknown as Settings;
  });

  it('reads sections and a listener id', () => {
    expect(parseSettingsPath([])).toEqual({ section: null, listener: null });
    expect(parseSettingsPath(['faults'])).toEqual({ section: 'faults', listener: null });
    expect(parseSettingsPath(['storage'])).toEqual({ section: 'storage', listener: null });
    expect(parseSettingsPath(['listeners', 'submission'])).toEqual({ section: 'listeners', listener: 'submission' });
    for (const bad of [['nope'], ['faults', 'x'], ['listeners', 'a', 'b']]) expect(parseSettingsPath(bad)).toBeNull();
  });

  it('selects the listener an address names once the settings load, and follows a picked listener', async () => {
    const page = new SettingsPage();
    page.show(['listeners', 'submission']);
    expect(page.path).toEqual(['listeners', 'submission']); // still loading: the address holds
    stop = page.start();
    await vi.waitFor(() => expect(page.settings.draft).not.toBeNull());
    expect(page.settings.listenerIndex).toBe(1);
    expect(page.path).toEqual(['listeners', 'submission']);

    page.settings.listenerIndex = 0;
    expect(page.path).toEqual(['listeners', 'smtp']);
  });

  it('keeps a section address until a listener is picked, and an unknown listener settles on the one shown', async () => {
    const page = new SettingsPage();
    stop = page.start();
    await vi.waitFor(() => expect(page.settings.draft).not.toBeNull());
    page.show(['faults']);
    expect(page.path).toEqual(['faults']);
    page.settings.listenerIndex = 1;
    expect(page.path).toEqual(['listeners', 'submission']);

    page.show(['listeners', 'gone']);
    expect(page.path).toEqual(['listeners', 'submission']);
  });
});
