// The renderer's only door to the back end. It picks the transport (Electron preload bridge, or
// HTTP + WebSocket in a browser) and exposes typed verbs that resolve to values or throw ApiCallError.
// Components and state classes import this module only; nothing else touches fetch, WebSocket or window.mailwright.
import type {
  CallArgs,
  CallName,
  CallResult,
  DesktopCallArgs,
  DesktopCallName,
  DesktopCallResults,
  EventEnvelope,
  EventName,
  Events,
} from '../../../src-shared/contract/index.js';
import type { ImportResult } from '../../../src-shared/types.js';
import type { Result } from '../../../src-shared/errors.js';
import { desktopPreviewUrl, httpRoutes, type MailwrightBridge, type PreviewView } from '../../../src-shared/bridge.js';
import { ApiCallError } from './api-error.js';
import { EventSocket, httpCall, postJson, type ConnectionState } from './api-http.js';

export { ApiCallError, errorText } from './api-error.js';
export type { ConnectionState } from './api-http.js';

const bridge: MailwrightBridge | undefined = typeof window !== 'undefined' ? window.mailwright : undefined;
const socket = bridge ? null : new EventSocket();

/** 'desktop' inside Electron (native dialogs available), 'browser' in serve mode. */
export const mode: 'desktop' | 'browser' = bridge ? 'desktop' : 'browser';

function unwrap<T>(result: Result<T>): T {
  if (result.ok) return result.value;
  throw new ApiCallError(result.error);
}

async function call<K extends CallName>(name: K, args: CallArgs<K>): Promise<CallResult<K>> {
  if (bridge) {
    return unwrap(await bridge.call(name, args));
  }
  return unwrap(await httpCall<CallResult<K>>(name, args));
}

async function desktopCall<K extends DesktopCallName>(
  name: K,
  args: DesktopCallArgs<K>,
): Promise<DesktopCallResults[K]> {
  if (!bridge) throw new ApiCallError({ code: 'unsupported', message: `${name} needs the desktop app` });
  return unwrap(await bridge.call(name, args));
}

