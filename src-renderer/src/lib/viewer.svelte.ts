// The open message: its detail, loading and error state, and which messages may load remote content.
// Remote content is allowed per message, for this session only, and only after the user asked: the back end then
// hands over the message's remote-content key, which the preview URL must carry (a link in the message cannot).
import { SvelteMap } from 'svelte/reactivity';
import type { MessageDetail } from '../../../src-shared/types.js';
import { api, errorText, onConnection, onEvent } from './api.js';

export class Viewer {
  #detail = $state<MessageDetail | null>(null);
  #loading = $state(false);
  #error = $state<string | null>(null);
  readonly #remoteKeys = new SvelteMap<number, string>();
  #id: number | null = null;
  #seq = 0;
  readonly #onRead: (id: number) => void;

  constructor(onRead: (id: number) => void) {
    this.#onRead = onRead;
  }

  get detail(): MessageDetail | null {
    return this.#detail;
  }
  get loading(): boolean {
    return this.#loading;
  }
  get error(): string | null {
    return this.#error;
  }

  /** The key that lets this message's preview load remote content; null while remote content is blocked. */
  remoteKey(id: number): string | null {
    return this.#remoteKeys.get(id) ?? null;
  }

  /** Fetches the message's remote-content key; the preview loads remote content once it is here. Throws ApiCallError. */
  async allowRemote(id: number): Promise<void> {
    const { key } = await api.messages.remoteContentKey(id);
    this.#remoteKeys.set(id, key);
  }

  start(): () => void {
    const offs = [
      onEvent('messages.updated', (d) => {
        // Parsing may finish after the message was opened: show the derived data when it lands.
        if (this.#id !== null && d.ids.includes(this.#id)) void this.#load(this.#id, false);
      }),
      onConnection((state, reconnected) => {
        // A reconnect may mean a restarted back end, whose new secret refuses the keys held here. Forgetting them
        // shows "blocked" over a blocked preview, rather than "loaded" over a refused one; the user asks again.
        if (state === 'open' && reconnected) this.#remoteKeys.clear();
      }),
    ];
    return () => offs.forEach((off) => off());
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
