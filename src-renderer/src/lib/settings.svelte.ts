// Settings page state: the running settings, the draft the user edits, what changed, apply and its error, the
// presets, and the fault-rule hit counts (refetched, coalesced, when sessions end). The forms and the rules for
// what an update carries are in settings-form.ts.
import type { Settings, SettingsPresets } from '../../../src-shared/settings.js';
import { api, ApiCallError, errorText, onConnection, onEvent } from './api.js';
import { Coalescer } from './coalesce.js';
import { blankRule, toFaultForm } from './fault-form.js';
import { uniqueId } from './form-values.js';
import { blankListener, toListenerForm } from './listener-form.js';
import {
  baselineOf,
  buildUpdate,
  changedSections,
  fieldSection,
  listenerChanges,
  missingRequired,
  toDraft,
  type Baseline,
  type Draft,
} from './settings-form.js';

/** Hit counts trail a burst of sessions by at most this much; they are a glance, not a trace. */
const HITS_REFRESH_MS = 300;

export interface ApplyError {
  message: string;
  code: string;
  /** Dotted path of the setting at fault (`listeners.1.limits.allowClients`), when the server names one. */
  field: string | null;
}

export class SettingsState {
  #settings = $state<Settings | null>(null);
  #presets = $state<SettingsPresets | null>(null);
  #draft = $state<Draft | null>(null);
  #baseline: Baseline | null = null;
  /** Bumped whenever the baseline is replaced, so `dirty` recomputes. */
  #baseGen = $state(0);
  #loadError = $state<string | null>(null);
  #error = $state<ApplyError | null>(null);
  #errorTarget = $state<string | null>(null);
  #applied = $state<string | null>(null);
  #applying = $state(false);
  /** Settings applied by another window or the API while this draft had edits. */
  #elsewhere = $state<Settings | null>(null);
  /** A settings.changed that arrived while our own apply was in flight; judged once it returns. */
  #pendingRemote: Settings | null = null;
  #hits = $state<Record<string, number>>({});
  #listenerIndex = $state(0);
  #faultIndex = $state<number | null>(null);
  /** A listener named by an address before the settings loaded; selected once they do. */
  #wantedListener = $state<string | null>(null);
  readonly #hitsCoalescer = new Coalescer(() => this.#loadHits(), HITS_REFRESH_MS);

