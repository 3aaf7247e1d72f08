// What a capability module is: one folder under src-main/ exports `setup<Capability>(deps)`, which returns the
// handlers of its contract verbs, its REST routes (each with its OpenAPI operation), its settings section, its
// tables' migrations and a stop(). The Core is the ordered list of these (capabilities.ts).
// Must not import electron or any binding.
import type { HtmlRenderer } from '../diff/render/renderer.js';
import type { CallName, CallResult, ParsedCallArgs, Result, SectionKey, ServerStatus } from '../../src-shared/index.js';
import type { CaptureServer } from '../capture/index.js';
import type { DialectMigration, MessageStore, SqlClient } from '../store/message-store.js';
import type { EventBus } from './events.js';
import type { LiveMetrics } from './metrics.js';
import type { RestRoute } from './rest.js';
import type { SecretBox } from './secrets.js';
import type { SectionHooks, SettingsService } from './settings.js';

export type Handler<K extends CallName> = (args: ParsedCallArgs<K>) => Promise<CallResult<K>> | CallResult<K>;
export type Handlers<N extends CallName> = { [K in N]: Handler<K> };

/**
 * One numbered change to a capability's own tables, in SQLite and PostgreSQL form (numbered alike). Versions count
 * 1, 2, 3… per capability, append only: a released migration is never edited. The store records each capability's
 * version (capability_schema) and runs the form of its own dialect in one transaction with the version bump.
 */
export type CapabilityMigration = DialectMigration;

/** What the Core hands every capability: the shared services, already running. */
export interface CapabilityDeps {
  dataDir: string;
  events: EventBus;
  store: MessageStore;
  /**
   * SQL for a capability's own tables (created by its migrations, never by setup) in whichever database the store
   * is (`sql.dialect`), so that every capability runs on SQLite and PostgreSQL alike.
   */
  sql: SqlClient;
  capture: CaptureServer;
  settings: SettingsService;
  metrics: LiveMetrics;
  /** Seals and opens secrets at rest (bound to the path they are stored under). */
  secrets: SecretBox;
  /** Calls another capability's verb through the same door as a binding (validated, errors as data). */
  invoke<K extends CallName>(name: K, args: unknown): Promise<Result<CallResult<K>>>;
  /** Lists a problem met while running with the settings (the details go to stderr). */
  reportProblem(text: string): void;
  /** Listeners, certificate and store figures, as `server.status` reports them. */
  status(): Promise<ServerStatus>;
  /** The shell's HTML renderer for screenshots (the desktop app's offscreen window); absent: the diff's default. */
  htmlRenderer?: HtmlRenderer;
}

export interface Capability<N extends CallName = CallName> {
  /** Names the capability in migrations, logs and errors: `messages`, `compose`. */
  readonly name: string;
  /** Exactly the capability's verbs; capabilities.ts checks at compile time that every verb has one handler. */
  readonly handlers: Handlers<N>;
  readonly routes?: readonly RestRoute[];
  /**
   * The capability's settings section (declared in src-shared/settings.ts): its Node-side checks and how a change
   * takes effect. Sealing, redaction, carrying secrets over an edit, pinning and config files need nothing here.
   * Read the running value with `deps.settings.section(key)`.
   */
  readonly settings?: SectionAttachment;
  /** Applied (in order) after setup returns and before start(); setup itself must not touch these tables. */
  readonly migrations?: readonly CapabilityMigration[];
  /** Runs once the migrations are applied: timers, listeners, anything that may fail and should be reported. */
  start?(): Promise<void> | void;
  /** Stops timers and connections; the Core stops capabilities in reverse order, before the store closes. */
  stop?(): Promise<void> | void;
}

export type SectionAttachment = { [K in SectionKey]: { readonly key: K } & SectionHooks<K> }[SectionKey];

/** Any capability, whatever verbs it handles (its handlers are then only known as an object). */
export type AnyCapability = Capability<never>;

export type CapabilitySetup = (deps: CapabilityDeps) => AnyCapability;

/** The verbs a setup function's capability handles. */
export type HandledBy<F> = F extends (deps: CapabilityDeps) => Capability<infer N> ? N : never;

/** Verbs handled by more than one capability of the list (never when each is handled once). */
export type HandledTwice<L extends readonly unknown[], Seen extends string = never> = L extends readonly [
  infer Head,
  ...infer Rest,
]
  ? (HandledBy<Head> & Seen) | HandledTwice<Rest, Seen | HandledBy<Head>>
  : never;

/** Verbs of the contract no capability of the list handles. */
export type Unhandled<L extends readonly unknown[]> = Exclude<CallName, HandledBy<L[number]>>;

/**
 * `true` when every verb is handled exactly once; otherwise a type naming the verbs, so that the assignment
 * `const check: ExactlyOnce<typeof LIST> = true` fails to compile and says which.
 */
export type ExactlyOnce<L extends readonly unknown[]> = [Unhandled<L>] extends [never]
  ? [HandledTwice<L>] extends [never]
    ? true
    : { handledTwice: HandledTwice<L> }
  : { unhandled: Unhandled<L> };
