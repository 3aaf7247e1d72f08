// One capture listener: an smtp-server instance bound to one address, with its state for status().
// A bind failure becomes state 'error' with a text naming the address; it never throws.
import { DEFAULT_AUTH_MECHANISMS, type ListenerStatus } from '../../src-shared/index.js';
import type { SMTPServerSession } from 'smtp-server';
import type { SMTPConnection } from 'smtp-server/lib/smtp-connection.js';
import { AuthPolicy } from './auth.js';
import { FastGreetingServer } from './fast-greeting.js';
import type { InFlightBudget } from './in-flight.js';
import { ListenerGate, type FaultEvaluator } from './gate.js';
import type { AuthMechanism, CompiledPolicy, ListenerConfig } from './listener-config.js';
import type { CaptureLogger } from './log.js';
import { SessionLog, type SessionObserver } from './session-log.js';
import type { SharedCaptureState } from './shared-state.js';
import type { TlsMaterial } from './certificate.js';
import { TlsRegistry, createDataHandler, type MessageSink } from './transaction.js';

/** What a running Listener is started with: the shared options, plus the byte budget, sink and logger. */
export interface ListenerRuntime {
  hostname: string;
  minTlsVersion: 'TLSv1.2' | 'TLSv1.3';
  maxMessageBytes: number;
  /** Shared by every listener of one CaptureServer: the bytes all their DATA transactions may hold at once. */
  budget: InFlightBudget;
  earlyTalkerDelayMs: number;
  socketTimeoutMs: number;
  closeTimeoutMs: number;
  maxClients: number;
  maxRecipients: number;
  traceProtocol: boolean;
  sink: MessageSink;
  logger: CaptureLogger;
  faults: FaultEvaluator;
  /** State shared with other instances (AUTH lockout); none keeps it in this listener's memory. */
  shared?: SharedCaptureState | undefined;
  /** Receives every session's record when it ends, and the live counts; none means nothing is recorded. */
  sessions?: SessionObserver | undefined;
}

/** The listener status plus the full TLS mode (the shared ListenerStatus only knows starttls/implicit). */

/** Today's AUTH for a listener without an auth block: optional, PLAIN and LOGIN, anyone, also in plaintext. */
const DEFAULT_MECHANISMS: readonly AuthMechanism[] = DEFAULT_AUTH_MECHANISMS;

export class Listener {
  readonly config: ListenerConfig;
  /** canonicalJson(config): apply() restarts the listener only when this changes. */
  readonly canonical: string;
  readonly #policy: CompiledPolicy;
  #state: ListenerStatus['state'] = 'stopped';
  #error: string | null = null;
  #port: number;
  #server: FastGreetingServer | null = null;
  #tls: TlsMaterial | null = null;
  readonly #open = new Map<string, SMTPConnection>();

  constructor(config: ListenerConfig, policy: CompiledPolicy, canonical: string) {
    this.config = config;
    this.#policy = policy;
    this.canonical = canonical;
    this.#port = config.port;
  }

  status(): ListenerStatus {
    const { id, host, tls, auth } = this.config;
    return {
      id,
      host,
      port: this.#port,
      tls,
      state: this.#state,
      error: this.#error,
      auth: {
        policy: auth?.policy ?? 'optional',
        mechanisms: auth ? (auth.policy === 'off' ? [] : [...auth.mechanisms]) : [...DEFAULT_MECHANISMS],
        anyCredentials: !auth?.credentials,
      },
      certificate: tls !== 'none' && this.#tls ? { ...this.#tls.info } : null,
    };
  }

  get tls(): TlsMaterial | null {
    return this.#tls;
  }

