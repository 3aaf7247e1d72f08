// Inbox state: the current search, a page cache for the virtualized list, the selection and unread counts.
// Pushes only say that something changed; the inbox re-fetches the pages on screen, coalescing bursts.
import type { MessageSummary } from '../../../src-shared/types.js';
import { api, errorText, onConnection, onEvent } from './api.js';
import { Coalescer } from './coalesce.js';

/** Rows per list call; small enough to return fast, big enough that scrolling rarely waits. */
export const PAGE_SIZE = 100;
/** Cached pages kept around the viewport (~4,000 summaries): bounded memory even at 100,000 messages. */
const MAX_CACHED_PAGES = 40;
/** Burst window: at most one refetch per 50 ms, so one new message still shows well within 200 ms. */
const REFRESH_WINDOW_MS = 50;

interface Page {
  gen: number;
  rows: MessageSummary[];
}

export class Inbox {
  #query = $state('');
  #total = $state(0);
  #unread = $state(0);
  #loaded = $state(false);
  #error = $state<string | null>(null);
  #selectedId = $state<number | null>(null);
  #selectedIndex = $state(-1);
  /** Bumped whenever the page cache changes; rows read it so the list re-renders. */
  #rev = $state(0);

  readonly #pages = new Map<number, Page>();
  readonly #inflight = new Map<number, number>();
  #gen = 0;
  #range = { start: 0, end: 0 };
  #pendingIndex: number | null = null;
  readonly #coalescer = new Coalescer(() => this.#refetchVisible(), REFRESH_WINDOW_MS);

  get query(): string {
    return this.#query;
  }
  get total(): number {
    return this.#total;
  }
  get unread(): number {
    return this.#unread;
  }
  /** False until the first list call answered. */
  get loaded(): boolean {
    return this.#loaded;
  }
  get error(): string | null {
    return this.#error;
  }
  get selectedId(): number | null {
    return this.#selectedId;
  }
  get selectedIndex(): number {
    return this.#selectedIndex;
  }

