// The diff page: two messages picked (from the inbox's "Compare…" or here), their structured diff and its options.
// Address: `#/diff`, `#/diff/<a>`, `#/diff/<a>/<b>`.
import type { MessageDiff, RendererStatus, VisualDiff } from '../../../../src-shared/contract/diff.js';
import type { MessageSummary } from '../../../../src-shared/types.js';
import { api, errorText, onEvent } from '../../lib/api.js';
import { parseId, type PageState } from '../../lib/page.js';

/** Messages offered in the pickers: the newest ones; an older message is reached by its address or "Compare…". */
export const CANDIDATE_COUNT = 200;

export function parseDiffPath(path: readonly string[]): { a: number | null; b: number | null } | null {
  if (path.length > 2) return null;
  const [a, b] = path.map(parseId);
  if (a === null || b === null) return null;
  return { a: a ?? null, b: b ?? null };
}

export type HtmlView = 'normalized' | 'raw';
export type VisualMode = 'side' | 'slider' | 'onion' | 'highlight';

/** Phones, the classic email column, a tablet, desktops: the widths a designer checks a template at. */
export const WIDTH_PRESETS = [320, 375, 414, 600, 768, 1024, 1280] as const;

export interface VisualOptions {
  width: number;
  scheme: 'light' | 'dark';
  images: 'on' | 'off';
}

export class DiffPage implements PageState {
  #a = $state<number | null>(null);
  #b = $state<number | null>(null);
  #ignoreVolatile = $state(true);
  #ignoreTracking = $state(true);
  #htmlView = $state<HtmlView>('normalized');
  #result = $state<MessageDiff | null>(null);
  #error = $state<string | null>(null);
  #loading = $state(false);
  #candidates = $state<MessageSummary[]>([]);
  #visualOptions = $state<VisualOptions>({ width: 600, scheme: 'light', images: 'on' });
  #visualMode = $state<VisualMode>('side');
  #visual = $state<VisualDiff | null>(null);
  #visualError = $state<string | null>(null);
  #visualLoading = $state(false);
  /** Whether the user asked for the visual diff: two renders are not free, so it starts on request. */
  #visualWanted = $state(false);
  #renderer = $state<RendererStatus | null>(null);
  /** What the last approval said, for the line under its button. */
  #approval = $state<{ ok: boolean; text: string } | null>(null);
  #visualGeneration = 0;
  /** The pair the visual diff was asked for, so changing a text option does not render again. */
  #visualPair = '';
  /** Replies to an older request are dropped: the user may pick faster than the core answers. */
  #generation = 0;

  get a(): number | null {
    return this.#a;
  }
  get b(): number | null {
    return this.#b;
  }
  get ignoreVolatile(): boolean {
    return this.#ignoreVolatile;
  }
  get ignoreTracking(): boolean {
    return this.#ignoreTracking;
  }
  get htmlView(): HtmlView {
    return this.#htmlView;
  }
  get result(): MessageDiff | null {
    return this.#result;
  }
  get error(): string | null {
    return this.#error;
  }
  get loading(): boolean {
    return this.#loading;
  }
  get candidates(): MessageSummary[] {
    return this.#candidates;
  }

  get visualOptions(): VisualOptions {
    return this.#visualOptions;
  }
  get visualMode(): VisualMode {
    return this.#visualMode;
  }
  set visualMode(mode: VisualMode) {
    this.#visualMode = mode;
  }
  get visual(): VisualDiff | null {
    return this.#visual;
  }
  get visualError(): string | null {
    return this.#visualError;
  }
  get visualLoading(): boolean {
    return this.#visualLoading;
  }
  get visualWanted(): boolean {
    return this.#visualWanted;
  }
  get renderer(): RendererStatus | null {
    return this.#renderer;
  }
  get approval(): { ok: boolean; text: string } | null {
    return this.#approval;
  }

