// The open message: its detail, loading and error state, and which messages may load remote content.
// Remote content is allowed per message, for this session only, and only after the user asked.
import { SvelteSet } from 'svelte/reactivity';
import type { MessageDetail } from '../../../src-shared/types.js';
import { api, errorText, onEvent } from './api.js';

export class Viewer {
  #detail = $state<MessageDetail | null>(null);
  #loading = $state(false);
  #error = $state<string | null>(null);
  readonly #remoteAllowed = new SvelteSet<number>();
  #id: number | null = null;
  #seq = 0;
  readonly #onRead: (id: number) => void;

  constructor(onRead: (id: number) => void) {
    this.#onRead = onRead;
  }

  get detail(): MessageDetail | null { return this.#detail; }
  get loading(): boolean { return this.#loading; }
  get error(): string | null { return this.#error; }

  remoteAllowed(id: number): boolean {
    return this.#remoteAllowed.has(id);
  }

  allowRemote(id: number): void {
    this.#remoteAllowed.add(id);
  }

  start(): () => void {
    return onEvent('messages.updated', (d) => {
      // Parsing may finish after the message was opened: show the derived data when it lands.
      if (this.#id !== null && d.ids.includes(this.#id)) void this.#load(this.#id, false);
    });
  }

  /** Opens a message (null closes the view) and marks it read. */
  open(id: number | null): void {
    if (id === this.#id) return;
    this.#id = id;
    if (id === null) {
      this.#seq++;
      this.#detail = null;
      this.#error = null;
      this.#loading = false;
      return;
    }
    void this.#load(id, true);
  }

  async #load(id: number, markRead: boolean): Promise<void> {
    const seq = ++this.#seq;
    if (markRead) this.#loading = true;
    try {
      const detail = await api.messages.get(id);
      if (seq !== this.#seq) return;
      this.#detail = detail;
      this.#error = null;
      if (markRead && !detail.read) void this.#markRead(id);
    } catch (err) {
      if (seq === this.#seq) {
        this.#detail = null;
        this.#error = errorText(err);
      }
    } finally {
      if (seq === this.#seq) this.#loading = false;
    }
  }

  async #markRead(id: number): Promise<void> {
    this.#onRead(id);
    try {
      await api.messages.markRead([id], true);
    } catch (err) {
      // The message stays open; the next refetch shows it unread again, which is the truth.
      console.warn('[viewer] mark read failed:', err);
    }
  }
}
