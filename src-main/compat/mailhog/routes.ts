// MailHog's API (MailHog-Server api/v1.go and api/v2.go) over Mailwright's verbs: its routes, its JSON (`text/json`
// where MailHog sends it), its status codes (an unknown id is `null` or an empty 200, as MailHog answers).
import { MailwrightError } from '../../../src-shared/index.js';
import type { CapabilityDeps } from '../../core/capability.js';
import {
  contentDisposition,
  download,
  readJson,
  type Reply,
  type RestRoute,
  type RouteContext,
} from '../../core/rest.js';
import { call, jsonAs, numericId, text, type Invoke } from '../reply.js';
import { DEFAULT_JIM, isJimRule, jimFromBody, jimFromRules, jimRules, type JimConfig } from './jim.js';
import { mailhogRelease } from './release.js';
import { mailhogMessage, type MailhogMessage } from './shapes.js';

const TAG = 'MailHog compatibility';
const TEXT_JSON = 'text/json';
/** MailHog's own page budgets: v2 pages are 50 by default and at most 250; v1 lists the newest 1000. */
const V2_DEFAULT_LIMIT = 50;
const V2_MAX_LIMIT = 250;
const V1_LIMIT = 1000;
/** SSE events waiting for a slow client; past this the client is cut off (it reconnects and re-lists). */
const MAX_QUEUED_EVENTS = 1000;
/** A comment line this often keeps proxies from closing an idle event stream (MailHog sends one a minute). */
const KEEPALIVE_MS = 30_000;

/** What the MailHog routes share with the Mailpit ones that answer MailHog's way when asked to (compat.mailhog). */
export interface MailhogApi {
  v1List(): Promise<Reply>;
  deleteAll(): Promise<Reply>;
  routes: RestRoute[];
}

function operation(operationId: string, summary: string) {
  return { operationId, summary, tags: [TAG], responses: { 200: { description: 'OK' } } };
}

