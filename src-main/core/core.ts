// The composition root: one place that wires the store, the capture server and the contract's handlers.
// Both bindings (Electron IPC and HTTP/WebSocket) talk to a Core and hold no logic of their own.
// Must not import electron or any binding.
import { randomBytes } from 'node:crypto';
import type {
  CallName,
  CallResult,
  ImportResult,
  ListenerStatus,
  ParsedCallArgs,
  Result,
  ServerStatus,
} from '../../src-shared/index.js';
import { MailwrightError, callArgs, isCallName, toApiError, type PreviewView } from '../../src-shared/index.js';
import type { AttachmentContent, PreviewDocument } from '../message/index.js';
import { CaptureServer, type ListenerConfig } from '../capture/index.js';
import { FaultEngine } from '../capture/faults/index.js';
import type { MessagesCapability, MessageAccess } from '../messages/setup.js';
import { Store, type ImportSource } from '../store/index.js';
import { SqliteClient } from '../store/sqlite-message-store.js';
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
  /** Problems the shell met before the core started (a keychain it could not use); shown with the settings. */
  warnings?: string[];
}

type Handlers = { [K in CallName]: (args: ParsedCallArgs<K>) => Promise<CallResult<K>> | CallResult<K> };

export class Core {
  readonly events = new EventBus();
  readonly #store: Store;
  readonly #capture: CaptureServer;
  readonly #handlers: Handlers;
  readonly #capabilities: AnyCapability[];
  readonly #messages: MessageAccess;
  readonly #metrics: LiveMetrics;
  readonly #faults: FaultEngine;
  readonly #settings: SettingsService;
  readonly #lock: InstanceLock;
  #prunedSinceStart = 0;

  private constructor(options: CoreOptions) {
    const folderWarnings = prepareDataFolder(options.dataDir);
    this.#lock = claimDataFolder(options.dataDir);
    const lock = this.#lock;
    this.#store = guarded(lock, () =>
      Store.open({
        dataDir: options.dataDir,
        ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}),
        onProblem: (text) => this.reportProblem(text),
        onEvent: (e) => {
          if (e.event === 'messages.pruned') this.#prunedSinceStart += e.data.ids.length;
          if (e.event === 'messages.added') {
            // Reading the headers of every new message costs real throughput in a flood; do it only for listeners.
            if (this.events.hasListeners('messages.added')) this.events.emit('messages.added', e.data());
            return;
          }
          this.events.emit(e.event, e.data);
        },
      }),
    );
    const store = this.#store;
    let box: SecretBox;
    try {
      // Locked: a throwaway key, never used to save (SettingsService saves nothing while locked).
      box = new SecretBox(
        options.secretsLocked ? randomBytes(32) : (options.secretKey ?? loadOrCreateKeyFile(options.dataDir)),
      );
      const resolved = SettingsService.resolve(
        defaultSettings(store.retention),
        [...(options.layers ?? []), ...startOptionsLayer(options)],
        store.readSetting(SAVED_SETTINGS_KEY),
        box,
        { savedLocked: options.secretsLocked ?? false },
      );
      resolved.warnings.unshift(...(options.warnings ?? []), ...folderWarnings);
      for (const w of resolved.warnings) console.warn(`[settings] ${w}`);
      const doc = resolved.document;
      if (
        doc.retention.maxMessages !== store.retention.maxMessages ||
        doc.retention.maxBytes !== store.retention.maxBytes
      ) {
        store.setRetention(doc.retention);
      }
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
          retention: () => store.retention,
          setRetention: (r) => store.setRetention(r),
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
        db: store.database,
        sql: new SqliteClient(store.database),
        capture: this.#capture,
        settings: this.#settings,
        metrics: this.#metrics,
        secrets: box,
        invoke: (name, args) => this.invoke(name, args),
        reportProblem: (text) => this.reportProblem(text),
        status: () => this.status(),
        ...(options.htmlRenderer ? { htmlRenderer: options.htmlRenderer } : {}),
      };
      this.#capabilities = (CAPABILITIES as readonly CapabilitySetup[]).map((setup) => setup(deps));
      // The bindings read bytes (raw, attachments, previews) and stream imports through the messages capability.
      const messages = this.#capabilities.find((c) => c.name === 'messages') as MessagesCapability | undefined;
      if (!messages) throw new MailwrightError('internal', 'the messages capability is not registered');
      this.#messages = messages.access;
      for (const capability of this.#capabilities) {
        store.migrateCapability(capability.name, capability.migrations ?? []);
        const section = capability.settings;
        if (section) this.#settings.attach(section.key, section);
      }
    } catch (err) {
      lock.release();
      store
        .close()
        .catch((closeErr: unknown) =>
          console.error('[core] could not close the store after a failed start:', closeErr),
        );
      throw err;
    }
    this.#handlers = Object.assign({}, ...this.#capabilities.map((c) => c.handlers)) as Handlers;
  }

  /** Opens the store and starts the listeners. A listener that cannot bind is reported in status, not thrown. */
  static async start(options: CoreOptions): Promise<Core> {
    const core = new Core(options);
    await core.#capture.start();
    for (const capability of core.#capabilities) await capability.start?.();
    return core;
  }

  /**
   * Opens the data folder without listening or starting any capability's background work: for one-off work on a
   * folder no instance holds (`mailwright ingest --data-dir`). Throws `conflict` when a running instance holds it.
   */
  static open(options: CoreOptions): Core {
    return new Core(options);
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

  status(): ServerStatus {
    const stats = this.#store.stats();
    return {
      version: VERSION,
      listeners: this.#capture.status(),
      certificate: this.#capture.certificate(),
      messageCount: stats.count,
      totalBytes: stats.bytes,
      prunedSinceStart: this.#prunedSinceStart,
    };
  }

  /** The exact bytes received. Throws not_found. */
  raw(id: number): Buffer {
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
  flushSessions(): void {
    this.#store.sessions.flush();
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

/** Runs `open` holding the folder's lock, and lets the lock go if it throws. */
function guarded<T>(lock: InstanceLock, open: () => T): T {
  try {
    return open();
  } catch (err) {
    lock.release();
    throw err;
  }
}
