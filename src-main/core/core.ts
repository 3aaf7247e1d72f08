// The composition root: one place that wires the store, the capture server and the contract's handlers.
// Both bindings (Electron IPC and HTTP/WebSocket) talk to a Core and hold no logic of their own.
// Must not import electron or any binding.
import type {
  CallName,
  CallResult,
  ListenerStatus,
  ParsedCallArgs,
  PreviewOptions,
  Result,
  ServerStatus,
} from '../../src-shared/index.js';
import { MailwrightError, callArgs, isCallName, toApiError } from '../../src-shared/index.js';
import { extractAttachment, renderPreview, type AttachmentContent, type PreviewDocument } from '../message/index.js';
import { CaptureServer, canBindLowPorts, listenerPresets, type ListenerConfig } from '../smtp/index.js';
import { FAULT_PRESETS, FaultEngine, ruleFromPreset } from '../smtp/faults/index.js';
import { Store } from '../store/index.js';
import { defaultSettings } from './config.js';
import { EventBus } from './events.js';
import { LiveMetrics } from './metrics.js';
import { SecretBox, loadOrCreateKeyFile } from './secrets.js';
import { SAVED_SETTINGS_KEY, SettingsService } from './settings.js';
import type { SettingsLayer } from './settings-layers.js';
import { VERSION } from './version.js';

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
  /** Problems the shell met before the core started (a keychain it could not use); shown with the settings. */
  warnings?: string[];
}

type Handlers = { [K in CallName]: (args: ParsedCallArgs<K>) => Promise<CallResult<K>> | CallResult<K> };

export class Core {
  readonly events = new EventBus();
  readonly #store: Store;
  readonly #capture: CaptureServer;
  readonly #handlers: Handlers;
  readonly #metrics: LiveMetrics;
  readonly #faults: FaultEngine;
  readonly #settings: SettingsService;
  #prunedSinceStart = 0;

  private constructor(options: CoreOptions) {
    this.#store = Store.open({
      dataDir: options.dataDir,
      ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}),
      onEvent: (e) => {
        if (e.event === 'messages.pruned') this.#prunedSinceStart += e.data.ids.length;
        if (e.event === 'messages.added') {
          // Reading the headers of every new message costs real throughput in a flood; do it only for listeners.
          if (this.events.hasListeners('messages.added')) this.events.emit('messages.added', e.data());
          return;
        }
        this.events.emit(e.event, e.data as never);
      },
    });
    const store = this.#store;
    try {
      const box = new SecretBox(options.secretKey ?? loadOrCreateKeyFile(options.dataDir));
      const resolved = SettingsService.resolve(
        defaultSettings(store.retention),
        [...(options.layers ?? []), ...startOptionsLayer(options)],
        store.readSetting(SAVED_SETTINGS_KEY),
        box,
      );
      resolved.warnings.unshift(...(options.warnings ?? []));
      for (const w of resolved.warnings) console.warn(`[settings] ${w}`);
      const doc = resolved.document;
      if (doc.retention.maxMessages !== store.retention.maxMessages || doc.retention.maxBytes !== store.retention.maxBytes) {
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
    } catch (err) {
      void store.close();
      throw err;
    }
    this.#handlers = this.#createHandlers();
  }

  /** Opens the store and starts the listeners. A listener that cannot bind is reported in status, not thrown. */
  static async start(options: CoreOptions): Promise<Core> {
    const core = new Core(options);
    await core.#capture.start();
    return core;
  }

  /** Restarts only the listeners that changed; throws MailwrightError (field named) and keeps the old set if invalid. */
  async applyListeners(listeners: ListenerConfig[]): Promise<ListenerStatus[]> {
    await this.#settings.update({ listeners });
    return this.#capture.status();
  }

  async stop(): Promise<void> {
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
      return { ok: false, error: toApiError(err) };
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

  preview(id: number, options: PreviewOptions): Promise<PreviewDocument> {
    return renderPreview(this.#store.raw(id), options);
  }

  /** Writes the sessions that ended but wait for their batch (tests read them right after a client hung up). */
  flushSessions(): void {
    this.#store.sessions.flush();
  }

  /** Resolves when every stored message is parsed and indexed (tests and benchmarks wait on this). */
  idle(): Promise<void> {
    return this.#store.idle();
  }

  #createHandlers(): Handlers {
    const store = this.#store;
    return {
      'messages.list': (a) => store.list(a),
      'messages.get': (a) => store.get(a.id),
      'messages.source': (a) => {
        const raw = store.raw(a.id);
        // latin1 keeps every byte visible one-for-one; the byte-exact download is the raw route.
        return { source: decodeForDisplay(raw), size: raw.length };
      },
      'messages.markRead': (a) => ({ updated: store.markRead(a.ids, a.read) }),
      'messages.delete': (a) => ({ deleted: store.delete(a.ids) }),
      'messages.deleteAll': () => ({ deleted: store.deleteAll() }),
      'messages.import': (a) => store.importFile(Buffer.from(a.data, 'base64'), a.filename),
      'messages.reindex': async () => ({ reindexed: await store.reindex() }),
      'settings.get': () => this.#settings.view(),
      'settings.update': (a) => this.#settings.update(a),
      'settings.presets': () => {
        const lowPorts = canBindLowPorts();
        return {
          lowPorts,
          listeners: listenerPresets(lowPorts),
          faults: Object.entries(FAULT_PRESETS).map(([id, p]) => ({ id, name: p.name, description: p.description, rule: ruleFromPreset(id) })),
        };
      },
      'listeners.certificate': (a) => {
        const pem = this.#capture.certificatePem(a.id);
        const info = this.#capture.certificate(a.id);
        if (!pem || !info) throw new MailwrightError('not_found', `no running listener "${a.id}" presents a certificate`, 'id');
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