export function mailhogApi(deps: CapabilityDeps): MailhogApi {
  const invoke: Invoke = (name, args) => deps.invoke(name, args);
  /** Jim's link speeds have no fault-rule form; the last ones set are kept here for GET. */
  let speeds: JimConfig = DEFAULT_JIM;

  /** MailHog's shape of these rows (id and receivedAt from a list); rows deleted meanwhile are left out. */
  async function messages(rows: readonly { id: number; receivedAt: string }[]): Promise<MailhogMessage[]> {
    const envelopes = await deps.store.envelopes(rows.map((r) => r.id));
    const out: MailhogMessage[] = [];
    for (const { id, receivedAt } of rows) {
      const envelope = envelopes.get(id);
      if (!envelope) continue;
      let raw: Buffer;
      try {
        raw = await deps.store.raw(id);
      } catch {
        continue; // deleted between the list and this read
      }
      out.push(mailhogMessage(id, receivedAt, raw, envelope));
    }
    return out;
  }

  async function page(query: string, start: number, limit: number) {
    const result = await call(invoke, 'messages.list', { offset: start, limit, ...(query ? { query } : {}) });
    return { total: result.total, items: await messages(result.messages) };
  }

  /** One message by id, or null when there is none (MailHog answers `null`). */
  async function byId(raw: string | undefined): Promise<MailhogMessage | null> {
    const id = numericId(raw);
    if (id === null) return null;
    const r = await invoke('messages.get', { id });
    return r.ok ? ((await messages([{ id, receivedAt: r.value.receivedAt }]))[0] ?? null) : null;
  }

  function startLimit(q: URLSearchParams): { start: number; limit: number } {
    const start = Number(q.get('start'));
    const limit = Number(q.get('limit'));
    return {
      start: Number.isSafeInteger(start) && start > 0 ? start : 0,
      limit: Number.isSafeInteger(limit) && limit > 0 ? Math.min(limit, V2_MAX_LIMIT) : V2_DEFAULT_LIMIT,
    };
  }

  async function v2Messages(c: RouteContext): Promise<Reply> {
    const { start, limit } = startLimit(c.query);
    const { total, items } = await page('', start, limit);
    return jsonAs({ total, count: items.length, start, items }, TEXT_JSON);
  }

  async function v2Search(c: RouteContext): Promise<Reply> {
    const kind = c.query.get('kind');
    const q = c.query.get('query') ?? '';
    if ((kind !== 'from' && kind !== 'to' && kind !== 'containing') || q === '') return { status: 400 };
    // MailHog matches a substring; Mailwright matches whole words, so the value is searched as one phrase.
    const phrase = `"${q.replace(/"/g, ' ')}"`;
    const query = kind === 'containing' ? phrase : `${kind}:${phrase}`;
    const { start, limit } = startLimit(c.query);
    const { total, items } = await page(query, start, limit);
    return jsonAs({ total, count: items.length, start, items });
  }

  async function v1List(): Promise<Reply> {
    return jsonAs((await page('', 0, V1_LIMIT)).items, TEXT_JSON);
  }

  async function deleteAll(): Promise<Reply> {
    await call(invoke, 'messages.deleteAll', {});
    return { status: 200, headers: { 'Content-Type': TEXT_JSON } };
  }

  async function one(c: RouteContext): Promise<Reply> {
    return jsonAs(await byId(c.params.id), TEXT_JSON);
  }

  async function deleteOne(c: RouteContext): Promise<Reply> {
    const id = numericId(c.params.id);
    if (id !== null) await invoke('messages.delete', { ids: [id] });
    return { status: 200, headers: { 'Content-Type': TEXT_JSON } };
  }

  async function downloadRaw(c: RouteContext): Promise<Reply> {
    const id = numericId(c.params.id);
    if (id === null) throw new MailwrightError('not_found', 'no such message');
    return download('message/rfc822', `attachment; filename="${id}.eml"`, await deps.store.raw(id));
  }

  async function downloadPart(c: RouteContext): Promise<Reply> {
    const id = numericId(c.params.id);
    const n = Number(c.params.part);
    const message = await byId(c.params.id);
    const part = Number.isSafeInteger(n) && n >= 0 ? message?.MIME?.Parts[n] : undefined;
    if (!part) throw new MailwrightError('not_found', 'no such MIME part');
    const header = (name: string): string =>
      Object.entries(part.Headers).find(([k]) => k.toLowerCase() === name)?.[1][0] ?? '';
    const body = /^\s*base64\s*$/i.test(header('content-transfer-encoding'))
      ? Buffer.from(part.Body, 'base64')
      : Buffer.from(part.Body, 'utf8');
    const type = /^\s*([\w.+-]{1,127}\/[\w.+-]{1,127})/.exec(header('content-type'))?.[1] ?? 'application/octet-stream';
    return download(type, contentDisposition(`${id}-part-${n}`), body);
  }

  async function jim(c: RouteContext, method: 'GET' | 'POST' | 'PUT' | 'DELETE'): Promise<Reply> {
    const settings = await call(invoke, 'settings.get', {});
    const current = jimFromRules(settings.faults, speeds);
    const others = settings.faults.filter((r) => !isJimRule(r));
    if (method === 'GET') return current ? jsonAs(current) : { status: 404 };
    if (method === 'DELETE') {
      if (!current) return { status: 404 };
      await call(invoke, 'settings.update', { faults: others });
      return { status: 200 };
    }
    if (method === 'POST' && current) return { status: 400 };
    if (method === 'PUT' && !current) return { status: 404 };
    let next: JimConfig;
    try {
      const body = await readJson(c.req);
      next = jimFromBody(body, current ?? DEFAULT_JIM);
    } catch (err) {
      // MailHog creates Jim with defaults when the body cannot be read, and refuses a bad update with 400.
      if (method === 'PUT') return text(err instanceof Error ? err.message : String(err), 400);
      next = current ?? DEFAULT_JIM;
    }
    await call(invoke, 'settings.update', { faults: [...others, ...jimRules(next)] });
    speeds = next;
    return { status: method === 'POST' ? 201 : 200 };
  }

  function events(): Reply {
    return {
      status: 200,
      headers: { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store' },
      stream: (signal) => eventStream(signal),
    };
  }

  async function* eventStream(signal: AbortSignal): AsyncGenerator<string> {
    const queue: string[] = [];
    let wake: (() => void) | null = null;
    let overflow = false;
    const notify = (): void => {
      wake?.();
      wake = null;
    };
    // Reads are chained so that events go out in the order the messages came.
    let reading = Promise.resolve();
    const off = deps.events.on('messages.added', ({ messages: added }) => {
      reading = reading
        .then(async () => {
          for (const m of await messages(added)) queue.push(`data: ${JSON.stringify(m)}\n\n`);
          if (queue.length > MAX_QUEUED_EVENTS) overflow = true;
          notify();
        })
        .catch((err: unknown) => console.error('[mailhog] event stream read failed:', err));
    });
    const keepalive = setInterval(() => {
      queue.push(': keepalive\n\n');
      notify();
    }, KEEPALIVE_MS);
    signal.addEventListener('abort', notify);
    try {
      yield ': connected\n\n';
      while (!signal.aborted && !overflow) {
        if (queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
        while (queue.length > 0 && !signal.aborted) yield queue.shift()!;
      }
    } finally {
      off();
      clearInterval(keepalive);
    }
  }

  const release = (c: RouteContext): Promise<Reply> => mailhogRelease(invoke, c);

  const r = (
    method: RestRoute['method'],
    path: string,
    id: string,
    summary: string,
    handler: RestRoute['handler'],
    bare: RestRoute['acceptsNoContentType'] = false,
  ): RestRoute => ({
    method,
    path,
    operation: operation(id, summary),
    handler,
    ...(bare ? { acceptsNoContentType: bare } : {}),
  });

  /** MailHog's routes under a base path; clients that take one (blueimp's `basePath`) can use /api/mailhog. */
  const table = (base: string, suffix: string, withV1List: boolean): RestRoute[] => [
    r('GET', `${base}/v2/messages`, `mailhogMessages${suffix}`, 'List messages, newest first (MailHog v2)', v2Messages),
    r('GET', `${base}/v2/search`, `mailhogSearch${suffix}`, 'Search by from, to or containing (MailHog v2)', v2Search),
    r('GET', `${base}/v2/jim`, `mailhogGetJim${suffix}`, 'Jim, read from fault rules (MailHog v2)', (c) =>
      jim(c, 'GET'),
    ),
    r('POST', `${base}/v2/jim`, `mailhogCreateJim${suffix}`, 'Invite Jim: fault rules (MailHog v2)', (c) =>
      jim(c, 'POST'),
    ),
    r('PUT', `${base}/v2/jim`, `mailhogUpdateJim${suffix}`, 'Update Jim (MailHog v2)', (c) => jim(c, 'PUT'), true),
    r(
      'DELETE',
      `${base}/v2/jim`,
      `mailhogDeleteJim${suffix}`,
      'Remove Jim (MailHog v2)',
      (c) => jim(c, 'DELETE'),
      true,
    ),
    ...(withV1List
      ? [
          r(
            'GET',
            `${base}/v1/messages`,
            `mailhogV1Messages${suffix}`,
            'Newest 1000 messages as an array (MailHog v1)',
            v1List,
          ),
          r(
            'DELETE',
            `${base}/v1/messages`,
            `mailhogDeleteAll${suffix}`,
            'Delete all messages (MailHog v1)',
            deleteAll,
            true,
          ),
        ]
      : []),
    r('GET', `${base}/v1/messages/{id}`, `mailhogMessage${suffix}`, 'One message, or null (MailHog v1)', one),
    r(
      'DELETE',
      `${base}/v1/messages/{id}`,
      `mailhogDeleteMessage${suffix}`,
      'Delete one message (MailHog v1)',
      deleteOne,
      true,
    ),
    r(
      'GET',
      `${base}/v1/messages/{id}/download`,
      `mailhogDownload${suffix}`,
      'The raw message (MailHog v1)',
      downloadRaw,
    ),
    r(
      'GET',
      `${base}/v1/messages/{id}/mime/part/{part}/download`,
      `mailhogDownloadPart${suffix}`,
      'One MIME part, decoded (MailHog v1)',
      downloadPart,
    ),
    r(
      'POST',
      `${base}/v1/messages/{id}/release`,
      `mailhogRelease${suffix}`,
      'Release through the SMTP server in the body, or a composer profile by Name (MailHog v1)',
      release,
      // blueimp's client posts the JSON body without a Content-Type; see RestRoute.acceptsNoContentType.
      'post-without-origin',
    ),
    r('GET', `${base}/v1/events`, `mailhogEvents${suffix}`, 'New messages as server-sent events (MailHog v1)', events),
  ];

  return {
    v1List,
    deleteAll,
    // At /api the v1 list and delete-all belong to Mailpit's routes (same paths), which answer MailHog's way when
    // compat.mailhog is on; under /api/mailhog everything is MailHog's.
    routes: [...table('/api', '', false), ...table('/api/mailhog', 'Prefixed', true)],
  };
}
