// The Checks area of one message: its offline checks (cached by the core, re-run on demand), a "what if it came
// from IP x" run, the SpamAssassin report asked for on demand, and the clients the compatibility score uses
// (remembered in this browser).
import type { CheckBadges, MessageChecks, SpamReport } from '../../../src-shared/contract/index.js';
import { api, errorText } from './api.js';

export const CHECK_TABS = ['auth', 'lint', 'spam', 'compat'] as const;
export type CheckTab = (typeof CHECK_TABS)[number];

const CLIENTS_KEY = 'mailwright.checks.clients';
/** What the compatibility score uses until the user picks: the families most mail is read in. */
export const DEFAULT_CLIENTS = ['apple-mail.*', 'gmail.*', 'outlook.*', 'yahoo.*', 'samsung-email.*', 'thunderbird.*'];
/** A stored choice longer than this is not one a person made. */
const MAX_STORED_CLIENTS = 64;

function isClientList(v: unknown): v is string[] {
  return (
    Array.isArray(v) &&
    v.length > 0 &&
    v.length <= MAX_STORED_CLIENTS &&
    v.every((c) => typeof c === 'string' && /^[a-z*][a-z0-9*.-]{0,63}$/.test(c))
  );
}

function loadClients(): string[] {
  try {
    const v: unknown = JSON.parse(globalThis.localStorage?.getItem(CLIENTS_KEY) ?? 'null');
    return isClientList(v) ? v : [...DEFAULT_CLIENTS];
  } catch {
    return [...DEFAULT_CLIENTS];
  }
}

export class MessageChecksState {
  #id = $state<number | null>(null);
  #result = $state<MessageChecks | null>(null);
  #spam = $state<SpamReport | null>(null);
  #loading = $state(false);
  #spamLoading = $state(false);
  #error = $state<string | null>(null);
  #tab = $state<CheckTab>('auth');
  #clients = $state<string[]>(loadClients());
  /** Answers to an older message or request are dropped. */
  #generation = 0;

  get id(): number | null {
    return this.#id;
  }
  get result(): MessageChecks | null {
    return this.#result;
  }
  get spam(): SpamReport | null {
    return this.#spam;
  }
  get loading(): boolean {
    return this.#loading;
  }
  get spamLoading(): boolean {
    return this.#spamLoading;
  }
  get error(): string | null {
    return this.#error;
  }
  get tab(): CheckTab {
    return this.#tab;
  }
  set tab(tab: CheckTab) {
    this.#tab = tab;
  }
  get clients(): string[] {
    return this.#clients;
  }

  /** Opens a message's checks (the cached ones when the core has them). */
  async open(id: number): Promise<void> {
    if (id === this.#id && (this.#result || this.#loading)) return;
    this.#id = id;
    this.#result = null;
    this.#spam = null;
    await this.#run({});
  }

  /** Runs every offline check again (the cache is replaced). */
  rerun(): Promise<void> {
    return this.#run({ refresh: true });
  }

  /** SPF and DMARC as if the message came from `ip` (not cached). */
  whatIf(ip: string, mailFrom: string): Promise<void> {
    const args: { ip?: string; mailFrom?: string } = {};
    if (ip.trim()) args.ip = ip.trim();
    if (mailFrom.trim()) args.mailFrom = mailFrom.trim();
    return this.#run(args);
  }

  async setClients(clients: string[]): Promise<void> {
    const list = clients.map((c) => c.trim().toLowerCase()).filter(Boolean);
    if (!isClientList(list)) {
      this.#error = 'Give at least one client as caniemail names it, like outlook.* or gmail.android.';
      return;
    }
    this.#clients = list;
    globalThis.localStorage?.setItem(CLIENTS_KEY, JSON.stringify(list));
    await this.#run({});
  }

  async runSpam(): Promise<void> {
    const id = this.#id;
    if (id === null) return;
    const generation = this.#generation;
    this.#spamLoading = true;
    try {
      const report = await api.checks.spam(id);
      if (generation === this.#generation) this.#spam = report;
    } catch (err) {
      if (generation === this.#generation) this.#error = errorText(err);
    } finally {
      if (generation === this.#generation) this.#spamLoading = false;
    }
  }

  async #run(extra: { refresh?: boolean; ip?: string; mailFrom?: string }): Promise<void> {
    const id = this.#id;
    if (id === null) return;
    const generation = ++this.#generation;
    this.#loading = true;
    this.#spamLoading = false;
    this.#error = null;
    try {
      const result = await api.checks.message({ id, clients: this.#clients, ...extra });
      if (generation === this.#generation) this.#result = result;
    } catch (err) {
      if (generation === this.#generation) this.#error = errorText(err);
    } finally {
      if (generation === this.#generation) this.#loading = false;
    }
  }
}

/** The inbox's small badges: read from the core's cache only, for the ids on screen. */
export async function loadBadges(ids: number[]): Promise<Map<number, CheckBadges>> {
  if (ids.length === 0) return new Map();
  const { badges } = await api.checks.badges(ids);
  return new Map(badges.map((b) => [b.id, b]));
}
