// The composition root: one place that wires the store, the capture server and the contract's handlers.
// Both bindings (Electron IPC and HTTP/WebSocket) talk to a Core and hold no logic of their own.
// Must not import electron or any binding.
import { randomBytes } from 'node:crypto';
import type {
  CallName,
  CallResult,
  EventName,
  ImportResult,
  ListenerStatus,
  RetentionSettings,
  ParsedCallArgs,
  Result,
  ServerStatus,
} from '../../src-shared/index.js';
import { MailwrightError, callArgs, isCallName, toApiError, type PreviewView } from '../../src-shared/index.js';
import type { AttachmentContent, PreviewDocument } from '../message/index.js';
import { CaptureServer, type ListenerConfig } from '../capture/index.js';
import { FaultEngine } from '../capture/faults/index.js';
import { SqlCaptureState } from './shared-capture-state.js';
import type { MessagesCapability, MessageAccess } from '../messages/setup.js';
import { SqliteMessageStore, Store, type ImportSource, type MessageStore, type StoreEvent } from '../store/index.js';
import type { StoreStats } from '../store/message-store.js';
import { PgStore } from '../store/postgres/index.js';
import { defaultSettings } from './defaults.js';
import { prepareDataFolder } from './data-folder.js';
import { claimDataFolder, type InstanceLock } from './instance-lock.js';
import { EventBus } from './events.js';
import { LiveMetrics } from './metrics.js';
import { SecretBox, loadOrCreateKeyFile } from './secrets.js';
import { SAVED_SETTINGS_KEY, SettingsService } from './settings.js';
import type { SettingsLayer } from './settings-layers.js';
import { VERSION } from './version.js';
import { CAPABILITIES } from './capabilities.js';
import type { AnyCapability, CapabilityDeps, CapabilitySetup } from './capability.js';
import type { RestRoute } from './rest.js';
import type { HtmlRenderer } from '../diff/render/renderer.js';

export interface CoreOptions {
  dataDir: string;
  /** better-sqlite3 native binding path (the desktop app's Electron-ABI build). */
  nativeBinding?: string;
  /**
   * Settings above the ones the Settings page saved, lowest first: a config file, then environment variables and
   * flags. An invalid layer makes start() throw MailwrightError naming the field.
   */
  layers?: SettingsLayer[];
  /** Shorthands for one more layer on top ("start options"): what tests and benchmarks run exactly. */
  listeners?: ListenerConfig[];
  maxMessageBytes?: number;
  maxInFlightBytes?: number;
  earlyTalkerDelayMs?: number;
  hostname?: string;
  /** The fault engine (tests pass one with a seeded random or clock); rules it holds are a layer too. Default: a new one. */
  faults?: FaultEngine;
  /** 32 bytes that seal saved secrets (the desktop app's keychain-protected key). Default: <dataDir>/secret.key. */
  secretKey?: Buffer;
  /**
   * The key exists but could not be opened (a locked or refusing keychain): saved settings are left unused and
   * untouched, and nothing is saved this run. The shell's warning says why.
   */
  secretsLocked?: boolean;
  /** Draws HTML for screenshots and visual diffs (the desktop app's offscreen window); Playwright's Chromium if absent. */
  htmlRenderer?: HtmlRenderer;
  /**
   * The message store: `url` (postgres://…), a PostgreSQL database that several instances may share. Absent: the
   * topmost layer's `store`, else SQLite in the data folder.
   */
  store?: { url: string };
  /** Problems the shell met before the core started (a keychain it could not use); shown with the settings. */
  warnings?: string[];
}

/**
 * Capability events that cross instances on a shared database, so that a browser on instance B sees what a
 * person or a run did on A. Not relayed: the store's own events (the store passes those), settings (each instance
 * re-reads them), status, import progress and the template folder (each instance's own), and diff verdicts
 * (every instance compares new mail itself).
 */
const RELAYED_EVENTS = [
  'checks.updated',
  'compose.bulk.progress',
  'compose.drafts.changed',
  'compose.profiles.changed',
  'compose.sent',
  'diff.baselinesChanged',
  'tags.changed',
  'webhooks.delivery',
] as const satisfies readonly EventName[];
type RelayedEvent = (typeof RELAYED_EVENTS)[number];

/** How soon status figures are read again after the store changed (PostgreSQL counts with a query). */
const STATS_REFRESH_MS = 250;

type Handlers = { [K in CallName]: (args: ParsedCallArgs<K>) => Promise<CallResult<K>> | CallResult<K> };