  /** Subscribes to pushes; returns the unsubscribe function. */
  start(): () => void {
    const refresh = () => this.refresh();
    const offs = [
      onEvent('messages.added', refresh),
      onEvent('messages.updated', refresh),
      onEvent('messages.pruned', (d) => this.#forget(d.ids)),
      onEvent('messages.deleted', (d) => this.#forget(d.ids)),
      onEvent('messages.cleared', () => {
        this.#selectedId = null;
        this.#selectedIndex = -1;
        refresh();
      }),
      onConnection((state, reconnected) => {
        if (state === 'open' && reconnected) refresh();
      }),
    ];
    void this.#refetchVisible();
    return () => offs.forEach((off) => off());
  }

  row(index: number): MessageSummary | undefined {
    void this.#rev;
    return this.#pages.get(Math.floor(index / PAGE_SIZE))?.rows[index % PAGE_SIZE];
  }

  /** The list tells us which rows are on screen (end exclusive); missing or stale pages are fetched. */
  setRange(start: number, end: number): void {
    this.#range = { start, end };
    for (const p of this.#pagesInRange()) {
      const page = this.#pages.get(p);
      if ((!page || page.gen < this.#gen) && this.#inflight.get(p) !== this.#gen) void this.#fetchPage(p, this.#gen);
    }
  }

  setQuery(query: string): void {
    if (query === this.#query) return;
    this.#query = query;
    this.#gen++;
    this.#pages.clear();
    this.#rev++;
    this.#selectedIndex = -1;
    this.setRange(0, Math.max(1, this.#range.end - this.#range.start));
  }

  /** Asks for a coalesced refetch of what is on screen. */
  refresh(): void {
    this.#coalescer.request();
  }

  /** Selects a message; an index of -1 (opened by address or link) is found in the cached pages, or on the next fetch. */
  select(id: number, index: number): void {
    this.#pendingIndex = null;
    this.#selectedId = id;
    this.#selectedIndex = index >= 0 ? index : this.#indexOf(id);
  }

  /** Selects a row by position (keyboard); fetches its page first when needed. */
  selectIndex(index: number): void {
    if (this.#total === 0) return;
    const clamped = Math.max(0, Math.min(this.#total - 1, index));
    const row = this.row(clamped);
    if (row) return this.select(row.id, clamped);
    this.#pendingIndex = clamped;
    this.#selectedIndex = clamped;
    const p = Math.floor(clamped / PAGE_SIZE);
    if (this.#inflight.get(p) !== this.#gen) void this.#fetchPage(p, this.#gen);
  }

  clearSelection(): void {
    this.#selectedId = null;
    this.#selectedIndex = -1;
    this.#pendingIndex = null;
  }

  /** Marks a row read in the cache at once; the push that follows confirms it. */
  markedRead(id: number): void {
    for (const page of this.#pages.values()) {
      const i = page.rows.findIndex((r) => r.id === id);
      const row = page.rows[i];
      if (row && !row.read) {
        page.rows[i] = { ...row, read: true };
        this.#unread = Math.max(0, this.#unread - 1);
        this.#rev++;
      }
    }
  }

  /** Deletes the selected message and selects the one that takes its place. */
  async deleteSelected(): Promise<void> {
    const id = this.#selectedId;
    if (id === null) return;
    const index = this.#selectedIndex;
    await api.messages.delete([id]);
    this.#selectedId = null;
    this.#pendingIndex = index;
    await this.#refetchVisible();
  }

  /** Marks every unread message of the current search read (the whole inbox with no search). */
  async markAllRead(): Promise<number> {
    const { updated } = await api.messages.markAllRead(this.#query);
    await this.#refetchVisible();
    return updated;
  }

  async deleteAll(): Promise<number> {
    const { deleted } = await api.messages.deleteAll();
    this.clearSelection();
    await this.#refetchVisible();
    return deleted;
  }

  #forget(ids: number[]): void {
    if (this.#selectedId !== null && ids.includes(this.#selectedId)) this.clearSelection();
    this.refresh();
  }

  #pagesInRange(): number[] {
    const first = Math.floor(this.#range.start / PAGE_SIZE);
    const last = Math.floor(Math.max(this.#range.start, this.#range.end - 1) / PAGE_SIZE);
    const pages: number[] = [];
    for (let p = first; p <= last; p++) pages.push(p);
    return pages;
  }

  async #refetchVisible(): Promise<void> {
    const gen = ++this.#gen;
    await Promise.all(this.#pagesInRange().map((p) => this.#fetchPage(p, gen)));
  }

  async #fetchPage(p: number, gen: number): Promise<void> {
    this.#inflight.set(p, gen);
    try {
      const page = await api.messages.list({
        ...(this.#query ? { query: this.#query } : {}),
        offset: p * PAGE_SIZE,
        limit: PAGE_SIZE,
      });
      if (gen !== this.#gen) return;
      this.#pages.set(p, { gen, rows: page.messages });
      this.#total = page.total;
      this.#unread = page.unread;
      this.#loaded = true;
      this.#error = null;
      this.#evict();
      this.#syncSelection();
      this.#rev++;
    } catch (err) {
      if (gen === this.#gen) this.#error = errorText(err);
    } finally {
      if (this.#inflight.get(p) === gen) this.#inflight.delete(p);
    }
  }

  #syncSelection(): void {
    if (this.#pendingIndex !== null) {
      if (this.#total === 0) {
        this.clearSelection();
        return;
      }
      const index = Math.min(this.#pendingIndex, this.#total - 1);
      const row = this.row(index);
      if (row) this.select(row.id, index);
      else if (index !== this.#pendingIndex) this.selectIndex(index);
      return;
    }
    if (this.#selectedId === null) return;
    // A new message at the top shifts every row: keep the selection on the same message.
    const index = this.#indexOf(this.#selectedId);
    if (index >= 0) this.#selectedIndex = index;
  }

  /** The row of a message in the cached pages, or -1. */
  #indexOf(id: number): number {
    for (const [p, page] of this.#pages) {
      const i = page.rows.findIndex((r) => r.id === id);
      if (i >= 0) return p * PAGE_SIZE + i;
    }
    return -1;
  }

  #evict(): void {
    if (this.#pages.size <= MAX_CACHED_PAGES) return;
    const centre = Math.floor(this.#range.start / PAGE_SIZE);
    const byDistance = [...this.#pages.keys()].sort((a, b) => Math.abs(b - centre) - Math.abs(a - centre));
    for (const p of byDistance.slice(0, this.#pages.size - MAX_CACHED_PAGES)) this.#pages.delete(p);
  }
}
