// The running settings: put together at start-up from defaults, what the Settings page saved (secrets sealed),
// a config file and flags; changed live by `settings.update`, which validates everything before touching
// anything, restarts only the listeners that changed, and saves only what was applied.
// Must not import electron or any binding.
import {
  MailwrightError,
  SECTION_KEYS,
  SETTINGS_SECTIONS,
  settingsFileSchema,
  type ListenerConfig,
  type PinnedSetting,
  type RetentionSettings,
  type SectionKey,
  type Settings,
  type SettingsDocument,
  type SettingsFile,
  type SettingsUpdate,
} from '../../src-shared/index.js';
import { isDeepStrictEqual } from 'node:util';
import { compileRules } from '../capture/faults/index.js';
import { validateListener } from '../capture/listener-config.js';
import { mapSecrets } from './secret-paths.js';
import { isSealed, type SecretBox } from './secrets.js';
import {
  carryOverSection,
  checkShape,
  redactSection,
  resolveLayers,
  shapeError,
  type SettingsLayer,
} from './settings-layers.js';

/** The row in the store's settings table; retention has its own row, owned by the store. */
export const SAVED_SETTINGS_KEY = 'capture';
/** 2: secrets sealed with their setting's path as associated data. 1: sealed without; opened once, then re-sealed. */
const SAVED_VERSION = 2;
const LEGACY_SAVED_VERSION = 1;
/** Problems found while running that stay listed; enough to see a pattern, small enough to read. */
const MAX_RUNTIME_WARNINGS = 10;

/** What the service drives; the core hands in the real store, capture server and fault engine. */
export interface SettingsTargets {
  readSaved(): Promise<unknown>;
  writeSaved(value: unknown): Promise<void>;
  /** Keeps saved settings that could not be used aside before they are overwritten, so nothing is silently lost. */
  keepUnused(value: unknown): Promise<void>;
  /** The limits as last read or set (the view reads them at once). */
  retention(): RetentionSettings;
  setRetention(r: RetentionSettings): Promise<void>;
  applyListeners(listeners: ListenerConfig[], smtp: SettingsDocument['smtp']): Promise<unknown>;
  setFaultRules(rules: SettingsDocument['faults']): void;
  changed(settings: Settings): void;
}

/** The saved row: every section but retention (the store keeps that row itself), secrets sealed. */
interface SavedDocument {
  version: number;
  /** SecretBox.keyId of the key that sealed the secrets. */
  keyId?: string;
  [section: string]: unknown;
}

/** What a capability adds to its own section: checks that need Node, and how a new value takes effect. */
export interface SectionHooks<K extends SectionKey = SectionKey> {
  /** Throws MailwrightError naming the field (`profiles.2.tls.ca`) when the value cannot be used. */
  validate?(value: SettingsDocument[K]): void;
  /** Makes a validated value take effect; runs after the listeners were rebound, so it should not fail. */
  apply?(value: SettingsDocument[K]): Promise<void> | void;
}

/** Sections whose secrets the saved row holds, in a stable order. */
const SAVED_KEYS = SECTION_KEYS.filter((k) => k !== 'retention');

/** Validates everything a document holds, so applying it cannot fail half-way except for binding a port. */
export function validateDocument(doc: SettingsDocument, source?: string): void {
  checkShape(doc, source);
  doc.listeners.forEach((l, i) => validateListener(l, i));
  compileRules(doc.faults);
}

/** Reads a config file's parsed content; every error names the field. */
export function parseSettingsFile(content: unknown, source: string): SettingsFile {
  const r = settingsFileSchema.safeParse(content);
  if (!r.success) throw shapeError(r.error, source);
  return r.data;
}

export interface ResolvedStart {
  document: SettingsDocument;
  pinned: PinnedSetting[];
  warnings: string[];
  /** Whether a saved row exists that could not be used (kept aside before it is next overwritten). */
  savedUnused: boolean;
  /** The saved row re-sealed with each secret bound to its path, when it was written before that (version 1). */
  resealed?: SavedDocument;
  /** The key that sealed the saved row could not be opened: nothing may be saved over it this run. */
  savedLocked?: boolean;
}

export class SettingsService {
  readonly #targets: SettingsTargets;
  readonly #box: SecretBox;
  #doc: SettingsDocument;
  readonly #pinned: PinnedSetting[];
  readonly #warnings: string[];
  #queue: Promise<unknown> = Promise.resolve();
  readonly #hooks = new Map<SectionKey, SectionHooks>();
  /** The saved row was skipped at start: it is kept aside before the first save replaces it. */
  #savedUnused = false;
  /** Secrets are locked (see CoreOptions.secretsLocked): changes apply but are not saved. */
  #locked = false;
  readonly #runtimeWarnings: string[] = [];

  private constructor(
    targets: SettingsTargets,
    box: SecretBox,
    doc: SettingsDocument,
    pinned: PinnedSetting[],
    warnings: string[],
  ) {
    this.#targets = targets;
    this.#box = box;
    this.#doc = doc;
    this.#pinned = pinned;
    this.#warnings = warnings;
  }