export class Core {
  readonly events: EventBus;
  readonly #store: MessageStore;
  readonly #capture: CaptureServer;
  readonly #handlers: Handlers;
  readonly #capabilities: AnyCapability[];
  readonly #messages: MessageAccess;
  readonly #metrics: LiveMetrics;
  readonly #faults: FaultEngine;
  readonly #settings: SettingsService;
  readonly #lock: InstanceLock;
  /** The retention limits as last read or set (the settings view reads them synchronously). */
  #retention: RetentionSettings;
  /** Store figures for status where the store cannot count at once (PostgreSQL): refreshed after store events. */
  #stats: StoreStats = { count: 0, bytes: 0, pending: 0 };
  #statsTimer: NodeJS.Timeout | null = null;
  #prunedSinceStart = 0;
  /** The retention the layers resolve to at start; written to the store if it differs from the saved row. */
  readonly #startRetention: RetentionSettings;
  /** What re-resolving settings another instance saved needs: the start's layers and the sealing key. */
  readonly #layers: SettingsLayer[];
  readonly #box: SecretBox;
  readonly #secretsLocked: boolean;
  /** The database is reachable (always, for SQLite); shown in status while it is not. */
  #storeAvailable = true;
  #storeOutage: string | null = null;
  /** Emitting an event another instance relayed (so that it is not relayed back). */
  #relaying = false;

