// A stand-in for src-renderer/src/lib/api.ts, the renderer's only door to the back end: an in-memory mailbox and
// session log, pushes the test emits by hand, and a record of every call. Tests install it with
// `vi.mock('…/lib/api.js', () => import('./fake-api.js'))`.
import type { Mailbox } from '../../../../src-shared/contract/mailboxes.js';
import type {
  CallArgs,
  CheckBadges,
  DiffMessagesArgs,
  EventName,
  Events,
  MessageChecks,
  MessageDiff,
  RendererStatus,
  VisualDiff,
} from '../../../../src-shared/contract/index.js';
import type { Settings } from '../../../../src-shared/settings.js';
import type { MessageDetail, MessageSummary, SessionDetail, SessionSummary } from '../../../../src-shared/types.js';
import { ApiCallError, errorText } from '../../../../src-renderer/src/lib/api-error.js';

export { ApiCallError, errorText };

type Handler = (data: never) => void;

export interface Call {
  name: string;
  args: unknown;
}

/** Everything the fake holds; `reset()` empties it between tests. */
export const backend = {
  messages: [] as MessageSummary[],
  sessions: [] as SessionSummary[],
  settings: null as Settings | null,
  calls: [] as Call[],
  handlers: new Map<string, Set<Handler>>(),
  /** Calls that fail with this error until it is cleared. */
  failWith: null as ApiCallError | null,
  /** Session details held back until the test releases them, to order replies. */
  heldSessions: new Map<number, () => void>(),
  holdSessions: false,
  /** checks.message answers, by message id. */
  checks: new Map<number, MessageChecks>(),
  /** Diff replies held back until the test releases them (in call order). */
  heldDiffs: [] as Array<() => void>,
  holdDiffs: false,
  renderer: { available: true, browser: '/usr/bin/chromium', help: null } as RendererStatus,
  /** Tags by message id. */
  tags: new Map<number, string[]>(),
};

export function reset(): void {
  backend.messages = [];
  backend.sessions = [];
  backend.settings = null;
  backend.calls = [];
  backend.handlers.clear();
  backend.failWith = null;
  backend.heldSessions.clear();
  backend.holdSessions = false;
  backend.checks.clear();
  backend.heldDiffs = [];
  backend.holdDiffs = false;
  backend.renderer = { available: true, browser: '/usr/bin/chromium', help: null };
  backend.tags.clear();
}

export function callsOf(name: string): Call[] {
  return backend.calls.filter((c) => c.name === name);
}

/** Delivers a push to every subscriber, as the WebSocket or the preload would. */
export function emit<K extends EventName>(name: K, data: Events[K]): void {
  for (const handler of backend.handlers.get(name) ?? []) (handler as (d: Events[K]) => void)(data);
}

export function summary(id: number, extra: Partial<MessageSummary> = {}): MessageSummary {
  return {
    id,
    receivedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, id)).toISOString(),
    from: { name: '', address: 'app@example.test' },
    to: [{ name: '', address: 'qa@example.test' }],
    cc: [],
    bcc: [],
    subject: `Message ${id}`,
    date: null,
    size: 100,
    read: false,
    hasAttachments: false,
    snippet: '',
    indexed: true,
    parseError: null,
    ...extra,
  };
}

export function session(id: number, extra: Partial<SessionSummary> = {}): SessionSummary {
  return {
    id,
    listener: 'smtp',
    clientAddress: '127.0.0.1',
    clientPort: 40000 + id,
    tls: null,
    helo: 'client.test',
    authUser: null,
    startedAt: '2026-01-01T00:00:00.000Z',
    endedAt: '2026-01-01T00:00:01.000Z',
    outcome: 'delivered',
    outcomeCode: null,
    authFailures: 0,
    rejected: 0,
    messageIds: [],
    ...extra,
  };
}

async function answer<T>(name: string, args: unknown, value: () => T): Promise<T> {
  backend.calls.push({ name, args });
  await Promise.resolve(); // a real call never answers in the same turn
  if (backend.failWith) throw backend.failWith;
  return value();
}