  readonly #changed = $derived.by(() => {
    void this.#baseGen;
    return this.#draft && this.#baseline ? changedSections(this.#draft, this.#baseline) : [];
  });

  get settings(): Settings | null {
    return this.#settings;
  }
  get presets(): SettingsPresets | null {
    return this.#presets;
  }
  get draft(): Draft | null {
    return this.#draft;
  }
  get loadError(): string | null {
    return this.#loadError;
  }
  get error(): ApplyError | null {
    return this.#error;
  }
  /** The data-field path of the input the error is shown at. */
  get errorTarget(): string | null {
    return this.#errorTarget;
  }
  get applied(): string | null {
    return this.#applied;
  }
  get applying(): boolean {
    return this.#applying;
  }
  get changedElsewhere(): boolean {
    return this.#elsewhere !== null;
  }
  get hits(): Record<string, number> {
    return this.#hits;
  }
  get changed(): string[] {
    return this.#changed;
  }
  get dirty(): boolean {
    return this.#changed.length > 0;
  }
  get listenerIndex(): number {
    return this.#listenerIndex;
  }
  set listenerIndex(i: number) {
    this.#listenerIndex = i;
  }
  get faultIndex(): number | null {
    return this.#faultIndex;
  }
  set faultIndex(i: number | null) {
    this.#faultIndex = i;
  }

  /** The id the listener at this draft index runs under; null for one added but not applied yet. */
  runningListenerId(index: number): string | null {
    void this.#baseGen;
    const form = this.#draft?.listeners[index];
    return form ? (this.#baseline?.listeners.get(form.key)?.value.id ?? null) : null;
  }

  /** The listener an address asked for while the settings were still loading. */
  get wantedListener(): string | null {
    return this.#wantedListener;
  }

  /** Selects the listener running under this id (an address names it); before the settings load, once they do. */
  selectListener(id: string): void {
    this.#wantedListener = id;
    if (this.#draft) this.#selectWanted();
  }

  start(): () => void {
    const offs = [
      onEvent('settings.changed', (s) => this.#changedRemotely(s)),
      onEvent('sessions.added', () => this.#hitsCoalescer.request()),
      onConnection((state, reconnected) => {
        if (state !== 'open' || !reconnected) return;
        this.#hitsCoalescer.request();
        if (!this.dirty) void this.reload();
      }),
    ];
    void this.reload();
    void this.#loadPresets();
    void this.#loadHits();
    return () => offs.forEach((off) => off());
  }

  async reload(): Promise<void> {
    try {
      this.#adopt(await api.settings.get());
      this.#loadError = null;
    } catch (err) {
      this.#loadError = errorText(err);
    }
  }

  /** Drops the draft's edits. */
  revert(): void {
    if (this.#settings) this.#adopt(this.#settings);
  }

  /** Takes the settings applied elsewhere, dropping this draft's edits. */
  takeElsewhere(): void {
    if (this.#elsewhere) this.#adopt(this.#elsewhere);
  }

  setErrorTarget(path: string | null): void {
    this.#errorTarget = path;
  }

  dismissApplied(): void {
    this.#applied = null;
  }

  /** Sends every changed section. On error the draft stays as it is and the error names the field. */
  async apply(): Promise<boolean> {
    const draft = this.#draft;
    const base = this.#baseline;
    if (!draft || !base || this.#applying) return false;
    const snapshot: Draft = $state.snapshot(draft);
    const missing = missingRequired(snapshot);
    if (missing) {
      this.#error = { message: missing.message, code: 'invalid_argument', field: missing.field };
      return false;
    }
    const update = buildUpdate(snapshot, base);
    const { restarted, removed } = listenerChanges(snapshot, base);
    this.#applying = true;
    this.#error = null;
    this.#errorTarget = null;
    this.#applied = null;
    try {
      const result = await api.settings.update(update);
      this.#adopt(result);
      this.#applied = appliedText(update.listeners ? { restarted, removed } : null);
      this.#hitsCoalescer.request();
      return true;
    } catch (err) {
      const field = err instanceof ApiCallError ? (err.field ?? null) : null;
      this.#error = { message: errorText(err), code: err instanceof ApiCallError ? err.code : 'internal', field };
      const where = fieldSection(field ?? undefined);
      if (where?.section === 'listeners' && where.index !== null) this.#listenerIndex = where.index;
      if (where?.section === 'faults' && where.index !== null) this.#faultIndex = where.index;
      return false;
    } finally {
      this.#applying = false;
      const pending = this.#pendingRemote;
      this.#pendingRemote = null;
      if (pending) this.#changedRemotely(pending);
    }
  }

  addListener(presetIndex: number | null): void {
    const draft = this.#draft;
    if (!draft) return;
    const taken = draft.listeners.map((l) => l.id);
    const preset = presetIndex === null ? null : this.#presets?.listeners[presetIndex];
    const config = preset
      ? { ...$state.snapshot(preset.listener), id: uniqueId(preset.listener.id, taken) }
      : blankListener(taken);
    draft.listeners.push(toListenerForm(config, preset?.note ?? null));
    this.#listenerIndex = draft.listeners.length - 1;
  }

  removeListener(index: number): void {
    const draft = this.#draft;
    if (!draft) return;
    draft.listeners.splice(index, 1);
    this.#listenerIndex = Math.max(0, Math.min(this.#listenerIndex, draft.listeners.length - 1));
  }

  addFault(presetId: string | null): void {
    const draft = this.#draft;
    if (!draft) return;
    const taken = draft.faults.map((f) => f.id);
    const preset = presetId === null ? null : this.#presets?.faults.find((p) => p.id === presetId);
    const rule = preset ? { ...$state.snapshot(preset.rule), id: uniqueId(preset.rule.id, taken) } : blankRule(taken);
    draft.faults.push(toFaultForm(rule));
    this.#faultIndex = draft.faults.length - 1;
  }

  removeFault(index: number): void {
    const draft = this.#draft;
    if (!draft) return;
    draft.faults.splice(index, 1);
    this.#faultIndex = null;
  }

  #adopt(settings: Settings): void {
    const draft = toDraft(settings);
    this.#settings = settings;
    this.#baseline = baselineOf(settings, draft);
    this.#draft = draft;
    this.#baseGen++;
    this.#elsewhere = null;
    this.#error = null;
    this.#errorTarget = null;
    this.#listenerIndex = Math.max(0, Math.min(this.#listenerIndex, draft.listeners.length - 1));
    if (this.#wantedListener !== null) this.#selectWanted();
    if (this.#faultIndex !== null && this.#faultIndex >= draft.faults.length) this.#faultIndex = null;
  }

  #selectWanted(): void {
    const draft = this.#draft;
    const index = draft ? draft.listeners.findIndex((_, i) => this.runningListenerId(i) === this.#wantedListener) : -1;
    if (index >= 0) this.#listenerIndex = index;
    this.#wantedListener = null;
  }

  #changedRemotely(settings: Settings): void {
    if (this.#applying) {
      this.#pendingRemote = settings;
      return;
    }
    // Our own apply announces itself too: the same settings we already hold are no news.
    if (this.#settings && JSON.stringify(settings) === JSON.stringify(this.#settings)) return;
    if (this.dirty) this.#elsewhere = settings;
    else this.#adopt(settings);
  }

  async #loadPresets(): Promise<void> {
    try {
      this.#presets = await api.settings.presets();
    } catch (err) {
      console.error('[settings.presets]', err);
    }
  }

  async #loadHits(): Promise<void> {
    try {
      this.#hits = (await api.metrics.get()).faultRuleHits;
    } catch (err) {
      console.error('[metrics.get]', err);
    }
  }
}

function appliedText(listeners: { restarted: string[]; removed: string[] } | null): string {
  const parts = ['Applied.'];
  if (listeners?.restarted.length) parts.push(`Started or restarted: ${listeners.restarted.join(', ')}.`);
  if (listeners?.removed.length) parts.push(`Stopped: ${listeners.removed.join(', ')}.`);
  return parts.join(' ');
}
