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
/** Mailboxes fetched per page; "Show more" fetches the next. Thousands of addresses never load at once. */
export const MAILBOX_PAGE = 200;
/** A refresh re-reads at most this many from the top (the contract's page budget); pages below stay as loaded. */
const MAX_REFRESH = 1000;
/** Bursts of mail become one re-fetch. */
const REFRESH_MS = 150;

export class MailboxesPage implements PageState {
  #mailboxes = $state<Mailbox[]>([]);
  #mailboxTotal = $state(0);
  #selected = $state<string | null>(null);
  #messages = $state<MessageSummary[]>([]);
  #total = $state(0);
  #foldPlus = $state(true);
  #error = $state<string | null>(null);
  #loaded = $state(false);

  get mailboxes(): Mailbox[] {
    return this.#mailboxes;
  }
  /** How many mailboxes there are (the list shows the first pages of them). */
  get mailboxTotal(): number {
    return this.#mailboxTotal;
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
    this.#mailboxes = [];
    await this.refresh();
  }

  async refresh(): Promise<void> {
    try {
      const limit = Math.min(MAX_REFRESH, Math.max(MAILBOX_PAGE, this.#mailboxes.length));
      const result = await api.mailboxes.list({ foldPlus: this.#foldPlus, limit });
      const below = this.#mailboxes.slice(limit).filter((b) => !result.mailboxes.some((m) => m.address === b.address));
      this.#mailboxes = [...result.mailboxes, ...below];
      this.#mailboxTotal = result.total;
      this.#loaded = true;
      this.#error = null;
    } catch (err) {
      this.#error = errorText(err);
    }
    await this.#loadMessages();
  }

  /** The next page of mailboxes, after those shown. */
  async showMore(): Promise<void> {
    try {
      const result = await api.mailboxes.list({
        foldPlus: this.#foldPlus,
        limit: MAILBOX_PAGE,
        offset: this.#mailboxes.length,
      });
      const shown = new Set(this.#mailboxes.map((m) => m.address));
      this.#mailboxes = [...this.#mailboxes, ...result.mailboxes.filter((m) => !shown.has(m.address))];
      this.#mailboxTotal = result.total;
      this.#error = null;
    } catch (err) {
      this.#error = errorText(err);
    }
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
