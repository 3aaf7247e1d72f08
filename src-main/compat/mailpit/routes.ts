// Mailpit's route table (server/server.go apiRoutes() in Mailpit v1.30), each route mapped onto Mailwright's verbs.
// Errors answer as Mailpit does: 404 "Not found" for an unknown id, 400 with the reason as text otherwise.
import { MailwrightError, isApiError } from '../../../src-shared/index.js';
import type { CapabilityDeps } from '../../core/capability.js';
import {
  contentDisposition,
  download,
  readJson,
  type Reply,
  type RestRoute,
  type RouteContext,
} from '../../core/rest.js';
import { extractAttachment } from '../../message/index.js';
import { parseBodies } from '../../message/bodies.js';
import { thumbnail } from '../../message/thumbnail.js';
import { walkMime } from '../../message/mime.js';
import { VERSION } from '../../core/version.js';
import { allIds, call, inPages, jsonAs, numericId, text, type Invoke } from '../reply.js';
import type { MailhogApi } from '../mailhog/routes.js';
import { rulesWithTriggers, triggersFromRules } from './chaos.js';
import { countNodes, htmlCheckShape, linkCheckShape } from './checks.js';
import { mailpitToMailwright } from './search.js';
import { headersObject, listItem, messageDetail } from './shapes.js';

const TAG = 'Mailpit compatibility';
/** Mailpit's default page. */
const DEFAULT_LIMIT = 50;
/** A sandbox for /view/{id}.html: the message's own HTML, but no script runs and nothing remote loads. */
const VIEW_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data: cid:; sandbox; frame-ancestors 'self'";
const STARTED = Date.now();

const NOT_FOUND = (): Reply => text('Not found', 404);

/** Mailpit's error replies: 404 for what is not there, 400 with the reason for everything the caller got wrong. */
function mailpitErrors(handler: (c: RouteContext) => Promise<Reply>): (c: RouteContext) => Promise<Reply> {
  return async (c) => {
    try {
      return await handler(c);
    } catch (err) {
      if (!isApiError(err) && !(err instanceof MailwrightError)) throw err;
      const e = err as { code: string; message: string };
      if (e.code === 'not_found') return NOT_FOUND();
      if (e.code === 'internal' || e.code === 'unavailable') throw err;
      return text(e.message, e.code === 'too_large' ? 413 : 400);
    }
  };
}

function operation(operationId: string, summary: string, responses: Record<string, string> = { 200: 'OK' }) {
  return {
    operationId,
    summary,
    tags: [TAG],
    responses: Object.fromEntries(Object.entries(responses).map(([code, description]) => [code, { description }])),
  };
}

function pageArgs(query: URLSearchParams): { offset: number; limit: number } {
  const start = Number(query.get('start') ?? 0);
  const limit = Number(query.get('limit') ?? DEFAULT_LIMIT);
  return {
    offset: Number.isSafeInteger(start) && start > 0 ? start : 0,
    // Mailpit answers any limit; Mailwright's page budget caps it (a client pages on with `start`).
    limit: Number.isSafeInteger(limit) && limit > 0 ? Math.min(limit, 1000) : DEFAULT_LIMIT,
  };
}

/** A JSON body that may be absent (Mailpit reads an empty body as "no filter"). */
async function optionalBody(c: RouteContext): Promise<Record<string, unknown>> {
  const body = await readJson(c.req);
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new MailwrightError('invalid_argument', 'body must be a JSON object');
  return body as Record<string, unknown>;
}

function idList(value: unknown, field = 'IDs'): number[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new MailwrightError('invalid_argument', `${field} must be an array of IDs`, field);
  return value.map((v) => {
    const id = numericId(typeof v === 'number' ? String(v) : typeof v === 'string' ? v : undefined);
    if (id === null) throw new MailwrightError('not_found', `no message ${JSON.stringify(v)}`, field);
    return id;
  });
}

/**
 * `mailhog`: MailHog's answers for the two routes both APIs have (`GET`/`DELETE /api/v1/messages`), given when the
 * `compat.mailhog` setting is on.
 */