/** Newest first, as the store lists them. */
function listed(): MessageSummary[] {
  return [...backend.messages].sort((a, b) => b.id - a.id);
}

export const api = {
  messages: {
    list: (args: { query?: string; offset?: number; limit?: number }) =>
      answer('messages.list', args, () => {
        const all = listed().filter((m) => !args.query || m.subject.includes(args.query));
        const offset = args.offset ?? 0;
        return {
          total: all.length,
          unread: all.filter((m) => !m.read).length,
          messages: all.slice(offset, offset + (args.limit ?? 50)),
        };
      }),
    get: (id: number) =>
      answer('messages.get', { id }, () => {
        const m = backend.messages.find((x) => x.id === id);
        if (!m) throw new ApiCallError({ code: 'not_found', message: `message ${id} not found` });
        return { ...m } as unknown as MessageDetail;
      }),
    markRead: (ids: number[], read: boolean) =>
      answer('messages.markRead', { ids, read }, () => {
        for (const m of backend.messages) if (ids.includes(m.id)) m.read = read;
        return { updated: ids.length };
      }),
    markAllRead: (query: string) =>
      answer('messages.markAllRead', query ? { query } : {}, () => {
        const matching = backend.messages.filter((m) => !m.read && (!query || m.subject.includes(query)));
        for (const m of matching) m.read = true;
        return { updated: matching.length };
      }),
    delete: (ids: number[]) =>
      answer('messages.delete', { ids }, () => {
        backend.messages = backend.messages.filter((m) => !ids.includes(m.id));
        return { deleted: ids.length };
      }),
    deleteAll: () =>
      answer('messages.deleteAll', {}, () => {
        const deleted = backend.messages.length;
        backend.messages = [];
        return { deleted };
      }),
  },
  sessions: {
    list: (args: { filter?: string; clientAddress?: string; offset?: number; limit?: number }) =>
      answer('sessions.list', args, () => {
        const all = backend.sessions
          .filter((s) => args.filter !== 'authFailures' || s.authFailures > 0)
          .filter((s) => !args.clientAddress || s.clientAddress === args.clientAddress);
        const offset = args.offset ?? 0;
        return { total: all.length, sessions: all.slice(offset, offset + (args.limit ?? 50)) };
      }),
    get: async (id: number): Promise<SessionDetail> => {
      if (backend.holdSessions) await new Promise<void>((release) => backend.heldSessions.set(id, release));
      return answer('sessions.get', { id }, () => {
        const s = backend.sessions.find((x) => x.id === id);
        if (!s) throw new ApiCallError({ code: 'not_found', message: `session ${id} not found` });
        return { ...s, transcript: [], truncatedLines: 0 };
      });
    },
  },
  settings: {
    get: () =>
      answer('settings.get', {}, () => {
        if (!backend.settings) throw new ApiCallError({ code: 'internal', message: 'no settings in this test' });
        return structuredClone(backend.settings);
      }),
    presets: () => answer('settings.presets', {}, () => ({ listeners: [], faults: [] })),
  },
  metrics: {
    get: () => answer('metrics.get', {}, () => ({ faultRuleHits: {} })),
  },
  checks: {
    message: (args: CallArgs<'checks.message'>) =>
      answer('checks.message', args, () => {
        const result = backend.checks.get(args.id);
        if (!result) throw new ApiCallError({ code: 'not_found', message: `message ${args.id} not found` });
        return structuredClone(result);
      }),
    badges: (ids: number[]) => answer('checks.badges', { ids }, () => ({ badges: [] as CheckBadges[] })),
    spam: (id: number) =>
      answer('checks.spam', { id }, () => ({
        spamd: '127.0.0.1:783',
        reachable: false,
        error: 'spamd not reachable at 127.0.0.1:783: nothing listens there.',
        isSpam: null,
        score: null,
        threshold: null,
        rules: [],
      })),
    domain: (domain: string, selector?: string) =>
      answer('checks.domain', selector ? { domain, selector } : { domain }, () => {
        throw new ApiCallError({ code: 'unsupported', message: 'no domain checks in this fake' });
      }),
  },
  diff: {
    messages: async (args: DiffMessagesArgs): Promise<MessageDiff> => {
      if (backend.holdDiffs) await new Promise<void>((release) => backend.heldDiffs.push(release));
      return answer('diff.messages', args, () => fakeDiff(args));
    },
    visual: (args: { a: number; b: number; width?: number; scheme?: 'light' | 'dark'; images?: 'on' | 'off' }) =>
      answer('diff.visual', args, (): VisualDiff => {
        const shot = { width: args.width ?? 600, height: 100, png: '' };
        const changed = args.a === args.b ? 0 : 600;
        return {
          width: shot.width,
          scheme: args.scheme ?? 'light',
          images: args.images ?? 'on',
          pixelRatio: changed / (shot.width * shot.height),
          changedPixels: changed,
          a: shot,
          b: shot,
          diff: shot,
        };
      }),
    rendererStatus: () => answer('diff.rendererStatus', {}, () => backend.renderer),
  },
  tags: {
    get: (ids: number[]) =>
      answer('tags.get', { ids }, () => ({ messages: ids.map((id) => ({ id, tags: backend.tags.get(id) ?? [] })) })),
    set: (ids: number[], tags: string[]) =>
      answer('tags.set', { ids, tags }, () => {
        for (const id of ids) backend.tags.set(id, tags);
        return { updated: ids.length };
      }),
  },
  /** Mailboxes from the messages' To addresses (the real ones come from the envelope). */
  mailboxes: {
    list: ({ foldPlus, limit = 200, offset = 0 }: { foldPlus?: boolean; limit?: number; offset?: number } = {}) =>
      answer('mailboxes.list', { foldPlus, limit, offset }, () => {
        const fold = foldPlus ?? true;
        const boxes = new Map<string, Mailbox>();
        for (const m of listed())
          for (const to of m.to) {
            const address = mailboxOf(to.address, fold);
            const box = boxes.get(address) ?? { address, count: 0, unread: 0, lastReceived: m.receivedAt };
            box.count++;
            if (!m.read) box.unread++;
            boxes.set(address, box);
          }
        const all = [...boxes.values()];
        return { mailboxes: all.slice(offset, offset + limit), total: all.length, foldPlus: fold };
      }),
    messages: (args: { address: string; foldPlus?: boolean; limit?: number }) =>
      answer('mailboxes.messages', args, () => {
        const all = listed().filter((m) =>
          m.to.some((t) => mailboxOf(t.address, args.foldPlus ?? true) === args.address),
        );
        return { total: all.length, unread: all.filter((m) => !m.read).length, messages: all };
      }),
    newAddress: () => answer('mailboxes.newAddress', {}, () => ({ address: 'fresh123@mailwright.test' })),
  },
};