  private constructor(options: CoreOptions, opened: OpenedStore) {
    const { store, lock, events } = opened;
    this.events = events;
    this.#lock = lock;
    this.#store = store;
    this.#retention = opened.retention;
    this.#layers = [...(options.layers ?? []), ...startOptionsLayer(options)];
    this.#secretsLocked = options.secretsLocked ?? false;
    let box: SecretBox;
    try {
      // Locked: a throwaway key, never used to save (SettingsService saves nothing while locked).
      box = new SecretBox(
        options.secretsLocked ? randomBytes(32) : (options.secretKey ?? loadOrCreateKeyFile(options.dataDir)),
      );
      const resolved = SettingsService.resolve(defaultSettings(opened.retention), this.#layers, opened.saved, box, {
        savedLocked: this.#secretsLocked,
      });
      resolved.warnings.unshift(...(options.warnings ?? []), ...opened.warnings);
      for (const w of resolved.warnings) console.warn(`[settings] ${w}`);
      const doc = resolved.document;
      this.#startRetention = doc.retention;
      this.#faults = options.faults ?? new FaultEngine([]);
      this.#faults.setRules(doc.faults);
      const faults = this.#faults;
      this.#metrics = new LiveMetrics(() => faults.hits());
      const metrics = this.#metrics;
      this.#capture = new CaptureServer({
        dataDir: options.dataDir,
        listeners: doc.listeners,
        hostname: doc.smtp.hostname,
        maxMessageBytes: doc.smtp.maxMessageBytes,
        maxInFlightBytes: doc.smtp.maxInFlightBytes,
        earlyTalkerDelayMs: doc.smtp.earlyTalkerDelayMs,
        faults,
        // Several instances may share a PostgreSQL database: lockouts and stateful fault rules are kept there.
        ...(store.dialect === 'postgres'
          ? { shared: new SqlCaptureState(store.sql, (text) => this.reportProblem(text)) }
          : {}),
        sink: { ingest: async (raw, envelope) => ({ id: (await store.ingest(raw, envelope)).id }) },
        onStatus: () => this.events.emit('server.status', this.status()),
        sessions: {
          opened: metrics.opened,
          rejected: metrics.rejected,
          authFailed: metrics.authFailed,
          accepted: metrics.accepted,
          ended: (record) => {
            metrics.ended(record);
            store.sessions.add(record);
          },
        },
      });
      const capture = this.#capture;
      this.#settings = SettingsService.create(
        {
          readSaved: () => store.readSetting(SAVED_SETTINGS_KEY),
          writeSaved: (value) => store.writeSetting(SAVED_SETTINGS_KEY, value),
          keepUnused: (value) => store.writeSetting(`${SAVED_SETTINGS_KEY}.unused`, value),
          retention: () => this.#retention,
          setRetention: async (r) => {
            await store.setRetention(r);
            this.#retention = { ...r };
          },
          applyListeners: (listeners, smtp) => capture.apply(listeners, smtp),
          setFaultRules: (rules) => faults.setRules(rules),
          changed: (settings) => this.events.emit('settings.changed', settings),
        },
        box,
        resolved,
      );
      const deps: CapabilityDeps = {
        dataDir: options.dataDir,
        events: this.events,
        store,
        sql: store.sql,
        capture: this.#capture,
        settings: this.#settings,
        metrics: this.#metrics,
        secrets: box,
        invoke: (name, args) => this.invoke(name, args),
        reportProblem: (text) => this.reportProblem(text),
        status: () => this.currentStatus(),
        ...(options.htmlRenderer ? { htmlRenderer: options.htmlRenderer } : {}),
      };
      this.#capabilities = (CAPABILITIES as readonly CapabilitySetup[]).map((setup) => setup(deps));
      // The bindings read bytes (raw, attachments, previews) and stream imports through the messages capability.
      const messages = this.#capabilities.find((c) => c.name === 'messages') as MessagesCapability | undefined;
      if (!messages) throw new MailwrightError('internal', 'the messages capability is not registered');
      this.#messages = messages.access;
    } catch (err) {
      opened.abandon();
      throw err;
    }
    this.#box = box;
    this.#startRelay();
    this.#handlers = Object.assign({}, ...this.#capabilities.map((c) => c.handlers)) as Handlers;
  }

  /** Opens the store and starts the listeners. A listener that cannot bind is reported in status, not thrown. */
  static async start(options: CoreOptions): Promise<Core> {
    const core = await Core.open(options);
    await core.#capture.start();
    for (const capability of core.#capabilities) await capability.start?.();
    return core;
  }

  /**
   * Opens the data folder and the store without listening or starting any capability's background work: for
   * one-off work on a folder no instance holds (`mailwright ingest --data-dir`). Throws `conflict` when a running
   * instance holds the folder, and `unavailable` naming host and port when a PostgreSQL store cannot be reached.
   */
  static async open(options: CoreOptions): Promise<Core> {
    // Store events and problems reach the core once it exists (none that matter come before).
    const ref: { core?: Core } = {};
    const opened = await openStore(options, {
      event: (e) => {
        if (ref.core) ref.core.#storeEvent(e);
      },
      problem: (text) => (ref.core ? ref.core.reportProblem(text) : console.error(text)),
      settingChanged: (key) => {
        if (ref.core) ref.core.#settingChanged(key);
      },
      availability: (available, reason) => {
        if (ref.core) ref.core.#availability(available, reason);
      },
      relayed: (event, data) => {
        if (ref.core) ref.core.#relayed(event, data);
      },
      wantsAdded: () => ref.core?.events.hasListeners('messages.added') ?? false,
    });
    const core = new Core(options, opened);
    ref.core = core;
    try {
      const wanted = core.#startRetention;
      if (wanted.maxMessages !== opened.retention.maxMessages || wanted.maxBytes !== opened.retention.maxBytes) {
        await core.#store.setRetention(wanted);
        core.#retention = { ...wanted };
      }
      for (const capability of core.#capabilities) {
        await core.#store.migrateCapability(capability.name, capability.migrations ?? []);
        const section = capability.settings;
        if (section) core.#settings.attach(section.key, section);
      }
      await core.#refreshStats();
    } catch (err) {
      opened.abandon();
      throw err;
    }
    return core;
  }

  #storeEvent(e: StoreEvent): void {
    if (e.event === 'messages.pruned') this.#prunedSinceStart += e.data.ids.length;
    if (e.event !== 'sessions.added') this.#statsChanged();
    if (e.event === 'messages.added') {
      // Reading the headers of every new message costs real throughput in a flood; do it only for listeners.
      if (this.events.hasListeners('messages.added')) this.events.emit('messages.added', e.data());
      return;
    }
    this.events.emit(e.event, e.data);
  }

  /** A setting was saved in the shared database, by another instance or this one (then nothing differs). */
  #settingChanged(key: string): void {
    const adopt = key === SAVED_SETTINGS_KEY ? this.#adoptSaved() : key === 'retention' ? this.#adoptRetention() : null;
    adopt?.catch((err: unknown) =>
      this.reportProblem(`[settings] could not apply settings another instance saved: ${(err as Error).message}`),
    );
  }

  async #adoptSaved(): Promise<void> {
    const saved = await this.#store.readSetting(SAVED_SETTINGS_KEY);
    const resolved = SettingsService.resolve(defaultSettings(this.#retention), this.#layers, saved, this.#box, {
      savedLocked: this.#secretsLocked,
    });
    await this.#settings.adopt(resolved);
  }

  async #adoptRetention(): Promise<void> {
    const r = await this.#store.retention();
    if (r.maxMessages === this.#retention.maxMessages && r.maxBytes === this.#retention.maxBytes) return;
    this.#retention = r;
    this.events.emit('settings.changed', this.#settings.view());
  }

  /** Capability events this instance raised, passed to the other instances on the database (see RELAYED_EVENTS). */
  #startRelay(): void {
    const relay = this.#store.relay?.bind(this.#store);
    if (!relay) return;
    for (const name of RELAYED_EVENTS) {
      this.events.on(name, (data) => {
        if (!this.#relaying) relay(name, data);
      });
    }
  }

  /** Another instance's capability event: emitted here as if raised here, and not passed on again. */
  #relayed(event: string, data: unknown): void {
    if (!(RELAYED_EVENTS as readonly string[]).includes(event)) return;
    this.#relaying = true;
    try {
      this.events.emit(event as RelayedEvent, data as never);
    } finally {
      this.#relaying = false;
    }
  }

  /** The shared database went away or came back: status says so, and every window shows it. */
  #availability(available: boolean, reason?: string): void {
    this.#storeAvailable = available;
    this.#storeOutage = available ? null : (reason ?? 'the database is unreachable');
    this.events.emit('server.status', this.status());
  }

  /** A store that cannot count at once (PostgreSQL) is asked again shortly after its figures changed. */
  #statsChanged(): void {
    if (this.#store.statsNow || this.#statsTimer) return;
    this.#statsTimer = setTimeout(() => {
      this.#refreshStats()
        .catch(() => {}) // unreachable: the outage is reported by the store; the last figures stay
        .finally(() => (this.#statsTimer = null));
    }, STATS_REFRESH_MS);
  }

  async #refreshStats(): Promise<void> {
    if (this.#store.statsNow) return;
    this.#stats = await this.#store.stats();
  }

  /** Restarts only the listeners that changed; throws MailwrightError (field named) and keeps the old set if invalid. */
  async applyListeners(listeners: ListenerConfig[]): Promise<ListenerStatus[]> {
    await this.#settings.update({ listeners });
    return this.#capture.status();
  }

  /** Shows a problem found while running (an internal error the last-resort handler caught) with the settings. */
  reportProblem(text: string): void {
    // A problem can be met while the store opens, before settings exist; stderr has it then.
    const settings = this.#settings as SettingsService | undefined;
    // Repeats (a failed commit per batch while the disk is full) are listed once and push no event.
    if (settings?.addWarning(text)) this.events.emit('settings.changed', settings.view());
  }

  /** Every capability's REST routes, for the HTTP binding to mount. */
  routes(): RestRoute[] {
    return this.#capabilities.flatMap((c) => c.routes ?? []);
  }

  async stop(): Promise<void> {
    for (const capability of [...this.#capabilities].reverse()) {
      try {
        await capability.stop?.();
      } catch (err) {
        console.error(`[core] ${capability.name} did not stop cleanly:`, err);
      }
    }
    await this.#capture.stop();
    if (this.#statsTimer) clearTimeout(this.#statsTimer);
    await this.#store.close();
    this.#lock.release();
  }

  /** The one entry point for contract calls: validates arguments and returns errors as data. */
  async invoke<K extends CallName>(name: K, args: unknown): Promise<Result<CallResult<K>>> {
    try {
      if (!isCallName(name)) throw new MailwrightError('not_found', `unknown call: ${String(name)}`);
      const parsed = callArgs[name].safeParse(args ?? {});
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const field = issue?.path.join('.') || undefined;
        throw new MailwrightError('invalid_argument', `${name}: ${issue?.message ?? 'invalid arguments'}`, field);
      }
      const handler = this.#handlers[name] as (a: unknown) => Promise<CallResult<K>> | CallResult<K>;
      return { ok: true, value: await handler(parsed.data) };
    } catch (err) {
      return { ok: false, error: toApiError(err, String(name)) };
    }
  }

  /** Status with store figures read now (status() may give figures a moment old where the store is PostgreSQL). */
  async currentStatus(): Promise<ServerStatus> {
    await this.#refreshStats();
    return this.status();
  }

  status(): ServerStatus {
    const stats = this.#store.statsNow?.() ?? this.#stats;
    return {
      version: VERSION,
      listeners: this.#capture.status(),
      certificate: this.#capture.certificate(),
      messageCount: stats.count,
      totalBytes: stats.bytes,
      prunedSinceStart: this.#prunedSinceStart,
      store: {
        kind: this.#store.dialect,
        location: this.#store.location,
        available: this.#storeAvailable,
        outage: this.#storeOutage,
      },
    };
  }

  /** The exact bytes received. Rejects with not_found. */
  raw(id: number): Promise<Buffer> {
    return this.#messages.raw(id);
  }

  attachment(id: number, partId: string): Promise<AttachmentContent> {
    return this.#messages.attachment(id, partId);
  }

  /** The preview document; see MessageAccess.preview for what `remote` allows. */
  preview(id: number, remote: string | null, view?: PreviewView): Promise<PreviewDocument> {
    return this.#messages.preview(id, remote, view);
  }

  /** Imports one .eml or mbox file from a byte stream: the import path of every binding (see MessageAccess). */
  importStream(source: ImportSource, file: { filename: string; totalBytes?: number | null }): Promise<ImportResult> {
    return this.#messages.importStream(source, file);
  }

  /** Imports a file on disk (the desktop's import dialog and file association). */
  importFile(filePath: string): Promise<ImportResult> {
    return this.#messages.importFile(filePath);
  }

  /** Writes the sessions that ended but wait for their batch (tests read them right after a client hung up). */
  flushSessions(): Promise<void> {
    return this.#store.sessions.flush();
  }

  /** Resolves when every stored message is parsed and indexed (tests and benchmarks wait on this). */
  idle(): Promise<void> {
    return this.#store.idle();
  }
}

