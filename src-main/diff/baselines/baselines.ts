// Golden baselines: a message approved for a key (a template name), and every later message with that key compared
// with it — text, links and pixels at the baseline's widths — into a verdict, `same` or `changed`, under the user's
// thresholds. New mail is compared off the ingest path: ids are queued when `messages.added` fires and worked one
// at a time from a later turn, and nothing listens at all while there is no baseline. The tables are reached through
// deps.sql (repository.ts), so they live on SQLite or PostgreSQL alike.
import {
  MailwrightError,
  type Baseline,
  type BaselineComparison,
  type BaselineSettings,
  type DiffSection,
  type Verdict,
} from '../../../src-shared/index.js';
import type { CapabilityDeps } from '../../core/capability.js';
import { parseBodies } from '../../message/bodies.js';
import { decodeWords } from '../../message/headers.js';
import { diffMessages, type DiffSide } from '../message-diff.js';
import { countChangedPixels } from '../render/pixel-diff.js';
import type { HtmlRenderer } from '../render/renderer.js';
import { renderMessage, renderSettings } from '../render/screenshots.js';
import { BaselineRepository, type StoredBaseline } from './repository.js';

/** The classic email column: a baseline approved without widths is checked where templates are designed. */
export const DEFAULT_BASELINE_WIDTHS = [600];
/** New messages waiting for comparison; past this a flood is not a template test, and the rest are skipped. */
const MAX_QUEUED = 1000;
/** The key header is looked for in this much of the message: headers past 64 KiB are not a template's. */
const HEADER_SCAN_BYTES = 64 * 1024;

type Deps = Pick<CapabilityDeps, 'store' | 'events' | 'sql' | 'reportProblem'>;

export class Baselines {
  readonly #deps: Deps;
  readonly #renderer: HtmlRenderer;
  readonly #settings: () => BaselineSettings;
  readonly #repo: BaselineRepository;
  readonly #queue: number[] = [];
  #offAdded: (() => void) | null = null;
  readonly #offs: Array<() => void> = [];
  #draining: Promise<void> | null = null;
  /** Whether to listen for new mail, decided one at a time in call order (each reads the count of baselines). */
  #listening: Promise<void> = Promise.resolve();
  /** Forgetting verdicts of deleted messages, in event order. */
  #forgetting: Promise<void> = Promise.resolve();
  #stopped = false;
  #skipped = false;

  constructor(deps: Deps, renderer: HtmlRenderer, settings: () => BaselineSettings) {
    this.#deps = deps;
    this.#renderer = renderer;
    this.#settings = settings;
    this.#repo = new BaselineRepository(deps.sql);
  }