  /** Resolves once listening or failed; the outcome is in status(). */
  start(s: ListenerRuntime, tlsMaterial: TlsMaterial): Promise<void> {
    this.#state = 'starting';
    this.#error = null;
    this.#tls = tlsMaterial;
    const c = this.config;
    const lim = c.limits ?? {};
    const maxMessageBytes = lim.maxMessageBytes ?? s.maxMessageBytes;
    const auth = new AuthPolicy(c.auth, s.shared ? { state: s.shared, listenerId: c.id, logger: s.logger } : undefined);
    const gate = new ListenerGate({
      config: c,
      policy: this.#policy,
      auth,
      faults: s.faults,
      logger: s.logger,
      connectionOf: (session: SMTPServerSession) => this.#open.get(session.id),
    });
    const tlsSessions = new TlsRegistry();
    const log = s.sessions ? new SessionLog(c.id, s.sessions) : null;
    const authOff = c.auth?.policy === 'off';
    const disabled = [...(c.tls === 'none' ? ['STARTTLS'] : []), ...(authOff ? ['AUTH'] : [])];
    const server = new FastGreetingServer(
      {
        name: s.hostname,
        secure: c.tls === 'implicit',
        key: tlsMaterial.key,
        cert: tlsMaterial.cert,
        minVersion: c.minTlsVersion ?? s.minTlsVersion,
        size: maxMessageBytes,
        rejectOversized: true,
        authMethods: authOff ? [] : [...(c.auth?.mechanisms ?? DEFAULT_MECHANISMS)],
        // AUTH required / STARTTLS required and plaintext AUTH are enforced by the gate, with the replies
        // real servers use (530 5.7.0, 538 5.7.11) and in the order they check them.
        authOptional: true,
        allowInsecureAuth: true,
        hideSTARTTLS: c.tls === 'none',
        disabledCommands: disabled,
        // Advertise ENHANCEDSTATUSCODES so a 451 reads "451 4.3.0 ..." and a 552 "552 5.3.4 ...".
        hideENHANCEDSTATUSCODES: false,
        // 8BITMIME, SMTPUTF8 and PIPELINING are advertised by smtp-server's defaults (hide* unset).
        socketTimeout: lim.idleTimeoutSeconds ? lim.idleTimeoutSeconds * 1000 : s.socketTimeoutMs,
        closeTimeout: s.closeTimeoutMs,
        maxClients: lim.maxConnections ?? s.maxClients,
        maxRecipients: lim.maxRecipients ?? s.maxRecipients,
        logger: s.traceProtocol,
        onAuth: log
          ? (a, session, callback) =>
              auth.onAuth(a, session, (err, response) => {
                const user = response?.user as { username?: unknown } | undefined;
                if (!err && typeof user?.username === 'string') log.get(session.id)?.authenticated(user.username);
                callback(err, response);
              })
          : auth.onAuth,
        // After STARTTLS the TLS socket takes over the accepted socket's handle, so that socket never emits
        // 'close'; smtp-server's onClose fires for every connection, upgraded or not.
        onClose: (session: SMTPServerSession) => this.#closed(session.id, log),
        onMailFrom: gate.onMailFrom,
        onRcptTo: gate.onRcptTo,
        onData: createDataHandler({
          listener: c.id,
          maxMessageBytes,
          sink: s.sink,
          budget: s.budget,
          tls: tlsSessions,
          logger: s.logger,
          beforeStore: gate.afterData,
          // The recorder is held until the store ends: a client that hangs up before its 250 still gets its link.
          ...(log ? { onStore: (session: SMTPServerSession) => log.get(session.id)?.storing() } : {}),
        }),
      },
      {
        earlyTalkerDelayMs: s.earlyTalkerDelayMs,
        onTls: (session, socket) => {
          const info = tlsSessions.record(session, socket);
          log?.get(session.id)?.tls(info);
        },
        onConnection: (connection) => {
          log?.open(connection.id, connection.remoteAddress, connection.remotePort);
          this.#track(connection, log);
          gate.instrument(connection);
        },
        onConnect: gate.onConnect,
      },
    );
    // The session log reads the protocol lines smtp-server writes to `server.logger`. Set here rather than as
    // the `logger` option, which smtp-server wraps in a function that copies every entry (measured: ~10% fewer msg/s with one
    // connection per message).
    if (log) server.logger = log.logger(s.traceProtocol);
    this.#server = server;

    return new Promise((resolve) => {
      const onBindError = (err: NodeJS.ErrnoException) => {
        this.#state = 'error';
        this.#error = describeBindError(c, err);
        this.#server = null;
        s.logger.error(this.#error);
        resolve();
      };
      server.once('error', onBindError);
      server.listen(c.port, c.host, () => {
        server.off('error', onBindError);
        // From here on 'error' means one client misbehaved (reset, bad TLS); it must never crash the process.
        server.on('error', (err: Error) => s.logger.info(`listener "${c.id}": client error: ${err.message}`));
        const address = server.server.address();
        if (address && typeof address === 'object') this.#port = address.port;
        this.#state = 'listening';
        resolve();
      });
    });
  }

  /**
   * Stops accepting, says 421 to idle sessions at once, gives a transaction in flight closeTimeoutMs to
   * finish, then destroys whatever is left. Resolves once the socket is closed.
   */
  async stop(closeTimeoutMs: number): Promise<void> {
    const server = this.#server;
    this.#server = null;
    if (!server) {
      if (this.#state !== 'error') this.#state = 'stopped';
      return;
    }
    const closed = new Promise<void>((resolve) => server.server.once('close', () => resolve()));
    server.close();
    for (const connection of this.#open.values()) {
      if (!connection._dataStream && !connection._handlerPending) connection.send(421, 'Server shutting down');
    }
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, closeTimeoutMs);
    });
    await Promise.race([closed, deadline]);
    clearTimeout(timer);
    for (const connection of this.#open.values()) connection._socket.destroy();
    this.#open.clear();
    await closed;
    this.#state = 'stopped';
  }

  #track(connection: SMTPConnection, log: SessionLog | null): void {
    this.#open.set(connection.id, connection);
    // A plain connection ends here at once; an upgraded one through onClose (see start()).
    connection._socket.once('close', () => this.#closed(connection.id, log));
  }

  /** Both close paths may fire for one connection; the second finds nothing left to do. */
  #closed(id: string, log: SessionLog | null): void {
    this.#open.delete(id);
    log?.close(id);
  }
}

function describeBindError(config: ListenerConfig, err: NodeJS.ErrnoException): string {
  const where = `${config.host.includes(':') ? `[${config.host}]` : config.host}:${config.port}`;
  const why =
    err.code === 'EADDRINUSE'
      ? 'the address is already in use'
      : err.code === 'EACCES'
        ? 'permission denied (ports below 1024 need privileges)'
        : err.code === 'EADDRNOTAVAIL'
          ? 'no such address on this machine'
          : err.message;
  return `[smtp] listener "${config.id}" cannot listen on ${where}: ${why}${err.code ? ` (${err.code})` : ''}`;
}
