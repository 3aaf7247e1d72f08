// Sessions view state: the filter, one page of recorded SMTP sessions (newest first) and the open transcript.
// A 'sessions.added' push asks for a coalesced refetch; nothing here polls.
import type { SessionDetail, SessionSummary } from '../../../src-shared/types.js';
import { api, errorText, onConnection, onEvent } from './api.js';
import { Coalescer } from './coalesce.js';

export type SessionFilter = 'all' | 'authFailures' | 'rejected';

/** Sessions shown at once; the view is a log to scan, paging further back is "Older". */
export const SESSION_PAGE_SIZE = 100;
/** A flood of sessions refreshes the list at most this often. */
const REFRESH_WINDOW_MS = 200;

export class Sessions {
  #filter = $state<SessionFilter>('all');
  #client = $state('');
  /** What is typed in the address box; it becomes the filter after a pause (see setClient). */
  #draft = $state('');
  #offset = $state(0);
  #rows = $state<SessionSummary[]>([]);
  #total = $state(0);
  #loaded = $state(false);
  #error = $state<string | null>(null);
  #selectedId = $state<number | null>(null);
  #detail = $state<SessionDetail | null>(null);
  #detailError = $state<string | null>(null);
  #gen = 0;
  readonly #coalescer = new Coalescer(() => this.#load(), REFRESH_WINDOW_MS);

  get filter(): SessionFilter {
    return this.#filter;
  }
  get client(): string {
    return this.#client;
  }
  get draft(): string {
    return this.#draft;
  }
  set draft(text: string) {
    this.#draft = text;
  }
  get offset(): number {
    return this.#offset;
  }
  get rows(): SessionSummary[] {
    return this.#rows;
  }
  get total(): number {
    return this.#total;
  }
  get loaded(): boolean {
    return this.#loaded;
  }
  get error(): string | null {
    return this.#error;
  }
  get selectedId(): number | null {
    return this.#selectedId;
  }
  get detail(): SessionDetail | null {
    return this.#detail;
  }
  get detailError(): string | null {
    return this.#detailError;
  }

  start(): () => void {
    const refresh = () => this.#coalescer.request();
    const offs = [
      onEvent('sessions.added', refresh),
      onConnection((state, reconnected) => {
        if (state === 'open' && reconnected) refresh();
      }),
    ];
    void this.#load();
    return () => offs.forEach((off) => off());
  }

  setFilter(filter: SessionFilter): void {
    if (filter === this.#filter) return;
    this.#filter = filter;
    this.#offset = 0;
    void this.#load();
  }

  setClient(address: string): void {
    if (address === this.#client) return;
    this.#client = address;
    this.#offset = 0;
    void this.#load();
  }

  page(delta: number): void {
    const next = Math.max(0, this.#offset + delta * SESSION_PAGE_SIZE);
    if (next === this.#offset || next >= Math.max(1, this.#total)) return;
    this.#offset = next;
    void this.#load();
  }

  /** Closes the open transcript: the address names no session (Back to `#/sessions`). */
  clearSelection(): void {
    this.#selectedId = null;
    this.#detail = null;
    this.#detailError = null;
  }

  async select(id: number): Promise<void> {
    this.#selectedId = id;
    this.#detailError = null;
    try {
      const detail = await api.sessions.get(id);
      if (this.#selectedId === id) this.#detail = detail;
    } catch (err) {
      if (this.#selectedId === id) this.#detailError = errorText(err);
    }
  }

  async #load(): Promise<void> {
    const gen = ++this.#gen;
    try {
      const page = await api.sessions.list({
        filter: this.#filter,
        ...(this.#client ? { clientAddress: this.#client } : {}),
        limit: SESSION_PAGE_SIZE,
        offset: this.#offset,
      });
      if (gen !== this.#gen) return;
      this.#rows = page.sessions;
      this.#total = page.total;
      this.#loaded = true;
      this.#error = null;
    } catch (err) {
      if (gen === this.#gen) this.#error = errorText(err);
    }
  }
}
