// The composition root: one place that wires the store, the capture server and the contract's handlers.
// Both bindings (Electron IPC and HTTP/WebSocket) talk to a Core and hold no logic of their own.
// Must not import electron or any binding.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type {
  CallName,
  CallResult,
  ImportResult,
  ListenerStatus,
  ParsedCallArgs,
  Result,
  ServerStatus,
} from '../../src-shared/index.js';
import { MailwrightError, callArgs, isCallName, toApiError } from '../../src-shared/index.js';
import {
  RemoteContentGate,
  extractAttachment,
  renderPreview,
  type AttachmentContent,
  type PreviewDocument,
} from '../message/index.js';
import { CaptureServer, canBindLowPorts, listenerPresets, type ListenerConfig } from '../capture/index.js';
import { FAULT_PRESETS, FaultEngine, ruleFromPreset } from '../capture/faults/index.js';
import { Store, type ImportCounts, type ImportSource } from '../store/index.js';
import { defaultSettings } from './defaults.js';
import { prepareDataFolder } from './data-folder.js';
import { EventBus } from './events.js';
import { LiveMetrics } from './metrics.js';
import { SecretBox, loadOrCreateKeyFile } from './secrets.js';
import { SAVED_SETTINGS_KEY, SettingsService } from './settings.js';
import type { SettingsLayer } from './settings-layers.js';
import { VERSION } from './version.js';
import { CAPABILITIES, type LegacyVerb } from './capabilities.js';
import type { Capability, CapabilityDeps, CapabilitySetup, Handlers as CapabilityHandlers } from './capability.js';
import type { RestRoute } from './rest.js';

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
  /** Problems the shell met before the core started (a keychain it could not use); shown with the settings. */
  warnings?: string[];
}

/** import.progress this often while an import reads: a progress bar moves smoothly, and the socket is not flooded. */
const PROGRESS_INTERVAL_MS = 250;

type Handlers = { [K in CallName]: (args: ParsedCallArgs<K>) => Promise<CallResult<K>> | CallResult<K> };

export class Core {
  readonly events = new EventBus();
  readonly #store: Store;
  readonly #capture: CaptureServer;
  readonly #handlers: Handlers;
  readonly #capabilities: Capability[];
  readonly #metrics: LiveMetrics;
  readonly #faults: FaultEngine;
  readonly #settings: SettingsService;
  // A new secret each start: keys handed out before a restart stop working, which is the point.
  readonly #remoteGate = new RemoteContentGate();
  #prunedSinceStart = 0;
  #importCount = 0;