/** The shorthand options as the topmost layer, so tests and benchmarks run exactly what they pass. */
function startOptionsLayer(o: CoreOptions): SettingsLayer[] {
  const smtp = {
    ...(o.hostname !== undefined ? { hostname: o.hostname } : {}),
    ...(o.maxMessageBytes !== undefined ? { maxMessageBytes: o.maxMessageBytes } : {}),
    ...(o.maxInFlightBytes !== undefined ? { maxInFlightBytes: o.maxInFlightBytes } : {}),
    ...(o.earlyTalkerDelayMs !== undefined ? { earlyTalkerDelayMs: o.earlyTalkerDelayMs } : {}),
  };
  const faults = o.faults?.rules();
  if (!o.listeners && Object.keys(smtp).length === 0 && !faults?.length) return [];
  return [
    {
      source: 'start options',
      settings: {
        ...(o.listeners ? { listeners: o.listeners } : {}),
        ...(Object.keys(smtp).length > 0 ? { smtp } : {}),
        ...(faults?.length ? { faults } : {}),
      },
    },
  ];
}

/** The store a Core runs on, opened with the folder's lock held, and what the settings need from it. */
interface OpenedStore {
  store: MessageStore;
  lock: InstanceLock;
  events: EventBus;
  saved: unknown;
  retention: RetentionSettings;
  warnings: string[];
  /** A start that failed after the store opened: closes it and lets the folder go. */
  abandon(): void;
}