export function mailpitRoutes(deps: CapabilityDeps, mailhog: Pick<MailhogApi, 'v1List' | 'deleteAll'>): RestRoute[] {
  const invoke: Invoke = (name, args) => deps.invoke(name, args);
  const mailhogMode = (): boolean => deps.settings.section('compat').mailhog;

  /** `latest` (optionally `?query=`) or a numeric id; null when there is no such message. */
  async function resolve(c: RouteContext): Promise<number> {
    const raw = c.params.id;
    if (raw === 'latest') {
      const q = c.query.get('query');
      const page = await call(invoke, 'messages.list', { limit: 1, ...(q ? { query: mailpitToMailwright(q) } : {}) });
      const id = page.messages[0]?.id;
      if (id === undefined) throw new MailwrightError('not_found', 'no latest message');
      return id;
    }
    const id = numericId(raw);
    if (id === null) throw new MailwrightError('not_found', `no message ${raw ?? ''}`);
    return id;
  }

  async function summaries(query: string | null, c: RouteContext): Promise<Reply> {
    const { offset, limit } = pageArgs(c.query);
    const translated = query === null ? '' : mailpitToMailwright(query);
    const page = await call(invoke, 'messages.list', { offset, limit, ...(translated ? { query: translated } : {}) });
    const ids = page.messages.map((m) => m.id);
    const tagged = ids.length ? (await call(invoke, 'tags.get', { ids })).messages : [];
    const tagsOf = new Map(tagged.map((t) => [t.id, t.tags]));
    const allTags = (await call(invoke, 'tags.list', {})).tags;
    const total = query === null ? page.total : (await call(invoke, 'server.status', {})).messageCount;
    // Mail the indexer has not reached yet is listed from its headers alone, which cannot tell attachments; Mailpit
    // counts them at once, so those few rows (new mail) are walked here.
    const unindexed = page.messages.filter((m) => !m.indexed);
    const attachments = new Map(
      await Promise.all(
        unindexed.map(async (m) => {
          const walk = await walkMime(await deps.store.raw(m.id));
          return [m.id, walk.parts.filter((p) => p.isAttachment).length] as const;
        }),
      ),
    );
    return jsonAs({
      total,
      unread: page.unread,
      count: page.messages.length,
      messages_count: page.total,
      messages_unread: query === null ? page.unread : page.messages.filter((m) => !m.read).length,
      start: offset,
      tags: allTags,
      messages: page.messages.map((m) => listItem(m, tagsOf.get(m.id) ?? [], attachments.get(m.id))),
    });
  }

  function searchQuery(c: RouteContext): string {
    const q = (c.query.get('query') ?? '').trim();
    if (!q) throw new MailwrightError('invalid_argument', 'Error: no search query', 'query');
    return q;
  }

  async function setRead(c: RouteContext): Promise<Reply> {
    const body = await optionalBody(c);
    const read = body.Read === true;
    const ids =
      Array.isArray(body.IDs) && body.IDs.length
        ? idList(body.IDs)
        : await allIds(invoke, typeof body.Search === 'string' ? mailpitToMailwright(body.Search) : '');
    await inPages(ids, (page) => call(invoke, 'messages.markRead', { ids: page, read }));
    return text('ok');
  }

  async function deleteMessages(c: RouteContext): Promise<Reply> {
    const body = await optionalBody(c);
    const ids = idList(body.IDs);
    if (ids.length === 0) await call(invoke, 'messages.deleteAll', {});
    else await inPages(ids, (page) => call(invoke, 'messages.delete', { ids: page }));
    return text('ok');
  }

  async function deleteSearch(c: RouteContext): Promise<Reply> {
    const ids = await allIds(invoke, mailpitToMailwright(searchQuery(c)));
    await inPages(ids, (page) => call(invoke, 'messages.delete', { ids: page }));
    return text('ok');
  }

  async function message(c: RouteContext): Promise<Reply> {
    const id = await resolve(c);
    const detail = await call(invoke, 'messages.get', { id });
    const raw = await deps.store.raw(id);
    const wanted = new Set(detail.attachments.map((a) => a.partId));
    const [bodies, walk, tags] = await Promise.all([
      parseBodies(raw),
      walkMime(raw, (p) => wanted.has(p.partId)),
      call(invoke, 'tags.get', { ids: [id] }),
    ]);
    const contents = new Map(walk.parts.filter((p) => p.content).map((p) => [p.partId, p.content!]));
    if (!detail.read) await call(invoke, 'messages.markRead', { ids: [id], read: true });
    return jsonAs(
      messageDetail(
        { ...detail, read: true },
        { html: bodies.html ?? '', tags: tags.messages[0]?.tags ?? [], contents },
      ),
    );
  }

  async function headers(c: RouteContext): Promise<Reply> {
    const detail = await call(invoke, 'messages.get', { id: await resolve(c) });
    return jsonAs(headersObject(detail.headers));
  }

  async function raw(c: RouteContext): Promise<Reply> {
    const id = await resolve(c);
    const bytes = await deps.store.raw(id);
    const reply: Reply = {
      status: 200,
      headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' },
      body: bytes,
    };
    if (c.query.get('dl') === '1') reply.headers!['Content-Disposition'] = `attachment; filename="${id}.eml"`;
    return reply;
  }

  async function part(c: RouteContext): Promise<Reply> {
    const id = await resolve(c);
    const a = await extractAttachment(await deps.store.raw(id), c.params.partID ?? '');
    const type = /^[\w.+-]{1,127}\/[\w.+-]{1,127}$/.test(a.contentType) ? a.contentType : 'application/octet-stream';
    return download(type, contentDisposition(a.safeFilename || a.contentId || `part-${a.partId}`, 'inline'), a.content);
  }

  /** Mailpit's /thumb: always a JPEG, blank for a part that is not a decodable image. */
  async function thumb(c: RouteContext): Promise<Reply> {
    const id = await resolve(c);
    const a = await extractAttachment(await deps.store.raw(id), c.params.partID ?? '');
    const name = a.safeFilename || a.contentId || `part-${a.partId}`;
    return download('image/jpeg', contentDisposition(name, 'inline'), await thumbnail(a.contentType, a.content));
  }

  async function view(c: RouteContext, kind: 'html' | 'txt'): Promise<Reply> {
    const id = await resolve(c);
    if (kind === 'txt') {
      const detail = await call(invoke, 'messages.get', { id });
      if (detail.text === null) return NOT_FOUND();
      return text(detail.text);
    }
    const { html } = await parseBodies(await deps.store.raw(id));
    if (html === null) return NOT_FOUND();
    return {
      status: 200,
      headers: {
        'Content-Type': 'text/html; charset=utf-8',
        'Content-Security-Policy': VIEW_CSP,
        'Cache-Control': 'no-store',
      },
      body: html,
    };
  }

  async function info(): Promise<Reply> {
    const [status, metrics, tags] = await Promise.all([
      call(invoke, 'server.status', {}),
      call(invoke, 'metrics.get', {}),
      call(invoke, 'tags.list', {}),
    ]);
    const unread = (await call(invoke, 'messages.list', { limit: 1 })).unread;
    return jsonAs({
      Version: `mailwright-${VERSION}`,
      LatestVersion: '',
      Database: deps.dataDir,
      DatabaseSize: status.totalBytes,
      Messages: status.messageCount,
      Unread: unread,
      Tags: tags.counts,
      RuntimeStats: {
        Uptime: Math.round((Date.now() - STARTED) / 1000),
        MessagesDeleted: status.prunedSinceStart,
        SMTPAccepted: metrics.messagesAccepted,
        SMTPAcceptedSize: metrics.bytesReceived,
        SMTPRejected: Object.values(metrics.rejectedByCode).reduce((a, b) => a + b, 0),
        SMTPIgnored: 0,
      },
    });
  }

  function webui(): Reply {
    return jsonAs({
      Label: '',
      MessageRelay: {
        Enabled: deps.settings.section('compat').releaseProfile !== '',
        SMTPServer: '',
        ReturnPath: '',
        AllowedRecipients: '',
        BlockedRecipients: '',
        OverrideFrom: '',
        PreserveMessageIDs: false,
        RecipientAllowlist: '',
      },
      SpamAssassin: false,
      ChaosEnabled: true,
      DuplicatesIgnored: false,
      HideDeleteAllButton: false,
    });
  }

  async function chaos(c: RouteContext, put: boolean): Promise<Reply> {
    const settings = await call(invoke, 'settings.get', {});
    if (!put) return jsonAs(triggersFromRules(settings.faults));
    let faults;
    try {
      faults = rulesWithTriggers(settings.faults, await readJson(c.req));
    } catch (err) {
      if (err instanceof MailwrightError) throw err;
      throw new MailwrightError('invalid_argument', (err as Error).message);
    }
    const updated = await call(invoke, 'settings.update', { faults });
    return jsonAs(triggersFromRules(updated.faults));
  }

  async function setTags(c: RouteContext): Promise<Reply> {
    const body = await optionalBody(c);
    const ids = idList(body.IDs);
    const tags = Array.isArray(body.Tags) ? body.Tags.filter((t): t is string => typeof t === 'string') : [];
    if (ids.length) await inPages(ids, (page) => call(invoke, 'tags.set', { ids: page, tags }));
    return text('ok');
  }

  async function renameTag(c: RouteContext): Promise<Reply> {
    const body = await optionalBody(c);
    if (typeof body.Name !== 'string') throw new MailwrightError('invalid_argument', 'Name is required', 'Name');
    await call(invoke, 'tags.rename', { from: c.params.tag ?? '', to: body.Name });
    return text('ok');
  }

  /** Through the composer profile compat.releaseProfile names, to the addresses given (Mailpit's `{To: []}`). */
  async function release(c: RouteContext): Promise<Reply> {
    const id = await resolve(c);
    const profile = deps.settings.section('compat').releaseProfile;
    if (!profile)
      throw new MailwrightError(
        'invalid_argument',
        'Release is not enabled: set compat.releaseProfile to a composer profile',
      );
    const body = await optionalBody(c);
    const to = Array.isArray(body.To) ? body.To.filter((t): t is string => typeof t === 'string' && t !== '') : [];
    if (to.length === 0) throw new MailwrightError('invalid_argument', 'No valid addresses found', 'To');
    const report = await call(invoke, 'compose.release', { id, profile, to, newMessageId: true, confirm: true });
    if (report.outcome !== 'delivered')
      throw new MailwrightError(
        'invalid_argument',
        `SMTP error: ${report.explanation ?? report.error ?? report.reply ?? report.outcome}`,
      );
    return text('ok');
  }

  /** SpamAssassin through the checks capability's spamd client, in Mailpit's shape (an unreachable spamd is Error). */
  async function spamCheck(c: RouteContext): Promise<Reply> {
    const report = await call(invoke, 'checks.spam', { id: await resolve(c) });
    return jsonAs({
      Error: report.error ?? '',
      IsSpam: report.isSpam ?? false,
      Score: report.score ?? 0,
      Rules: report.rules.map((r) => ({ Name: r.name, Score: r.points, Description: r.description })),
    });
  }

  /** The checks capability's link check in Mailpit's shape; `follow=true` follows redirects (Mailpit's default is not to). */
  async function linkCheck(c: RouteContext): Promise<Reply> {
    const follow = /^(1|true|yes)$/i.test(c.query.get('follow') ?? '');
    const report = await call(invoke, 'checks.links', { id: await resolve(c), followRedirects: follow });
    return jsonAs(linkCheckShape(report));
  }

  /** Client compatibility for every client caniemail knows (as Mailpit tests them all), in Mailpit's shape. */
  async function htmlCheck(c: RouteContext): Promise<Reply> {
    const id = await resolve(c);
    const { html } = await parseBodies(await deps.store.raw(id));
    if (html === null) throw new MailwrightError('invalid_argument', 'message does not contain HTML');
    const checks = await call(invoke, 'checks.message', { id, clients: ['*.*'] });
    return jsonAs(htmlCheckShape(checks.compat, countNodes(html)));
  }

  const id = { name: 'id', in: 'path' as const, required: true, schema: { type: 'string' } };
  const r = (
    method: RestRoute['method'],
    path: string,
    op: ReturnType<typeof operation>,
    handler: (c: RouteContext) => Promise<Reply> | Reply,
    acceptsNoContentType = false,
  ): RestRoute => ({
    method,
    path,
    operation: path.includes('{id}') ? { ...op, parameters: [id] } : op,
    handler: mailpitErrors(async (c) => handler(c)),
    ...(acceptsNoContentType ? { acceptsNoContentType } : {}),
  });

  const viewRoutes: RestRoute[] = [
    r(
      'GET',
      '/view/{id}.html',
      operation('mailpitViewHtml', 'The HTML part, sandboxed (Mailpit)', { 200: 'HTML', 404: 'Not found' }),
      (c) => view(c, 'html'),
    ),
    r(
      'GET',
      '/view/{id}.txt',
      operation('mailpitViewText', 'The text part (Mailpit)', { 200: 'Text', 404: 'Not found' }),
      (c) => view(c, 'txt'),
    ),
  ];

  return [
    r(
      'GET',
      '/api/v1/messages',
      operation('mailpitListMessages', 'List messages, newest first (Mailpit; MailHog with compat.mailhog)'),
      (c) => (mailhogMode() ? mailhog.v1List() : summaries(null, c)),
    ),
    r(
      'PUT',
      '/api/v1/messages',
      operation('mailpitSetReadStatus', 'Mark messages read or unread by IDs or search (Mailpit)'),
      setRead,
      true,
    ),
    r(
      'DELETE',
      '/api/v1/messages',
      operation(
        'mailpitDeleteMessages',
        'Delete messages by IDs; no IDs deletes all (Mailpit; MailHog with compat.mailhog)',
      ),
      (c) => (mailhogMode() ? mailhog.deleteAll() : deleteMessages(c)),
      true,
    ),
    r('GET', '/api/v1/search', operation('mailpitSearch', 'Search messages with Mailpit syntax (Mailpit)'), (c) =>
      summaries(searchQuery(c), c),
    ),
    r(
      'DELETE',
      '/api/v1/search',
      operation('mailpitDeleteSearch', 'Delete messages matching a search (Mailpit)'),
      deleteSearch,
      true,
    ),
    r(
      'GET',
      '/api/v1/message/{id}',
      operation('mailpitGetMessage', 'One message; marks it read (Mailpit)', { 200: 'Message', 404: 'Not found' }),
      message,
    ),
    r(
      'GET',
      '/api/v1/message/{id}/headers',
      operation('mailpitGetHeaders', 'Message headers (Mailpit)', { 200: 'Headers', 404: 'Not found' }),
      headers,
    ),
    r(
      'GET',
      '/api/v1/message/{id}/raw',
      operation('mailpitGetRaw', 'Message source as text (Mailpit)', { 200: 'Source', 404: 'Not found' }),
      raw,
    ),
    r(
      'GET',
      '/api/v1/message/{id}/part/{partID}',
      { ...operation('mailpitGetPart', 'One MIME part (Mailpit)', { 200: 'Part', 404: 'Not found' }) },
      part,
    ),
    r(
      'GET',
      '/api/v1/message/{id}/part/{partID}/thumb',
      operation('mailpitGetThumb', 'A 180x120 JPEG thumbnail of an image attachment (Mailpit)', {
        200: 'image/jpeg (blank for a part that is not an image)',
        404: 'Not found',
      }),
      thumb,
    ),
    r(
      'POST',
      '/api/v1/message/{id}/release',
      operation('mailpitRelease', 'Release through the compat.releaseProfile composer profile (Mailpit)', {
        200: 'ok',
        400: 'Not enabled or refused',
      }),
      release,
    ),
    r(
      'GET',
      '/api/v1/message/{id}/html-check',
      operation('mailpitHtmlCheck', 'HTML client compatibility for every caniemail client (Mailpit)', {
        200: 'HTMLCheckResponse',
        400: 'The message has no HTML',
        404: 'Not found',
      }),
      htmlCheck,
    ),
    r(
      'GET',
      '/api/v1/message/{id}/link-check',
      operation('mailpitLinkCheck', 'Link check through checks.links; follow=true follows redirects (Mailpit)', {
        200: 'LinkCheckResponse',
        404: 'Not found',
      }),
      linkCheck,
    ),
    r(
      'GET',
      '/api/v1/message/{id}/sa-check',
      operation('mailpitSpamCheck', 'SpamAssassin check (Mailpit)', {
        200: 'Result, or Error when spamd cannot be asked',
      }),
      spamCheck,
    ),
    r(
      'POST',
      '/api/v1/send',
      operation('mailpitSend', 'Capture a message given as JSON (Mailpit)', { 200: '{ID}', 400: 'Bad request' }),
      async (c) => jsonAs(await call(invoke, 'mailpit.send', await readJson(c.req))),
    ),
    r('GET', '/api/v1/tags', operation('mailpitGetTags', 'Every tag in use (Mailpit)'), async () =>
      jsonAs((await call(invoke, 'tags.list', {})).tags),
    ),
    r('PUT', '/api/v1/tags', operation('mailpitSetTags', 'Replace the tags of messages (Mailpit)'), setTags),
    r('PUT', '/api/v1/tags/{tag}', operation('mailpitRenameTag', 'Rename a tag (Mailpit)'), renameTag),
    r(
      'DELETE',
      '/api/v1/tags/{tag}',
      operation('mailpitDeleteTag', 'Remove a tag from every message (Mailpit)'),
      async (c) => {
        await call(invoke, 'tags.delete', { tag: c.params.tag ?? '' });
        return text('ok');
      },
      true,
    ),
    r('GET', '/api/v1/info', operation('mailpitInfo', 'Instance information (Mailpit)'), info),
    r('GET', '/api/v1/webui', operation('mailpitWebUI', 'Web UI configuration (Mailpit)'), webui),
    r('GET', '/api/v1/chaos', operation('mailpitGetChaos', 'Chaos triggers, read from fault rules (Mailpit)'), (c) =>
      chaos(c, false),
    ),
    r(
      'PUT',
      '/api/v1/chaos',
      operation('mailpitSetChaos', 'Set chaos triggers as fault rules (Mailpit)'),
      (c) => chaos(c, true),
      true,
    ),
    // `//view/…` (cypress-mailpit joins its base URL and path with one slash too many) reaches these too: the
    // binding reads a run of leading slashes as one.
    ...viewRoutes,
    r('GET', '/livez', operation('livez', 'Liveness probe (Mailpit, Kubernetes)'), () => text('ok')),
    r('GET', '/readyz', operation('readyz', 'Readiness probe (Mailpit, Kubernetes)'), () => text('ok')),
  ];
}
