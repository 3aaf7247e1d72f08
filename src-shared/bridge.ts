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

/**
 * The designer preview's colour forms, each what it says: `dark` applies the template's own
 * `prefers-color-scheme: dark` CSS (clients that honour it: Apple Mail, iOS); `inverted` inverts every colour
 * but images (an approximation of clients that force dark: Gmail apps, Outlook).
 */
export const PREVIEW_SCHEMES = ['light', 'dark', 'inverted'] as const;
export type PreviewScheme = (typeof PREVIEW_SCHEMES)[number];

/** How the preview shows a message: its colour form, and images on or blocked (alt text shown). */
export interface PreviewView {
  scheme: PreviewScheme;
  images: 'on' | 'off';
}

export const DEFAULT_PREVIEW_VIEW: PreviewView = { scheme: 'light', images: 'on' };

/** remote= of a preview URL: the message's key from messages.remoteContentKey loads remote content, null blocks it. */
function remoteParam(remoteKey: string | null): string {
  return `remote=${remoteKey === null ? '0' : encodeURIComponent(remoteKey)}`;
}

/** scheme= and images= of a preview URL; nothing for the default view, so plain preview URLs stay as they were. */
function viewParams(view: PreviewView | undefined): string {
  if (!view) return '';
  return (
    (view.scheme === 'light' ? '' : `&scheme=${view.scheme}`) + (view.images === 'on' ? '' : `&images=${view.images}`)
  );
}

/** The view a preview URL asks for; a value it does not know is an error naming the parameter. */
export function parsePreviewView(
  get: (name: string) => string | null,
): { ok: true; view: PreviewView } | { ok: false; field: string; message: string } {
  const scheme = get('scheme') ?? 'light';
  const images = get('images') ?? 'on';
  if (!(PREVIEW_SCHEMES as readonly string[]).includes(scheme))
    return { ok: false, field: 'scheme', message: `scheme must be one of ${PREVIEW_SCHEMES.join(', ')}` };
  if (images !== 'on' && images !== 'off') return { ok: false, field: 'images', message: 'images must be on or off' };
  return { ok: true, view: { scheme: scheme as PreviewScheme, images } };
}

export function desktopPreviewUrl(id: number, remoteKey: string | null, view?: PreviewView): string {
  return `${PREVIEW_SCHEME}://message/${id}?${remoteParam(remoteKey)}${viewParams(view)}`;
}

/** HTTP routes the renderer uses in a browser; the serve binding implements them. */
export const httpRoutes = {
  call: (name: string) => `/api/call/${encodeURIComponent(name)}`,
  events: '/api/events',
  raw: (id: number) => `/api/messages/${id}/raw`,
  attachment: (id: number, partId: string) => `/api/messages/${id}/attachments/${encodeURIComponent(partId)}`,
  preview: (id: number, remoteKey: string | null, view?: PreviewView) =>
    `/api/messages/${id}/preview?${remoteParam(remoteKey)}${viewParams(view)}`,
  import: (filename: string) => `/api/messages/import?filename=${encodeURIComponent(filename)}`,
} as const;

/** The line `serve` prints once every listener is up; tests and scripts parse it. */
export const READY_PREFIX = 'MAILWRIGHT_READY ';
export interface ReadyInfo {
  http: string;
  smtp: { id: string; host: string; port: number; tls: TlsMode }[];
  dataDir: string;
}
