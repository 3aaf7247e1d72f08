// Server status for the status bar and the empty state: listeners, counts, and the event stream's health.
import type { ServerStatus } from '../../../src-shared/types.js';
import { api, errorText, onConnection, onEvent, type ConnectionState } from './api.js';
import { Coalescer } from './coalesce.js';

/** Counts in the status bar may lag a burst by this much; they are not worth more calls. */
const COUNT_REFRESH_MS = 250;

export class StatusState {
  #status = $state<ServerStatus | null>(null);
  #connection = $state<ConnectionState>('connecting');
  #error = $state<string | null>(null);
  readonly #coalescer = new Coalescer(() => this.#load(), COUNT_REFRESH_MS);

  get status(): ServerStatus | null {
    return this.#status;
  }
  get connection(): ConnectionState {
    return this.#connection;
  }
  get error(): string | null {
    return this.#error;
  }

  start(): () => void {
    const refresh = () => this.#coalescer.request();
    const offs = [
      onEvent('server.status', (s) => {
        this.#status = s;
      }),
      onEvent('messages.added', refresh),
      onEvent('messages.deleted', refresh),
      onEvent('messages.cleared', refresh),
      onEvent('messages.pruned', refresh),
      onConnection((state, reconnected) => {
        this.#connection = state;
        if (state === 'open' && reconnected) refresh();
      }),
    ];
    void this.#load();
    return () => offs.forEach((off) => off());
  }

  async #load(): Promise<void> {
    try {
      this.#status = await api.server.status();
      this.#error = null;
    } catch (err) {
      this.#error = errorText(err);
    }
  }
}