  /**
   * Resolves the start-up settings: `defaults` < saved < `layers`. Saved settings that no longer validate (or whose
   * secrets cannot be decrypted) are skipped with a warning; an invalid layer throws MailwrightError naming the field.
   */
  static resolve(
    defaults: SettingsDocument,
    layers: readonly SettingsLayer[],
    saved: unknown,
    box: SecretBox,
    options: { savedLocked?: boolean } = {},
  ): ResolvedStart {
    const warnings: string[] = [];
    if (options.savedLocked) {
      // The shell says why (the keychain did not open the key); the saved row is neither used nor replaced.
      const without = resolveLayers(defaults, layers, 0);
      validateDocument(without.document);
      return { ...without, warnings, savedUnused: false, savedLocked: true };
    }
    let savedLayer: SettingsLayer | null = null;
    let savedUnused = false;
    let resealed: SavedDocument | undefined;
    try {
      const opened = openSaved(saved, box);
      savedLayer = opened?.layer ?? null;
      resealed = opened?.resealed;
    } catch (err) {
      warnings.push(`Saved settings were not used: ${(err as Error).message}`);
      savedUnused = true;
    }
    const all = savedLayer ? [savedLayer, ...layers] : [...layers];
    const pinnedFrom = savedLayer ? 1 : 0;
    const resolved = resolveLayers(defaults, all, pinnedFrom);
    try {
      validateDocument(resolved.document);
      return { ...resolved, warnings, savedUnused, ...(resealed ? { resealed } : {}) };
    } catch (err) {
      if (!savedLayer) throw err;
      // The file or a flag may be fine on its own and only clash with what was saved; try without the saved layer.
      const without = resolveLayers(defaults, layers, 0);
      validateDocument(without.document);
      warnings.push(`Saved settings were not used: ${(err as Error).message}`);
      return { ...without, warnings, savedUnused: true };
    }
  }

