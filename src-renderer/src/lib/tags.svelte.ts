// The tags of the messages on screen: fetched for the rows the list shows (one call per burst of rows), kept
// while they are shown, and re-fetched when the back end says they changed (a rule, the Mailpit API, another tab).
import { api, onEvent } from './api.js';

/** Rows asked for in one call; the contract's page budget. */
const MAX_IDS_PER_CALL = 1000;

export class MessageTags {
  #byId: Record<number, string[]> = $state({});
  #wanted = new Set<number>();
  #scheduled = false;
  #error: string | null = $state(null);

  /** The tags of one message as last fetched (none until they are). */
  of(id: number): string[] {
    return this.#byId[id] ?? [];
  }

  get error(): string | null {
    return this.#error;
  }

  /** Asks for the tags of these messages; rows asked for in the same turn share one call. */
  want(ids: readonly number[]): void {
    for (const id of ids) if (!(id in this.#byId)) this.#wanted.add(id);
    this.#schedule();
  }

  /** Replaces one message's tags (by hand, from the message view). */
  async set(id: number, tags: string[]): Promise<void> {
    await api.tags.set([id], tags);
    await this.#fetch([id]);
  }

  /** Follows tag changes made elsewhere; returns the unsubscribe function. */
  start(): () => void {
    return onEvent('tags.changed', (change) => {
      const ids = 'all' in change ? Object.keys(this.#byId).map(Number) : change.ids;
      for (const id of ids) this.#wanted.add(id);
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#scheduled || this.#wanted.size === 0) return;
    this.#scheduled = true;
    queueMicrotask(() => {
      this.#scheduled = false;
      const ids = [...this.#wanted].slice(0, MAX_IDS_PER_CALL);
      for (const id of ids) this.#wanted.delete(id);
      void this.#fetch(ids).finally(() => this.#schedule());
    });
  }

  async #fetch(ids: number[]): Promise<void> {
    if (ids.length === 0) return;
    try {
      const { messages } = await api.tags.get(ids);
      const next = { ...this.#byId };
      for (const m of messages) next[m.id] = m.tags;
      this.#byId = next;
      this.#error = null;
    } catch (err) {
      this.#error = err instanceof Error ? err.message : String(err);
    }
  }
}