  start(): Promise<void> {
    const { events } = this.#deps;
    this.#offs.push(
      events.on('messages.deleted', (d) => this.#forget(d.ids)),
      events.on('messages.pruned', (d) => this.#forget(d.ids)),
      events.on('messages.cleared', () => this.#forget('all')),
    );
    return this.#listen();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#queue.length = 0;
    this.#offAdded?.();
    this.#offAdded = null;
    for (const off of this.#offs.splice(0)) off();
    // Nothing touches the tables once this resolves (the store closes next).
    await Promise.allSettled([this.#draining, this.#listening, this.#forgetting]);
  }

  async list(): Promise<Baseline[]> {
    return (await this.#repo.list()).map(({ screenshotWidths, ...b }) => ({ ...b, screenshots: screenshotWidths }));
  }

  async approve(args: {
    messageId: number;
    key?: string | undefined;
    widths?: number[] | undefined;
  }): Promise<Baseline> {
    const { store } = this.#deps;
    const raw = await store.raw(args.messageId);
    const detail = await store.get(args.messageId);
    const header = this.#settings().keyHeader;
    const key = args.key ?? keyFromHeader(raw, header);
    if (!key)
      throw new MailwrightError(
        'invalid_argument',
        `message ${args.messageId} has no ${header} header: give the baseline a key`,
        'key',
      );
    const widths = [...new Set(args.widths ?? DEFAULT_BASELINE_WIDTHS)].sort((a, b) => a - b);
    const screenshots = new Map<number, Buffer>();
    if ((await parseBodies(raw)).html !== null && (await this.#renderer.status()).available) {
      for (const width of widths) {
        const shot = await renderMessage(this.#renderer, raw, renderSettings({ width }));
        screenshots.set(width, shot.png);
      }
    }
    const stored: StoredBaseline = {
      key,
      messageId: args.messageId,
      subject: detail.subject,
      raw,
      envelope: detail.envelope,
      widths,
      approvedAt: new Date().toISOString(),
      screenshots,
    };
    await this.put(stored);
    return (await this.list()).find((b) => b.key === key)!;
  }

  /** Stores a baseline (approved or imported) and announces it. */
  async put(baseline: StoredBaseline): Promise<void> {
    await this.#repo.put(baseline);
    this.#deps.events.emit('diff.baselinesChanged', { keys: [baseline.key] });
    await this.#listen();
  }

  async delete(key: string): Promise<boolean> {
    const deleted = await this.#repo.delete(key);
    if (deleted) this.#deps.events.emit('diff.baselinesChanged', { keys: [key] });
    await this.#listen();
    return deleted;
  }

  get(key: string): Promise<StoredBaseline | null> {
    return this.#repo.get(key);
  }

  verdicts(ids: readonly number[]): Promise<Verdict[]> {
    return this.#repo.verdicts(ids);
  }

  /** The newest message whose key header names this key, among the newest `scan` messages. */
  async latestWithKey(key: string, scan = 1000): Promise<number | null> {
    const header = this.#settings().keyHeader;
    const page = await this.#deps.store.list({ limit: scan });
    for (const m of page.messages) {
      try {
        if (keyFromHeader(await this.#deps.store.raw(m.id), header) === key) return m.id;
      } catch {
        // Deleted between the list and the read: not the latest any more.
      }
    }
    return null;
  }

  async compare(key: string, messageId: number): Promise<BaselineComparison> {
    const baseline = await this.#repo.get(key);
    if (!baseline) throw new MailwrightError('not_found', `no baseline for the key "${key}"`, 'key');
    const { store } = this.#deps;
    const raw = await store.raw(messageId);
    const detail = await store.get(messageId);
    const base: DiffSide = {
      id: baseline.messageId,
      subject: baseline.subject,
      raw: baseline.raw,
      envelope: baseline.envelope,
    };
    const diff = await diffMessages(base, { id: messageId, subject: detail.subject, raw, envelope: detail.envelope });
    const limits = this.#settings();
    const sections = diff.sections.filter((s) => s.id === 'text' || s.id === 'htmlText' || s.id === 'links');
    const count = (id: DiffSection['id']): number => sections.find((s) => s.id === id)?.changes ?? 0;
    const reasons: string[] = [];
    const textChanges = count('text') + count('htmlText');
    if (textChanges > limits.maxTextChanges)
      reasons.push(
        `text: ${textChanges} changed ${textChanges === 1 ? 'line' : 'lines'} (at most ${limits.maxTextChanges})`,
      );
    if (count('links') > limits.maxLinkChanges)
      reasons.push(`links: ${count('links')} changed (at most ${limits.maxLinkChanges})`);

    const pixelRatio: BaselineComparison['pixelRatio'] = [];
    const messageHasHtml = diff.b.hasHtml;
    for (const width of baseline.widths) {
      const approved = baseline.screenshots.get(width);
      if (!approved) {
        pixelRatio.push({
          width,
          pixelRatio: null,
          changedPixels: null,
          note: 'no screenshot was stored with the baseline',
        });
        continue;
      }
      if (!messageHasHtml) {
        pixelRatio.push({ width, pixelRatio: null, changedPixels: null, note: 'the message has no HTML part' });
        reasons.push(`width ${width}: the message has no HTML part, the baseline has`);
        continue;
      }
      try {
        const shot = await renderMessage(this.#renderer, raw, renderSettings({ width }));
        const d = countChangedPixels(approved, shot.png);
        pixelRatio.push({ width, pixelRatio: d.ratio, changedPixels: d.changedPixels, note: null });
        if (d.ratio > limits.maxPixelRatio)
          reasons.push(
            `width ${width}: ${(d.ratio * 100).toFixed(3)}% of pixels differ (at most ${(limits.maxPixelRatio * 100).toFixed(3)}%)`,
          );
      } catch (err) {
        pixelRatio.push({
          width,
          pixelRatio: null,
          changedPixels: null,
          note: err instanceof Error ? err.message : String(err),
        });
      }
    }
    const comparedAt = new Date().toISOString();
    const result: BaselineComparison = {
      key,
      messageId,
      verdict: reasons.length === 0 ? 'same' : 'changed',
      reasons,
      sections,
      pixelRatio,
      comparedAt,
    };
    await this.#record({ messageId, key, verdict: result.verdict, detail: reasons[0] ?? null }, comparedAt);
    return result;
  }

  async #record(verdict: Verdict, comparedAt: string): Promise<void> {
    await this.#repo.putVerdict(verdict, comparedAt);
    this.#deps.events.emit('diff.verdict', verdict);
  }

  /** Drops the verdicts of deleted messages; a failure is reported (an event handler has no caller to tell). */
  #forget(ids: readonly number[] | 'all'): void {
    this.#forgetting = this.#forgetting
      .then(() => this.#repo.forgetVerdicts(ids))
      .catch((err: unknown) =>
        this.#deps.reportProblem(`[diff] forgetting verdicts: ${err instanceof Error ? err.message : String(err)}`),
      );
  }

  /** Listens for new mail only while there is something to compare it with. */
  #listen(): Promise<void> {
    const decide = async (): Promise<void> => {
      const wanted = !this.#stopped && this.#settings().compareOnArrival && (await this.#repo.count()) > 0;
      if (wanted && !this.#stopped && !this.#offAdded) {
        this.#offAdded = this.#deps.events.on('messages.added', (d) => this.#enqueue(d.messages.map((m) => m.id)));
      } else if (!wanted && this.#offAdded) {
        this.#offAdded();
        this.#offAdded = null;
      }
    };
    const run = this.#listening.catch(() => {}).then(decide);
    this.#listening = run;
    return run;
  }

  /** Settings changed: start or stop listening. */
  settingsChanged(): Promise<void> {
    return this.#listen();
  }

  #enqueue(ids: number[]): void {
    for (const id of ids) {
      if (this.#queue.length >= MAX_QUEUED) {
        if (!this.#skipped)
          this.#deps.reportProblem('[diff] too many new messages to compare with baselines; some were skipped');
        this.#skipped = true;
        break;
      }
      this.#queue.push(id);
    }
    // A later turn: the store's commit and the SMTP reply never wait on this.
    this.#draining ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.#drain());
  }

  async #drain(): Promise<void> {
    try {
      for (let id = this.#queue.shift(); id !== undefined && !this.#stopped; id = this.#queue.shift()) {
        // The database failing (closing, unreachable) costs this message its verdict, not the queue.
        await this.#compareOnArrival(id).catch((err: unknown) =>
          this.#deps.reportProblem(
            `[diff] baseline check of message ${id}: ${err instanceof Error ? err.message : String(err)}`,
          ),
        );
      }
    } finally {
      this.#draining = null;
      this.#skipped = false;
    }
  }

  async #compareOnArrival(id: number): Promise<void> {
    let key: string | null;
    try {
      key = keyFromHeader(await this.#deps.store.raw(id), this.#settings().keyHeader);
    } catch {
      return; // deleted before its turn
    }
    if (!key || !(await this.#repo.get(key))) return;
    try {
      await this.compare(key, id);
    } catch (err) {
      const text = err instanceof Error ? err.message : String(err);
      if (err instanceof MailwrightError && err.code === 'not_found') return;
      await this.#record({ messageId: id, key, verdict: 'error', detail: text }, new Date().toISOString());
    }
  }
}

/** The value of the key header in the message's header block (unfolded, encoded words decoded), or null. */
export function keyFromHeader(raw: Buffer, header: string): string | null {
  const head = raw.subarray(0, HEADER_SCAN_BYTES).toString('latin1');
  const end = head.search(/\r?\n\r?\n/);
  const block = (end < 0 ? head : head.slice(0, end)).replace(/\r?\n(?=[ \t])/g, '');
  const wanted = header.toLowerCase();
  for (const line of block.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0 && line.slice(0, colon).trim().toLowerCase() === wanted) {
      const value = decodeWords(Buffer.from(line.slice(colon + 1), 'latin1').toString('utf8')).trim();
      return value || null;
    }
  }
  return null;
}
