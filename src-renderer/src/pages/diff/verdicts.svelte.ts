// The baseline verdicts of inbox rows, for their badges: asked for in batches as rows appear, kept per message,
// and updated by `diff.verdict` pushes. One instance serves the whole list.
import { SvelteMap } from 'svelte/reactivity';
import type { Verdict } from '../../../../src-shared/contract/diff.js';
import { api, onEvent } from '../../lib/api.js';

/** Rows appear in bursts while scrolling; their ids are collected this long and asked for in one call. */
const BATCH_WINDOW_MS = 50;
/** The verb takes at most this many ids at once. */
const MAX_BATCH = 1000;

export class Verdicts {
  /** A verdict, or null for a message known to have none. */
  readonly #byId = new SvelteMap<number, Verdict | null>();
  readonly #pending = new Set<number>();
  #timer: ReturnType<typeof setTimeout> | null = null;
  /** Subscribed on first use and for the app's life: the list is always there. */
  #listening = false;

  of(id: number): Verdict | null {
    return this.#byId.get(id) ?? null;
  }

  /** Asks for the verdict of a row that is shown, unless it is known. */
  want(id: number): void {
    if (!this.#listening) {
      this.#listening = true;
      onEvent('diff.verdict', (v) => this.#byId.set(v.messageId, v));
    }
    if (this.#byId.has(id) || this.#pending.has(id)) return;
    this.#pending.add(id);
    if (this.#timer === null) this.#timer = setTimeout(() => void this.#flush(), BATCH_WINDOW_MS);
  }

  async #flush(): Promise<void> {
    this.#timer = null;
    const ids = [...this.#pending].slice(0, MAX_BATCH);
    for (const id of ids) this.#pending.delete(id);
    if (this.#pending.size > 0) this.#timer = setTimeout(() => void this.#flush(), BATCH_WINDOW_MS);
    try {
      const { verdicts } = await api.diff.verdicts(ids);
      for (const id of ids) if (!this.#byId.has(id)) this.#byId.set(id, null);
      for (const v of verdicts) this.#byId.set(v.messageId, v);
    } catch {
      // A badge is a hint: without an answer the row simply shows none, and the next time it appears it asks again.
    }
  }
}

export const verdicts = new Verdicts();
