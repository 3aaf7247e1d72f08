// The mailboxes page: every envelope recipient as a mailbox, the open mailbox's messages, and new disposable
// addresses. Address: `#/mailboxes`, `#/mailboxes/<address>`. Counts follow new, read and deleted mail
// (re-fetched, coalesced).
import type { Mailbox, MessageSummary } from '../../../../src-shared/index.js';
import { api, errorText, onEvent } from '../../lib/api.js';
import { Coalescer } from '../../lib/coalesce.js';
import type { PageState } from '../../lib/page.js';

/** An address in the hash: something@something, as the mailboxes list gives it (encoded by the router). */
export function acceptsMailboxesPath(path: readonly string[]): boolean {
  return path.length === 0 || (path.length === 1 && /^[^@\s]+@[^@\s]+$/.test(path[0] ?? '') && path[0]!.length <= 256);
}

/** Messages shown for one mailbox; the inbox has the full list with search. */
const PAGE_SIZE = 200;
/** Bursts of mail become one re-fetch. */
const REFRESH_MS = 150;

export class MailboxesPage implements PageState {
  #mailboxes = $state<Mailbox[]>([]);
  #selected = $state<string | null>(null);
  #messages = $state<MessageSummary[]>([]);
  #total = $state(0);
  #foldPlus = $state(true);
  #error = $state<string | null>(null);
  #loaded = $state(false);

  get mailboxes(): Mailbox[] {
    return this.#mailboxes;
  }
  get selected(): string | null {
    return this.#selected;
  }
  get messages(): MessageSummary[] {
    return this.#messages;
  }
  get total(): number {
    return this.#total;
  }
  get foldPlus(): boolean {
    return this.#foldPlus;
  }
  get error(): string | null {
    return this.#error;
  }
  get loaded(): boolean {
    return this.#loaded;
  }

  get path(): string[] {
    return this.#selected === null ? [] : [this.#selected];
  }

  show(path: readonly string[]): void {
    const address = path[0] ?? null;
    if (address === this.#selected) return;
    this.#selected = address;
    void this.#loadMessages();
  }

  readonly #coalescer = new Coalescer(() => this.refresh(), REFRESH_MS);

  start(): () => void {
    const refresh = (): void => this.#coalescer.request();
    const stops = [
      onEvent('messages.added', refresh),
      onEvent('messages.updated', refresh),
      onEvent('messages.deleted', refresh),
      onEvent('messages.cleared', refresh),
      onEvent('messages.pruned', refresh),
    ];
    void this.refresh();
    return () => stops.forEach((stop) => stop());
  }

  async setFoldPlus(fold: boolean): Promise<void> {
    this.#foldPlus = fold;
    await this.refresh();
  }

  async refresh(): Promise<void> {
    try {
      const result = await api.mailboxes.list(this.#foldPlus);
      this.#mailboxes = result.mailboxes;
      this.#loaded = true;
      this.#error = null;
    } catch (err) {
      this.#error = errorText(err);
    }
    await this.#loadMessages();
  }

  /** A fresh random address; the page opens its (empty) mailbox, which fills as mail arrives. */
  async newAddress(): Promise<string | null> {
    try {
      const { address } = await api.mailboxes.newAddress();
      return address;
    } catch (err) {
      this.#error = errorText(err);
      return null;
    }
  }

  async #loadMessages(): Promise<void> {
    const address = this.#selected;
    if (address === null) {
      this.#messages = [];
      this.#total = 0;
      return;
    }
    try {
      const page = await api.mailboxes.messages({ address, foldPlus: this.#foldPlus, limit: PAGE_SIZE });
      if (address !== this.#selected) return;
      this.#messages = page.messages;
      this.#total = page.total;
    } catch (err) {
      this.#error = errorText(err);
    }
  }
}