/** A diff that says which messages it compared, so a test can tell which reply the page kept. */
function fakeDiff(args: DiffMessagesArgs): MessageDiff {
  const side = (id: number) => {
    const m = backend.messages.find((x) => x.id === id);
    if (!m) throw new ApiCallError({ code: 'not_found', message: `message ${id} not found` });
    return { id, subject: m.subject, hasHtml: true };
  };
  const identical = args.a === args.b;
  return {
    a: side(args.a),
    b: side(args.b),
    options: {
      ignoreVolatile: args.ignoreVolatile ?? true,
      ignoreTracking: args.ignoreTracking ?? true,
      htmlView: args.htmlView ?? 'normalized',
    },
    sections: [],
    summary: {
      identical,
      totalChanges: identical ? 0 : 1,
      changedSections: identical ? [] : ['text'],
      text: `${args.a} vs ${args.b}`,
      noVisualReason: null,
    },
  };
}

export function onEvent<K extends EventName>(name: K, handler: (data: Events[K]) => void): () => void {
  const set = backend.handlers.get(name) ?? new Set<Handler>();
  backend.handlers.set(name, set);
  set.add(handler);
  return () => set.delete(handler);
}

export function onConnection(handler: (state: 'open', reconnected: boolean) => void): () => void {
  handler('open', false);
  return () => {};
}

function mailboxOf(address: string, fold: boolean): string {
  return fold ? address.replace(/\+[^@]*@/, '@') : address;
}