export const api = {
  messages: {
    list: (args: CallArgs<'messages.list'>) => call('messages.list', args),
    get: (id: number) => call('messages.get', { id }),
    source: (id: number) => call('messages.source', { id }),
    remoteContentKey: (id: number) => call('messages.remoteContentKey', { id }),
    markRead: (ids: number[], read: boolean) => call('messages.markRead', { ids, read }),
    markAllRead: (query: string) => call('messages.markAllRead', query ? { query } : {}),
    delete: (ids: number[]) => call('messages.delete', { ids }),
    deleteAll: () => call('messages.deleteAll', {}),
  },
  settings: {
    get: () => call('settings.get', {}),
    update: (args: CallArgs<'settings.update'>) => call('settings.update', args),
    presets: () => call('settings.presets', {}),
    /** Tries a PostgreSQL database (the password in its own field, never sent back). */
    testStore: (url: string, password: string) => call('settings.testStore', password ? { url, password } : { url }),
  },
  /** The store the desktop app starts on next time (desktop only; serve mode names --store instead). */
  storeChoice: {
    get: () => desktopCall('desktop.getStore', {}),
    /** `password` undefined keeps the saved one for the same URL; null (or '') removes it. */
    set: (url: string | null, password?: string | null) =>
      desktopCall('desktop.setStore', password === undefined ? { url } : { url, password }),
  },
  listeners: {
    certificate: (id: string) => call('listeners.certificate', { id }),
  },
  server: {
    status: () => call('server.status', {}),
  },
  sessions: {
    list: (args: CallArgs<'sessions.list'>) => call('sessions.list', args),
    get: (id: number) => call('sessions.get', { id }),
  },
  metrics: {
    get: () => call('metrics.get', {}),
  },
  compose: {
    explainReply: (reply: string) => call('compose.explainReply', { reply }),
    profiles: () => call('compose.profiles.list', {}),
    profile: (id: string) => call('compose.profiles.get', { id }),
    createProfile: (profile: CallArgs<'compose.profiles.create'>['profile']) =>
      call('compose.profiles.create', { profile }),
    updateProfile: (id: string, profile: CallArgs<'compose.profiles.update'>['profile']) =>
      call('compose.profiles.update', { id, profile }),
    deleteProfile: (id: string) => call('compose.profiles.delete', { id }),
    presets: () => call('compose.profiles.presets', {}),
    exportProfiles: () => call('compose.profiles.export', {}),
    importProfiles: (file: CallArgs<'compose.profiles.import'>) => call('compose.profiles.import', file),
    testProfile: (id: string) => call('compose.profiles.test', { id }),
    send: (args: CallArgs<'compose.send'>) => call('compose.send', args),
    release: (args: CallArgs<'compose.release'>) => call('compose.release', args),
    generateDkim: (args: CallArgs<'compose.dkim.generate'>) => call('compose.dkim.generate', args),
    sends: (args: CallArgs<'compose.sends.list'>) => call('compose.sends.list', args),
    sendDetail: (id: number) => call('compose.sends.get', { id }),
    sendRaw: (id: number) => call('compose.sends.raw', { id }),
    replyCode: (code: string, enhanced?: string) =>
      call('compose.replyCode', { ...(code ? { code } : {}), ...(enhanced ? { enhanced } : {}) }),
    drafts: () => call('compose.drafts.list', {}),
    draft: (id: number) => call('compose.drafts.get', { id }),
    createDraft: (draft: CallArgs<'compose.drafts.create'>['draft']) => call('compose.drafts.create', { draft }),
    updateDraft: (id: number, draft: CallArgs<'compose.drafts.update'>['draft']) =>
      call('compose.drafts.update', { id, draft }),
    deleteDraft: (id: number) => call('compose.drafts.delete', { id }),
    draftFromMessage: (id: number) => call('compose.drafts.fromMessage', { id }),
    bulk: {
      start: (args: CallArgs<'compose.bulk.start'>) => call('compose.bulk.start', args),
      get: (id: string) => call('compose.bulk.get', { id }),
      list: () => call('compose.bulk.list', {}),
      cancel: (id: string) => call('compose.bulk.cancel', { id }),
      export: (id: string, format: 'csv' | 'json') => call('compose.bulk.export', { id, format }),
    },
  },
  checks: {
    message: (args: CallArgs<'checks.message'>) => call('checks.message', args),
    badges: (ids: number[]) => call('checks.badges', { ids }),
    spam: (id: number) => call('checks.spam', { id }),
    links: (args: CallArgs<'checks.links'>) => call('checks.links', args),
    domain: (domain: string, selector?: string) => call('checks.domain', selector ? { domain, selector } : { domain }),
    blocklists: (id: number, ip?: string) => call('checks.blocklists', ip ? { id, ip } : { id }),
    blocklistLookup: (target: string) => call('checks.blocklistLookup', { target }),
    address: (args: CallArgs<'checks.address'>) => call('checks.address', args),
  },
  diff: {
    messages: (args: CallArgs<'diff.messages'>) => call('diff.messages', args),
    sends: (args: CallArgs<'diff.sends'>) => call('diff.sends', args),
    visual: (args: CallArgs<'diff.visual'>) => call('diff.visual', args),
    screenshot: (args: CallArgs<'diff.screenshot'>) => call('diff.screenshot', args),
    accessibility: (id: number) => call('diff.accessibility', { id }),
    templateAccessibility: (path: string) => call('diff.templateAccessibility', { path }),
    templateScreenshot: (args: CallArgs<'diff.templateScreenshot'>) => call('diff.templateScreenshot', args),
    rendererStatus: () => call('diff.rendererStatus', {}),
    verdicts: (ids: number[]) => call('diff.verdicts', { ids }),
    approveBaseline: (args: CallArgs<'diff.approveBaseline'>) => call('diff.approveBaseline', args),
    listBaselines: () => call('diff.listBaselines', {}),
  },
  tags: {
    get: (ids: number[]) => call('tags.get', { ids }),
    set: (ids: number[], tags: string[]) => call('tags.set', { ids, tags }),
  },
  mailboxes: {
    list: (args: CallArgs<'mailboxes.list'> = {}) => call('mailboxes.list', args),
    messages: (args: CallArgs<'mailboxes.messages'>) => call('mailboxes.messages', args),
    newAddress: () => call('mailboxes.newAddress', {}),
  },
  templates: {
    list: () => call('templates.list', {}),
    render: (args: CallArgs<'templates.render'>) => call('templates.render', args),
    capture: (path: string) => call('templates.capture', { path }),
  },
  webhooks: {
    deliveries: (args: CallArgs<'webhooks.deliveries'>) => call('webhooks.deliveries', args),
  },
};

type Handler<K extends EventName> = (data: Events[K]) => void;

/** Subscribes to one push event; returns the unsubscribe function. */
export function onEvent<K extends EventName>(name: K, handler: Handler<K>): () => void {
  const listener = (e: EventEnvelope) => {
    if (e.event === name) handler(e.data as Events[K]);
  };
  if (bridge) return bridge.onEvent(listener);
  socket!.start();
  return socket!.onEvent(listener);
}

/** Connection state of the event stream; `reconnected` is true when events may have been missed. */
export function onConnection(handler: (state: ConnectionState, reconnected: boolean) => void): () => void {
  if (!socket) {
    handler('open', false);
    return () => {};
  }
  const off = socket.onState(handler);
  socket.start();
  return off;
}

/**
 * The preview document's URL; `remoteKey` (from messages.remoteContentKey) loads remote content, null blocks it.
 * `view` asks for the template's dark CSS, the forced inversion, or images blocked.
 */