async function openStore(
  options: CoreOptions,
  on: {
    event: (e: StoreEvent) => void;
    problem: (text: string) => void;
    settingChanged: (key: string) => void;
    availability: (available: boolean, reason?: string) => void;
    relayed: (event: string, data: unknown) => void;
    wantsAdded: () => boolean;
  },
): Promise<OpenedStore> {
  const warnings = prepareDataFolder(options.dataDir);
  const lock = claimDataFolder(options.dataDir);
  let store: MessageStore;
  try {
    const url = options.store?.url ?? options.layers?.findLast((l) => l.store)?.store?.url;
    store = url
      ? await PgStore.open({
          url,
          onEvent: on.event,
          onProblem: on.problem,
          onSettingChanged: on.settingChanged,
          onAvailability: on.availability,
          onRelay: on.relayed,
          wantsAdded: on.wantsAdded,
        })
      : new SqliteMessageStore(
          Store.open({
            dataDir: options.dataDir,
            ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}),
            onProblem: on.problem,
            onEvent: on.event,
          }),
        );
  } catch (err) {
    lock.release();
    throw err;
  }
  const abandon = (): void => {
    lock.release();
    store.close().catch((err: unknown) => console.error('[core] could not close the store after a failed start:', err));
  };
  try {
    const [saved, retention] = await Promise.all([store.readSetting(SAVED_SETTINGS_KEY), store.retention()]);
    return { store, lock, events: new EventBus(), saved, retention, warnings, abandon };
  } catch (err) {
    abandon();
    throw err;
  }
}