  private constructor(options: CoreOptions) {
    const folderWarnings = prepareDataFolder(options.dataDir);
    this.#store = Store.open({
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
    });
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
        capture: this.#capture,
        settings: this.#settings,
        metrics: this.#metrics,
        secrets: box,
        invoke: (name, args) => this.invoke(name, args),
        reportProblem: (text) => this.reportProblem(text),
      };
      this.#capabilities = (CAPABILITIES as readonly CapabilitySetup[]).map((setup) => setup(deps));
      for (const capability of this.#capabilities) {
        store.migrateCapability(capability.name, capability.migrations ?? []);
        const section = capability.settings;
        if (section) this.#settings.attach(section.key, section);
      }
    } catch (err) {
      store
        .close()
        .catch((closeErr: unknown) =>
          console.error('[core] could not close the store after a failed start:', closeErr),
        );
      throw err;
    }
    this.#handlers = Object.assign(
      {},
      this.#createHandlers(),
      ...this.#capabilities.map((c) => c.handlers),
    ) as Handlers;
  }

  /** Opens the store and starts the listeners. A listener that cannot bind is reported in status, not thrown. */
  static async start(options: CoreOptions): Promise<Core> {
    const core = new Core(options);
    await core.#capture.start();
    for (const capability of core.#capabilities) await capability.start?.();
    return core;
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
    return this.#store.raw(id);
  }

  attachment(id: number, partId: string): Promise<AttachmentContent> {
    return extractAttachment(this.#store.raw(id), partId);
  }

  /**
   * The preview document. `remote` is the request's remote= value, passed through as the binding got it:
   * null or "0" blocks remote content, the key from messages.remoteContentKey allows it, anything else throws
   * forbidden.
   */
  preview(id: number, remote: string | null): Promise<PreviewDocument> {
    const allowRemote = this.#remoteGate.allowsRemote(id, remote);
    return renderPreview(this.#store.raw(id), { allowRemote });
  }

  /**
   * Imports one .eml or mbox file from a byte stream (an HTTP body, a file on disk): the import path of every
   * binding. Messages are committed as they are read, so memory does not grow with the file. Imports run one at a
   * time (a second waits its turn); `import.progress` is pushed while one reads and when it ends.
   */
  async importStream(
    source: ImportSource,
    file: { filename: string; totalBytes?: number | null },
  ): Promise<ImportResult> {
    const importId = ++this.#importCount;
    const progress = (counts: ImportCounts, done: boolean): void =>
      this.events.emit('import.progress', {
        importId,
        filename: file.filename,
        totalBytes: file.totalBytes ?? null,
        ...counts,
        done,
      });
    let latest: ImportCounts | null = null;
    // On a clock rather than per chunk: an import shorter than one interval shows no progress at all (no flicker),
    // and one whose upload stalls still says where it stands.
    const ticker = setInterval(() => {
      if (latest) progress(latest, false);
    }, PROGRESS_INTERVAL_MS);
    try {
      const result = await this.#store.import(source, {
        filename: file.filename,
        maxMessageBytes: this.#settings.view().smtp.maxMessageBytes,
        onProgress: (counts) => (latest = counts),
      });
      progress({ bytesRead: result.bytesRead, imported: result.imported, failed: result.failedCount }, true);
      return result;
    } catch (err) {
      progress(latest ?? { bytesRead: 0, imported: 0, failed: 0 }, true);
      throw err;
    } finally {
      clearInterval(ticker);
    }
  }

  /** Imports a file on disk (the desktop's import dialog and file association). */
  async importFile(filePath: string): Promise<ImportResult> {
    const { size } = await fs.promises.stat(filePath);
    return this.importStream(fs.createReadStream(filePath), { filename: path.basename(filePath), totalBytes: size });
  }

  /** Writes the sessions that ended but wait for their batch (tests read them right after a client hung up). */
  flushSessions(): void {
    this.#store.sessions.flush();
  }

  /** Resolves when every stored message is parsed and indexed (tests and benchmarks wait on this). */
  idle(): Promise<void> {
    return this.#store.idle();
  }

  #createHandlers(): CapabilityHandlers<LegacyVerb> {
    const store = this.#store;
    return {
      'messages.list': (a) => store.list(a),
      'messages.get': (a) => store.get(a.id),
      'messages.source': (a) => {
        const raw = store.raw(a.id);
        // Text for display (decodeForDisplay); the byte-exact download is the raw route.
        return { source: decodeForDisplay(raw), size: raw.length };
      },
      'messages.remoteContentKey': (a) => {
        store.raw(a.id); // not_found for a message that is not there
        return { key: this.#remoteGate.keyFor(a.id) };
      },
      'messages.markRead': (a) => ({ updated: store.markRead(a.ids, a.read) }),
      'messages.delete': (a) => ({ deleted: store.delete(a.ids) }),
      'messages.deleteAll': () => ({ deleted: store.deleteAll() }),
      'messages.import': (a) => {
        const data = Buffer.from(a.data, 'base64');
        return this.importStream([data], { filename: a.filename, totalBytes: data.length });
      },
      'messages.reindex': async () => ({ reindexed: await store.reindex() }),
      'settings.get': () => this.#settings.view(),
      'settings.update': (a) => this.#settings.update(a),
      'settings.presets': () => {
        const lowPorts = canBindLowPorts();
        return {
          lowPorts,
          listeners: listenerPresets(lowPorts),
          faults: Object.entries(FAULT_PRESETS).map(([id, p]) => ({
            id,
            name: p.name,
            description: p.description,
            rule: ruleFromPreset(id),
          })),
        };
      },
      'listeners.certificate': (a) => {
        const pem = this.#capture.certificatePem(a.id);
        const info = this.#capture.certificate(a.id);
        if (!pem || !info)
          throw new MailwrightError('not_found', `no running listener "${a.id}" presents a certificate`, 'id');
        return { pem, info, filename: `mailwright-${a.id}.pem` };
      },
      'server.status': () => this.status(),
      'sessions.list': (a) => store.sessions.list(a),
      'sessions.get': (a) => store.sessions.get(a.id),
      'metrics.get': () => this.#metrics.figures(),
    };
  }
}

/** UTF-8 where the bytes are valid UTF-8, latin1 otherwise, so raw 8-bit bytes still show one-for-one. */
function decodeForDisplay(raw: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    return raw.toString('latin1');
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