  static create(targets: SettingsTargets, box: SecretBox, resolved: ResolvedStart): SettingsService {
    const service = new SettingsService(targets, box, resolved.document, resolved.pinned, resolved.warnings);
    service.#savedUnused = resolved.savedUnused;
    service.#locked = resolved.savedLocked ?? false;
    if (resolved.resealed) {
      // Written at once rather than at the next edit: until then a secret copied into another field would open.
      targets.writeSaved(resolved.resealed).catch((err: unknown) => {
        service.#warnings.push(
          `Saved secrets could not be re-sealed (${(err as Error).message}); this is tried again at the next start`,
        );
      });
    }
    return service;
  }

  view(): Settings {
    const d = { ...this.#doc, retention: this.#targets.retention() };
    const sections = Object.fromEntries(SECTION_KEYS.map((k) => [k, redactSection(k, d[k])]));
    return {
      ...(sections as Omit<Settings, 'pinned' | 'warnings'>),
      pinned: this.#pinned.map((p) => ({ ...p })),
      warnings: [...this.#warnings, ...this.#runtimeWarnings],
    };
  }

  /** One section as the core runs on it, secrets in plain text: for the capability that owns it, never a binding. */
  section<K extends SectionKey>(key: K): SettingsDocument[K] {
    return structuredClone(key === 'retention' ? (this.#targets.retention() as SettingsDocument[K]) : this.#doc[key]);
  }

  /**
   * A capability's checks and live apply for its section. The running value is checked at once, so a saved or
   * configured value the capability cannot use stops the start with the field named, like any invalid layer.
   */
  attach<K extends SectionKey>(key: K, hooks: SectionHooks<K>): void {
    if (this.#hooks.has(key)) throw new MailwrightError('internal', `settings section ${key} is attached twice`);
    hooks.validate?.(this.#doc[key]);
    this.#hooks.set(key, hooks);
  }

  /**
   * Adds a problem found while running (a caught internal error) to the warnings the settings page shows. Repeats
   * are shown once (false: already listed), and only the newest MAX_RUNTIME_WARNINGS are kept, so a recurring error cannot grow memory.
   */
  addWarning(text: string): boolean {
    if (this.#runtimeWarnings.includes(text)) return false;
    this.#runtimeWarnings.push(text);
    if (this.#runtimeWarnings.length > MAX_RUNTIME_WARNINGS) this.#runtimeWarnings.shift();
    return true;
  }

  /** One update at a time: a second waits, then applies over the first's result. */
  update(patch: SettingsUpdate): Promise<Settings> {
    const run = this.#queue.then(() => this.#update(patch));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Settings another instance saved (instances that share one database): the start-up layers resolved again over
   * that saved row. Only what differs from the running settings is applied (listeners: only the changed ones
   * restart), nothing is saved, and `changed` is told. Runs in turn with updates; a row that does not apply here
   * (a port this host cannot bind) is listed as a warning and the running settings stay.
   */
  adopt(resolved: ResolvedStart): Promise<void> {
    const run = this.#queue.then(() => this.#adopt(resolved));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #adopt(resolved: ResolvedStart): Promise<void> {
    const next: SettingsDocument = { ...resolved.document, retention: this.#targets.retention() };
    const changed = SECTION_KEYS.filter((k) => k !== 'retention' && !isDeepStrictEqual(next[k], this.#doc[k]));
    if (changed.length === 0) return;
    try {
      for (const key of changed) this.#hooks.get(key)?.validate?.(next[key]);
      if (changed.includes('listeners') || changed.includes('smtp'))
        await this.#targets.applyListeners(next.listeners, next.smtp);
      if (changed.includes('faults')) this.#targets.setFaultRules(next.faults);
      for (const key of changed) await this.#hooks.get(key)?.apply?.(next[key]);
    } catch (err) {
      this.addWarning(`Settings saved by another instance do not apply here: ${(err as Error).message}`);
      this.#targets.changed(this.view());
      return;
    }
    this.#doc = next;
    this.#targets.changed(this.view());
  }

  async #update(patch: SettingsUpdate): Promise<Settings> {
    const current = this.#doc;
    const next: SettingsDocument = structuredClone(current);
    next.retention = this.#targets.retention();
    const changed = SECTION_KEYS.filter((k) => patch[k] !== undefined);
    for (const key of changed) {
      const given = patch[key];
      const target = next as Record<SectionKey, unknown>;
      if (SETTINGS_SECTIONS[key].merge === 'fields') {
        target[key] = { ...(next[key] as object), ...definedOnly(given as object) };
      } else {
        target[key] = carryOverSection(key, given, current[key]);
      }
    }
    validateDocument(next);
    for (const key of changed) this.#hooks.get(key)?.validate?.(next[key]);

    const listenersChanged = patch.listeners !== undefined || patch.smtp !== undefined;
    // Binding is the one step that can still fail; it undoes itself (see CaptureServer.apply), so it goes first.
    if (listenersChanged) await this.#targets.applyListeners(next.listeners, next.smtp);
    if (patch.faults) this.#targets.setFaultRules(next.faults);
    if (patch.retention) await this.#targets.setRetention(next.retention);
    for (const key of changed) await this.#hooks.get(key)?.apply?.(next[key]);
    this.#doc = next;
    await this.#save();
    const view = this.view();
    this.#targets.changed(view);
    return view;
  }

  async #save(): Promise<void> {
    if (this.#locked) return;
    if (this.#savedUnused) {
      const old = await this.#targets.readSaved();
      if (old !== undefined) await this.#targets.keepUnused(old);
      this.#savedUnused = false;
    }
    await this.#targets.writeSaved(sealDocument(this.#doc, this.#box));
  }
}

/**
 * The saved row as a layer, secrets opened; throws (to be turned into a warning) when it cannot be used. A row
 * from before secrets were bound to their path (version 1) also comes back re-sealed, to be written at once.
 */
function openSaved(saved: unknown, box: SecretBox): { layer: SettingsLayer; resealed?: SavedDocument } | null {
  if (saved === undefined || saved === null) return null;
  const s = saved as SavedDocument;
  const legacy = typeof s === 'object' && s.version === LEGACY_SAVED_VERSION;
  if (typeof s !== 'object' || (s.version !== SAVED_VERSION && !legacy))
    throw new MailwrightError('internal', `unknown saved settings version ${String(s?.version)}`);
  if (s.keyId !== undefined && s.keyId !== box.keyId) {
    throw new MailwrightError(
      'internal',
      'their passwords and keys were sealed with another key (the desktop app keeps its key in the OS keychain, serve in ' +
        'secret.key, so one cannot read what the other saved). They are kept aside when settings are next saved; ' +
        'enter the secrets again here, or give them in a config file',
    );
  }
  const opened: Record<string, unknown> = {};
  for (const key of SAVED_KEYS) {
    if (s[key] === undefined) continue;
    opened[key] = mapSecrets(s[key], SETTINGS_SECTIONS[key].secretPaths, (v, path) => {
      if (!isSealed(v)) throw new MailwrightError('internal', 'a saved secret is not sealed');
      return box.open(v, `${key}.${path}`, { legacy });
    });
  }
  const file = parseSettingsFile(opened, 'saved settings');
  const layer: SettingsLayer = { source: 'Settings page', settings: file };
  if (!legacy) return { layer };
  return { layer, resealed: sealDocument(file, box) };
}

/** The saved row for a document (or a layer): every section but retention, each secret sealed to its path. */
function sealDocument(doc: Partial<Record<SectionKey, unknown>>, box: SecretBox): SavedDocument {
  const saved: SavedDocument = { version: SAVED_VERSION, keyId: box.keyId };
  for (const key of SAVED_KEYS) {
    if (doc[key] === undefined) continue;
    saved[key] = mapSecrets(doc[key], SETTINGS_SECTIONS[key].secretPaths, (v, path) =>
      box.seal(v as string, `${key}.${path}`),
    );
  }
  return saved;
}

function definedOnly<T extends object>(o: T): { [K in keyof T]-?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as never;
}
