// The send history: every attempt, newest first, searchable and filtered by outcome; one opens with its report,
// transcript and the exact bytes sent. A 'compose.sent' push refreshes the list.
// Addresses: `#/history`, `#/history/<send id>`.
import type { SendDetail, SendOutcome, SendSummary } from '../../../../src-shared/contract/index.js';
import { api, errorText, onEvent } from '../../lib/api.js';
import { Coalescer } from '../../lib/coalesce.js';
import { parseId, type PageState } from '../../lib/page.js';

/** Sends shown at once: history is read from the newest, paging further is rarely needed. */
export const HISTORY_PAGE_SIZE = 200;
/** A bulk run's burst of sends refreshes the list at most this often. */
const REFRESH_WINDOW_MS = 250;

export function acceptsHistoryPath(path: readonly string[]): boolean {
  return path.length === 0 || (path.length === 1 && parseId(path[0]) !== null);
}

export class HistoryPage implements PageState {
  query = $state('');
  outcome = $state<'' | SendOutcome>('');
  #rows = $state<SendSummary[]>([]);
  #total = $state(0);
  #selectedId = $state<number | null>(null);
  #detail = $state<SendDetail | null>(null);
  #source = $state<string | null>(null);
  #error = $state<string | null>(null);
  #gen = 0;
  readonly #coalescer = new Coalescer(() => this.load(), REFRESH_WINDOW_MS);

  get path(): string[] {
    return this.#selectedId === null ? [] : [String(this.#selectedId)];
  }
  get rows(): SendSummary[] {
    return this.#rows;
  }
  get total(): number {
    return this.#total;
  }
  get selectedId(): number | null {
    return this.#selectedId;
  }
  get detail(): SendDetail | null {
    return this.#detail;
  }
  get source(): string | null {
    return this.#source;
  }
  get error(): string | null {
    return this.#error;
  }

  show(path: readonly string[]): void {
    const id = parseId(path[0]);
    if (id === null) {
      this.#selectedId = null;
      this.#detail = null;
    } else if (id !== this.#selectedId) void this.select(id);
  }

  start(): () => void {
    void this.load();
    return onEvent('compose.sent', () => this.#coalescer.request());
  }

  async load(): Promise<void> {
    const gen = ++this.#gen;
    try {
      const page = await api.compose.sends({
        ...(this.query.trim() ? { query: this.query.trim() } : {}),
        ...(this.outcome ? { outcome: this.outcome } : {}),
        limit: HISTORY_PAGE_SIZE,
      });
      if (gen !== this.#gen) return;
      this.#rows = page.sends;
      this.#total = page.total;
      this.#error = null;
    } catch (err) {
      if (gen === this.#gen) this.#error = errorText(err);
    }
  }

  async select(id: number): Promise<void> {
    this.#selectedId = id;
    this.#source = null;
    try {
      const detail = await api.compose.sendDetail(id);
      if (this.#selectedId === id) this.#detail = detail;
    } catch (err) {
      this.#error = errorText(err);
    }
  }

  /** The exact bytes sent, shown as text (latin1 where not UTF-8, so every byte shows). */
  async loadSource(): Promise<void> {
    const id = this.#selectedId;
    if (id === null) return;
    try {
      const { base64 } = await api.compose.sendRaw(id);
      const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      let text: string;
      try {
        text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
      } catch {
        text = new TextDecoder('latin1').decode(bytes);
      }
      if (this.#selectedId === id) this.#source = text;
    } catch (err) {
      this.#error = errorText(err);
    }
  }
}
