// The browser transport behind api.ts: contract calls over HTTP, push events over a WebSocket.
// Only api.ts imports this file; components never do.
import type { EventEnvelope, EventName } from '../../../src-shared/contract/index.js';
import { isApiError, type Result } from '../../../src-shared/errors.js';
import { httpRoutes } from '../../../src-shared/bridge.js';

/**
 * Event names we accept from the socket; anything else is dropped rather than trusted. Spelled as a record over
 * EventName, so an event added to the contract is a type error here until it is listed.
 */
const KNOWN_EVENTS: ReadonlySet<string> = new Set(
  Object.keys({
    'messages.added': 1,
    'messages.updated': 1,
    'messages.deleted': 1,
    'messages.cleared': 1,
    'messages.pruned': 1,
    'server.status': 1,
    'settings.changed': 1,
    'sessions.added': 1,
    'import.progress': 1,
    'compose.sent': 1,
    'compose.profiles.changed': 1,
    'compose.drafts.changed': 1,
    'compose.bulk.progress': 1,
    'checks.updated': 1,
    'diff.verdict': 1,
    'diff.baselinesChanged': 1,
    'tags.changed': 1,
    'webhooks.delivery': 1,
    'templates.changed': 1,
  } satisfies Record<EventName, 1>),
);
/** First reconnect waits this long; doubling after each failure. */
const RECONNECT_BASE_MS = 250;
/** A server that stays down is retried at this pace, not hammered. */
const RECONNECT_MAX_MS = 8000;

/** The call route answers with a Result; REST routes (import) answer with the value, or `{ error }` and a status. */
export async function postJson<T>(
  url: string,
  body: BodyInit,
  contentType: string,
  shape: 'result' | 'rest',
): Promise<Result<T>> {
  let response: Response;
  try {
    response = await fetch(url, { method: 'POST', headers: { 'content-type': contentType }, body });
  } catch (err) {
    return { ok: false, error: { code: 'unavailable', message: `server unreachable: ${String(err)}` } };
  }
  let parsed: unknown;
  try {
    parsed = await response.json();
  } catch {
    return { ok: false, error: { code: 'internal', message: `HTTP ${response.status}: response is not JSON` } };
  }
  if (shape === 'result') {
    if (isResult(parsed)) return parsed as Result<T>;
    return { ok: false, error: { code: 'internal', message: `HTTP ${response.status}: response is not a Result` } };
  }
  const error = (parsed as { error?: unknown } | null)?.error;
  if (!response.ok) {
    return isApiError(error)
      ? { ok: false, error }
      : { ok: false, error: { code: 'internal', message: `HTTP ${response.status}` } };
  }
  return { ok: true, value: parsed as T };
}

export function httpCall<T>(name: string, args: unknown): Promise<Result<T>> {
  return postJson<T>(httpRoutes.call(name), JSON.stringify(args ?? {}), 'application/json', 'result');
}

function isResult(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (v.ok === true && 'value' in v) || (v.ok === false && isApiError(v.error));
}

export type ConnectionState = 'connecting' | 'open' | 'reconnecting';

/** One WebSocket that reconnects with backoff; `onReconnect` fires after a gap so state can re-fetch. */
export class EventSocket {
  readonly #listeners = new Set<(event: EventEnvelope) => void>();
  readonly #stateListeners = new Set<(state: ConnectionState, reconnected: boolean) => void>();
  #socket: WebSocket | null = null;
  #attempt = 0;
  #everOpened = false;
  #timer: ReturnType<typeof setTimeout> | null = null;

  start(): void {
    if (this.#socket || this.#timer) return;
    this.#connect();
  }

  onEvent(listener: (event: EventEnvelope) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  onState(listener: (state: ConnectionState, reconnected: boolean) => void): () => void {
    this.#stateListeners.add(listener);
    return () => this.#stateListeners.delete(listener);
  }

  #connect(): void {
    this.#timer = null;
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const socket = new WebSocket(`${scheme}//${location.host}${httpRoutes.events}`);
    this.#socket = socket;
    socket.onopen = () => {
      const reconnected = this.#everOpened;
      this.#everOpened = true;
      this.#attempt = 0;
      this.#emitState('open', reconnected);
    };
    socket.onmessage = (message) => {
      const envelope = parseEnvelope(message.data);
      if (envelope) for (const l of this.#listeners) l(envelope);
    };
    socket.onclose = () => {
      this.#socket = null;
      this.#emitState('reconnecting', false);
      const delay = Math.min(RECONNECT_MAX_MS, RECONNECT_BASE_MS * 2 ** this.#attempt);
      this.#attempt = Math.min(this.#attempt + 1, 16);
      this.#timer = setTimeout(() => this.#connect(), delay);
    };
  }

  #emitState(state: ConnectionState, reconnected: boolean): void {
    for (const l of this.#stateListeners) l(state, reconnected);
  }
}

function parseEnvelope(data: unknown): EventEnvelope | null {
  if (typeof data !== 'string') return null;
  try {
    const value = JSON.parse(data) as unknown;
    if (typeof value !== 'object' || value === null) return null;
    const v = value as Record<string, unknown>;
    if (typeof v.event !== 'string' || !KNOWN_EVENTS.has(v.event) || typeof v.data !== 'object' || v.data === null)
      return null;
    return value as EventEnvelope;
  } catch {
    return null;
  }
}
