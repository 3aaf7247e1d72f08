// Live figures for the dashboard strip: refetched (coalesced) when sessions or messages arrive, and every
// few seconds while shown so the active-connections gauge and the per-minute rate keep moving.
import type { LiveFigures } from '../../../src-shared/types.js';
import { api, errorText, onEvent } from './api.js';
import { Coalescer } from './coalesce.js';

/** At most one refetch per second during a flood: the strip is a glance, not a trace. */
const REFRESH_WINDOW_MS = 1000;
/** The gauge changes without any push (a client connects and idles); a slow poll catches that. */
const POLL_MS = 5000;

export class Metrics {
  #figures = $state<LiveFigures | null>(null);
  #error = $state<string | null>(null);
  readonly #coalescer = new Coalescer(() => this.#load(), REFRESH_WINDOW_MS);

  get figures(): LiveFigures | null {
    return this.#figures;
  }
  get error(): string | null {
    return this.#error;
  }

  start(): () => void {
    const refresh = () => this.#coalescer.request();
    const offs = [onEvent('sessions.added', refresh), onEvent('messages.added', refresh)];
    const timer = setInterval(refresh, POLL_MS);
    void this.#load();
    return () => {
      clearInterval(timer);
      offs.forEach((off) => off());
    };
  }

  async #load(): Promise<void> {
    try {
      this.#figures = await api.metrics.get();
      this.#error = null;
    } catch (err) {
      this.#error = errorText(err);
    }
  }
}
