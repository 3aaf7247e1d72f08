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
import { CaptureServer, type FaultEvaluator, type ListenerConfig } from '../smtp/index.js';
import { Store } from '../store/index.js';
import { EventBus } from './events.js';
import { LiveMetrics } from './metrics.js';
import { VERSION } from './version.js';

export interface CoreOptions {
  dataDir: string;
  listeners: ListenerConfig[];
  maxMessageBytes?: number;
  earlyTalkerDelayMs?: number;
  hostname?: string;
  /** better-sqlite3 native binding path (the desktop app's Electron-ABI build). */
  nativeBinding?: string;
  /** Fault rules the listeners consult (a FaultEngine). Default: none. */
  faults?: FaultEvaluator;
}

type Handlers = { [K in CallName]: (args: ParsedCallArgs<K>) => Promise<CallResult<K>> | CallResult<K> };

export class Core {
  readonly events = new EventBus();
  readonly #store: Store;
  readonly #capture: CaptureServer;
  readonly #handlers: Handlers;
  readonly #metrics: LiveMetrics;
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
    const faults = options.faults as (FaultEvaluator & { hits?: () => Record<string, number> }) | undefined;
    this.#metrics = new LiveMetrics(typeof faults?.hits === 'function' ? () => faults.hits!() : undefined);
    const metrics = this.#metrics;
    const sessions = this.#store.sessions;
    this.#capture = new CaptureServer({
      dataDir: options.dataDir,
      listeners: options.listeners,
      ...(options.maxMessageBytes !== undefined ? { maxMessageBytes: options.maxMessageBytes } : {}),
      ...(options.earlyTalkerDelayMs !== undefined ? { earlyTalkerDelayMs: options.earlyTalkerDelayMs } : {}),
      ...(options.hostname !== undefined ? { hostname: options.hostname } : {}),
      ...(options.faults !== undefined ? { faults: options.faults } : {}),
      sink: { ingest: async (raw, envelope) => ({ id: (await this.#store.ingest(raw, envelope)).id }) },
      onStatus: () => this.events.emit('server.status', this.status()),
      sessions: {
        opened: metrics.opened,
        rejected: metrics.rejected,
        authFailed: metrics.authFailed,
        accepted: metrics.accepted,
        ended: (record) => {
          metrics.ended(record);
          sessions.add(record);
        },
      },
    });
    this.#handlers = this.#createHandlers();
  }

  /** Opens the store and starts the listeners. A listener that cannot bind is reported in status, not thrown. */
  static async start(options: CoreOptions): Promise<Core> {
    const core = new Core(options);
    await core.#capture.start();
    return core;
  }

  /** Restarts only the listeners that changed; throws MailwrightError (field named) and keeps the old set if invalid. */
  applyListeners(listeners: ListenerConfig[]): Promise<ListenerStatus[]> {
    return this.#capture.apply(listeners);
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
      'settings.get': () => ({ retention: store.retention }),
      'settings.update': (a) => {
        if (a.retention) store.setRetention({ ...store.retention, ...definedOnly(a.retention) });
        return { retention: store.retention };
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

function definedOnly<T extends object>(o: T): { [K in keyof T]-?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as never;
}