export function previewUrl(id: number, remoteKey: string | null, view?: PreviewView): string {
  return bridge ? desktopPreviewUrl(id, remoteKey, view) : httpRoutes.preview(id, remoteKey, view);
}

export function rawUrl(id: number): string | null {
  return bridge ? null : httpRoutes.raw(id);
}

export function attachmentUrl(id: number, partId: string): string | null {
  return bridge ? null : httpRoutes.attachment(id, partId);
}

function clickDownload(href: string, filename: string): void {
  const a = document.createElement('a');
  a.href = href;
  a.download = filename;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
}

/** Saves the byte-exact .eml. Desktop: a native save dialog. Browser: a download. */
export async function downloadRaw(id: number): Promise<void> {
  if (bridge) {
    await desktopCall('desktop.saveRaw', { id });
    return;
  }
  clickDownload(httpRoutes.raw(id), `message-${id}.eml`);
}

/** Time for the browser to start reading a download's blob before its URL is revoked. */
const BLOB_URL_LIFETIME_MS = 60_000;

/** Saves text made in the renderer (an export) as a download, in the browser and the desktop window alike. */
export function saveText(content: string, filename: string, contentType: string): void {
  const url = URL.createObjectURL(new Blob([content], { type: contentType }));
  clickDownload(url, filename);
  setTimeout(() => URL.revokeObjectURL(url), BLOB_URL_LIFETIME_MS);
}

/** Saves the certificate a listener presents (PEM). Desktop: a native save dialog. Browser: a download. */
export async function saveCertificate(id: string): Promise<void> {
  if (bridge) {
    await desktopCall('desktop.saveCertificate', { id });
    return;
  }
  const { pem, filename } = await call('listeners.certificate', { id });
  const url = URL.createObjectURL(new Blob([pem], { type: 'application/x-pem-file' }));
  clickDownload(url, filename);
  setTimeout(() => URL.revokeObjectURL(url), BLOB_URL_LIFETIME_MS);
}

/**
 * Saves an export the core makes: the profiles (without their secrets) or a bulk run as CSV or JSON. Desktop: the
 * main process makes the bytes and writes them where a native save dialog says (the window blocks downloads).
 * Browser: the export is fetched and downloaded.
 */
export async function saveExport(
  what: { kind: 'profiles' } | { kind: 'bulk'; id: string; format: 'csv' | 'json' },
): Promise<void> {
  if (bridge) {
    await desktopCall('desktop.saveExport', what);
    return;
  }
  if (what.kind === 'profiles') {
    const profiles = await call('compose.profiles.export', {});
    saveText(JSON.stringify(profiles, null, 2), 'mailwright-profiles.json', 'application/json');
    return;
  }
  const file = await call('compose.bulk.export', { id: what.id, format: what.format });
  saveText(file.content, file.filename, file.contentType);
}

/** Saves a PNG given as base64 (a screenshot verb's result) as a download. */
export function savePng(base64: string, filename: string): void {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  const url = URL.createObjectURL(new Blob([bytes], { type: 'image/png' }));
  clickDownload(url, filename);
  setTimeout(() => URL.revokeObjectURL(url), BLOB_URL_LIFETIME_MS);
}

/** Desktop: the user picks one folder for all parts. Browser: one download per part. */
export async function saveAttachments(id: number, parts: { partId: string; safeFilename: string }[]): Promise<void> {
  if (parts.length === 0) return;
  if (bridge) {
    await desktopCall('desktop.saveAttachments', { id, partIds: parts.map((p) => p.partId) });
    return;
  }
  for (const part of parts) clickDownload(httpRoutes.attachment(id, part.partId), part.safeFilename);
}

/** Asks the user for .eml / mbox files and imports them; null when the user cancelled. */
export async function importFiles(): Promise<ImportResult | null> {
  if (bridge) return desktopCall('desktop.importFiles', {});
  const files = await pickFiles('.eml,.mbox,.mbx,message/rfc822,application/mbox');
  if (files.length === 0) return null;
  const total: ImportResult = { imported: 0, ids: [], failed: [], failedCount: 0, bytesRead: 0 };
  for (const file of files) {
    // The File itself is the body: the browser streams it from disk, and the server imports as it reads.
    const result = unwrap(
      await postJson<ImportResult>(httpRoutes.import(file.name), file, 'application/octet-stream', 'rest'),
    );
    total.imported += result.imported;
    total.bytesRead += result.bytesRead;
    total.failedCount += result.failedCount;
    total.ids.push(...result.ids);
    total.failed.push(...result.failed);
  }
  return total;
}

function pickFiles(accept: string): Promise<File[]> {
  return new Promise((resolve) => {
    const input = document.createElement('input');
    input.type = 'file';
    input.multiple = true;
    input.accept = accept;
    input.addEventListener('change', () => resolve(Array.from(input.files ?? [])), { once: true });
    input.addEventListener('cancel', () => resolve([]), { once: true });
    input.click();
  });
}
