// The send history: every attempt, newest first, searchable and filtered by outcome; one opens with its report,
// transcript and the exact bytes sent, and can be compared with another send (the diff capability's diff.sends).
// A 'compose.sent' push refreshes the list.
// Addresses: `#/history`, `#/history/<send id>`.
import type { MessageDiff, SendDetail, SendOutcome, SendSummary } from '../../../../src-shared/contract/index.js';
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
  #compareId = $state<number | null>(null);
  #diff = $state<MessageDiff | null>(null);
  #comparing = $state(false);
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
  get compareId(): number | null {
    return this.#compareId;
  }
  get diff(): MessageDiff | null {
    return this.#diff;
  }
  get comparing(): boolean {
    return this.#comparing;
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
    this.#compareId = null;
    this.#diff = null;
    try {
      const detail = await api.compose.sendDetail(id);
      if (this.#selectedId === id) this.#detail = detail;
    } catch (err) {
      this.#error = errorText(err);
    }
  }

  /** The open send (A) against another (B): null clears the comparison. */
  async compareWith(other: number | null): Promise<void> {
    const id = this.#selectedId;
    this.#compareId = other;
    this.#diff = null;
    if (id === null || other === null) return;
    this.#comparing = true;
    try {
      const diff = await api.diff.sends({ a: id, b: other });
      if (this.#selectedId === id && this.#compareId === other) this.#diff = diff;
    } catch (err) {
      this.#error = `The sends could not be compared: ${errorText(err)}`;
    } finally {
      this.#comparing = false;
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
