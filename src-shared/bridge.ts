// What the renderer sees of the back end, whichever transport carries it.
// The Electron preload exposes exactly this object as `window.mailwright`; in a browser the
// renderer's API module builds the same shape over HTTP + WebSocket.
// Must not import electron, node or DOM modules.
import type {
  CallArgs,
  CallName,
  CallResult,
  DesktopCallArgs,
  DesktopCallName,
  DesktopCallResults,
  EventEnvelope,
} from './contract/index.js';
import type { Result } from './errors.js';
import type { TlsMode } from './settings.js';

export interface MailwrightBridge {
  readonly kind: 'desktop';
  /**
   * Any contract or desktop verb. The preload forwards the name as given and the main process checks it (and
   * validates the arguments), so the preload needs no list of names and carries no schemas.
   */
  call<K extends CallName>(name: K, args: CallArgs<K>): Promise<Result<CallResult<K>>>;
  call<K extends DesktopCallName>(name: K, args: DesktopCallArgs<K>): Promise<Result<DesktopCallResults[K]>>;
  /** Subscribes to every push event; returns the unsubscribe function. */
  onEvent(listener: (event: EventEnvelope) => void): () => void;
}

/** URL scheme the desktop shell serves message previews from (each response carries its own CSP). */
export const PREVIEW_SCHEME = 'mailwright-preview';

/** remote= of a preview URL: the message's key from messages.remoteContentKey loads remote content, null blocks it. */
function remoteParam(remoteKey: string | null): string {
  return `remote=${remoteKey === null ? '0' : encodeURIComponent(remoteKey)}`;
}

export function desktopPreviewUrl(id: number, remoteKey: string | null): string {
  return `${PREVIEW_SCHEME}://message/${id}?${remoteParam(remoteKey)}`;
}

/** HTTP routes the renderer uses in a browser; the serve binding implements them. */
export const httpRoutes = {
  call: (name: string) => `/api/call/${encodeURIComponent(name)}`,
  events: '/api/events',
  raw: (id: number) => `/api/messages/${id}/raw`,
  attachment: (id: number, partId: string) => `/api/messages/${id}/attachments/${encodeURIComponent(partId)}`,
  preview: (id: number, remoteKey: string | null) => `/api/messages/${id}/preview?${remoteParam(remoteKey)}`,
  import: (filename: string) => `/api/messages/import?filename=${encodeURIComponent(filename)}`,
} as const;

/** The line `serve` prints once every listener is up; tests and scripts parse it. */
export const READY_PREFIX = 'MAILWRIGHT_READY ';
export interface ReadyInfo {
  http: string;
  smtp: { id: string; host: string; port: number; tls: TlsMode }[];
  dataDir: string;
}
