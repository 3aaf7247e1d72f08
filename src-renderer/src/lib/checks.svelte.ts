// The Checks area of one message: its offline checks (cached by the core, re-run on demand), a "what if it came
// from IP x" run, the SpamAssassin report, the link check and the blocklists asked for on demand, and the clients
// the compatibility score uses: the `checks.compatClients` setting (what the inbox badge counts) until this
// browser picks others, remembered here until it goes back to the setting.
import type {
  BlocklistReport,
  CheckBadges,
  LinkReport,
  LinkResult,
  MessageChecks,
  SpamReport,
} from '../../../src-shared/contract/index.js';
import { api, errorText, onEvent } from './api.js';
import { Coalescer } from './coalesce.js';

export const CHECK_TABS = ['auth', 'lint', 'spam', 'compat', 'links', 'blocklists'] as const;
export type CheckTab = (typeof CHECK_TABS)[number];

const CLIENTS_KEY = 'mailwright.checks.clients';
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

/** This browser's own choice of clients, or null to use the setting's. */
function loadClients(): string[] | null {
  try {
    const v: unknown = JSON.parse(globalThis.localStorage?.getItem(CLIENTS_KEY) ?? 'null');
    return isClientList(v) ? v : null;
  } catch {
    return null;
  }
}

export class MessageChecksState {
  #id = $state<number | null>(null);
  #result = $state<MessageChecks | null>(null);
  #spam = $state<SpamReport | null>(null);
  #loading = $state(false);
  #spamLoading = $state(false);
  #links = $state<LinkReport | null>(null);
  #linksLoading = $state(false);
  /** One-time links the user confirmed for this message: checked again on every later run. */
  #confirmed = new Set<string>();
  /** Reach loopback and private addresses in the next link checks (per request; the setting is separate). */
  allowPrivate = $state(false);
  #blocklists = $state<BlocklistReport | null>(null);
  #blocklistsLoading = $state(false);
  #error = $state<string | null>(null);
  #tab = $state<CheckTab>('auth');
  /** This browser's choice; null follows the setting (the clients the last result was checked for). */
  #clients = $state<string[] | null>(loadClients());
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
  get links(): LinkReport | null {
    return this.#links;
  }
  get linksLoading(): boolean {
    return this.#linksLoading;
  }
  get blocklists(): BlocklistReport | null {
    return this.#blocklists;
  }
  get blocklistsLoading(): boolean {
    return this.#blocklistsLoading;
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
    return this.#clients ?? this.#result?.compat.clients ?? [];
  }
  /** True while the score uses the `checks.compatClients` setting rather than a choice made in this browser. */
  get clientsFromSetting(): boolean {
    return this.#clients === null;
  }

  /** Opens a message's checks (the cached ones when the core has them). */
  async open(id: number): Promise<void> {
    if (id === this.#id && (this.#result || this.#loading)) return;
    this.#id = id;
    this.#result = null;
    this.#spam = null;
    this.#links = null;
    this.#confirmed = new Set();
    this.#blocklists = null;
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

  /** Forgets this browser's choice: the score uses the setting's clients again. */
  async useSettingClients(): Promise<void> {
    this.#clients = null;
    globalThis.localStorage?.removeItem(CLIENTS_KEY);
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

  /** Checks every link and image URL; the one-time links confirmed before are checked too. */
  async runLinks(): Promise<void> {
    await this.#linkCall([...this.#confirmed], null);
  }

  /** Checks one one-time link the user confirmed, and keeps it confirmed for later runs. */
  async confirmLink(url: string): Promise<void> {
    this.#confirmed.add(url);
    await this.#linkCall([url], [url]);
  }

  async #linkCall(confirm: string[], only: string[] | null): Promise<void> {
    const id = this.#id;
    if (id === null) return;
    const generation = this.#generation;
    this.#linksLoading = true;
    this.#error = null;
    try {
      const report = await api.checks.links({
        id,
        allowPrivate: this.allowPrivate,
        ...(confirm.length ? { confirm } : {}),
        ...(only ? { only } : {}),
      });
      if (generation !== this.#generation) return;
      this.#links = only && this.#links ? merge(this.#links, report.links) : report;
    } catch (err) {
      if (generation === this.#generation) this.#error = errorText(err);
    } finally {
      if (generation === this.#generation) this.#linksLoading = false;
    }
  }

  /** The sending IP (the session's, or `ip`) and the link domains in the blocklist zones; asked for on demand. */
  async runBlocklists(ip: string): Promise<void> {
    const id = this.#id;
    if (id === null) return;
    const generation = this.#generation;
    this.#blocklistsLoading = true;
    this.#error = null;
    try {
      const report = await api.checks.blocklists(id, ip.trim() || undefined);
      if (generation === this.#generation) this.#blocklists = report;
    } catch (err) {
      if (generation === this.#generation) this.#error = errorText(err);
    } finally {
      if (generation === this.#generation) this.#blocklistsLoading = false;
    }
  }

  async #run(extra: { refresh?: boolean; ip?: string; mailFrom?: string }): Promise<void> {
    const id = this.#id;
    if (id === null) return;
    const generation = ++this.#generation;
    this.#loading = true;
    this.#spamLoading = false;
    this.#blocklistsLoading = false;
    this.#error = null;
    try {
      const clients = this.#clients;
      const result = await api.checks.message({ id, ...(clients ? { clients } : {}), ...extra });
      if (generation === this.#generation) this.#result = result;
    } catch (err) {
      if (generation === this.#generation) this.#error = errorText(err);
    } finally {
      if (generation === this.#generation) this.#loading = false;
    }
  }
}

/** A report with some links checked again: those entries replaced, the counts recomputed. */
function merge(report: LinkReport, fresh: LinkResult[]): LinkReport {
  const byUrl = new Map(fresh.map((l) => [l.url, l]));
  const links = report.links.map((l) => byUrl.get(l.url) ?? l);
  const counts = { ok: 0, broken: 0, error: 0, refused: 0, confirm: 0 };
  for (const l of links) counts[l.state]++;
  return { ...report, links, counts };
}

/** Badge requests wait this long so a scroll asks once for the rows it settles on. */
const BADGE_WINDOW_MS = 100;

/**
 * The inbox's small badges (DKIM, spam score, compatibility score): read from the core's cache only, for the rows
 * on screen, so a long inbox costs one small query per scroll and never runs a check.
 */
export class CheckBadgesState {
  #badges = $state(new Map<number, CheckBadges>());
  #visible: number[] = [];
  readonly #coalescer = new Coalescer(() => this.#load(), BADGE_WINDOW_MS);

  get(id: number): CheckBadges | undefined {
    return this.#badges.get(id);
  }

  /** The ids on screen now. */
  show(ids: number[]): void {
    this.#visible = ids;
    this.#coalescer.request();
  }

  start(): () => void {
    return onEvent('checks.updated', ({ ids }) => {
      if (ids.some((id) => this.#visible.includes(id))) this.#coalescer.request();
    });
  }

  async #load(): Promise<void> {
    const ids = this.#visible;
    if (ids.length === 0) return;
    const { badges } = await api.checks.badges(ids);
    const next = new Map(this.#badges);
    for (const id of ids) next.delete(id);
    for (const b of badges) next.set(b.id, b);
    this.#badges = next;
  }
}