  /** Approves message A as the baseline for `key`, or for the key its template header names. */
  async approveA(key: string): Promise<void> {
    if (this.#a === null) return;
    try {
      const b = await api.diff.approveBaseline({ messageId: this.#a, ...(key.trim() ? { key: key.trim() } : {}) });
      this.#approval = {
        ok: true,
        text: `Message #${b.messageId} is the baseline for "${b.key}" (${b.widths.join(', ')} px).`,
      };
    } catch (err) {
      this.#approval = { ok: false, text: errorText(err) };
    }
  }

  get path(): string[] {
    if (this.#a === null) return [];
    return this.#b === null ? [String(this.#a)] : [String(this.#a), String(this.#b)];
  }

  show(path: readonly string[]): void {
    const target = parseDiffPath(path);
    if (!target) return;
    if (target.a === this.#a && target.b === this.#b) return;
    this.#a = target.a;
    this.#b = target.b;
    void this.load();
  }

  pick(side: 'a' | 'b', id: number | null): void {
    if (side === 'a') this.#a = id;
    else this.#b = id;
    void this.load();
  }

  swap(): void {
    [this.#a, this.#b] = [this.#b, this.#a];
    void this.load();
  }

  setOptions(options: { ignoreVolatile?: boolean; ignoreTracking?: boolean; htmlView?: HtmlView }): void {
    if (options.ignoreVolatile !== undefined) this.#ignoreVolatile = options.ignoreVolatile;
    if (options.ignoreTracking !== undefined) this.#ignoreTracking = options.ignoreTracking;
    if (options.htmlView !== undefined) this.#htmlView = options.htmlView;
    void this.load();
  }

  /** Renders both messages with these options and compares the pixels. */
  showVisual(options: Partial<VisualOptions> = {}): void {
    this.#visualOptions = { ...this.#visualOptions, ...options };
    this.#visualWanted = true;
    void this.#loadVisual();
  }

  async #loadVisual(): Promise<void> {
    const generation = ++this.#visualGeneration;
    const a = this.#a;
    const b = this.#b;
    this.#visualPair = `${a}/${b}`;
    if (!this.#visualWanted || a === null || b === null) {
      this.#visual = null;
      this.#visualError = null;
      this.#visualLoading = false;
      return;
    }
    this.#visualLoading = true;
    try {
      const visual = await api.diff.visual({ a, b, ...this.#visualOptions });
      if (generation !== this.#visualGeneration) return;
      this.#visual = visual;
      this.#visualError = null;
    } catch (err) {
      if (generation !== this.#visualGeneration) return;
      this.#visual = null;
      this.#visualError = errorText(err);
    } finally {
      if (generation === this.#visualGeneration) this.#visualLoading = false;
    }
  }

  async load(): Promise<void> {
    if (`${this.#a}/${this.#b}` !== this.#visualPair) void this.#loadVisual();
    const generation = ++this.#generation;
    const a = this.#a;
    const b = this.#b;
    if (a === null || b === null) {
      this.#result = null;
      this.#error = null;
      this.#loading = false;
      return;
    }
    this.#loading = true;
    try {
      const result = await api.diff.messages({
        a,
        b,
        ignoreVolatile: this.#ignoreVolatile,
        ignoreTracking: this.#ignoreTracking,
        htmlView: this.#htmlView,
      });
      if (generation !== this.#generation) return;
      this.#result = result;
      this.#error = null;
    } catch (err) {
      if (generation !== this.#generation) return;
      this.#result = null;
      this.#error = errorText(err);
    } finally {
      if (generation === this.#generation) this.#loading = false;
    }
  }

  async loadCandidates(): Promise<void> {
    try {
      this.#candidates = (await api.messages.list({ limit: CANDIDATE_COUNT })).messages;
    } catch {
      // The pickers keep what they had; the diff itself reports its own errors.
    }
  }

  start(): () => void {
    void this.loadCandidates();
    void api.diff
      .rendererStatus()
      .then((status) => (this.#renderer = status))
      .catch(() => undefined);
    const refresh = () => void this.loadCandidates();
    const offs = [onEvent('messages.added', refresh), onEvent('messages.deleted', refresh)];
    return () => offs.forEach((off) => off());
  }
}
