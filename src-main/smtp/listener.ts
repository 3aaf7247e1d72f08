// One capture listener: an smtp-server instance bound to one address, with its state for status().
// A bind failure becomes state 'error' with a text naming the address; it never throws.
import type { ListenerStatus } from '../../src-shared/index.js';
import type { SMTPServerAuthentication, SMTPServerAuthenticationResponse, SMTPServerSession } from 'smtp-server';
import type { SMTPConnection } from 'smtp-server/lib/smtp-connection.js';
import { FastGreetingServer } from './fast-greeting.js';
import type { CaptureLogger } from './log.js';
import { TlsRegistry, createDataHandler, type MessageSink } from './transaction.js';

export interface ListenerConfig {
  id: string;
  host: string;
  /** 0 picks a free port; the bound port is reported in status(). */
  port: number;
  tls: 'starttls' | 'implicit';
}

export interface ListenerSettings {
  hostname: string;
  key: string;
  cert: string;
  minTlsVersion: 'TLSv1.2' | 'TLSv1.3';
  maxMessageBytes: number;
  earlyTalkerDelayMs: number;
  socketTimeoutMs: number;
  closeTimeoutMs: number;
  maxClients: number;
  maxRecipients: number;
  traceProtocol: boolean;
  sink: MessageSink;
  logger: CaptureLogger;
}

export class Listener {
  readonly config: ListenerConfig;
  #state: ListenerStatus['state'] = 'stopped';
  #error: string | null = null;
  #port: number;
  #server: FastGreetingServer | null = null;
  readonly #open = new Set<SMTPConnection>();

  constructor(config: ListenerConfig) {
    this.config = config;
    this.#port = config.port;
  }

  status(): ListenerStatus {
    const { id, host, tls } = this.config;
    return { id, host, port: this.#port, tls, state: this.#state, error: this.#error };
  }

  /** Resolves once listening or failed; the outcome is in status(). */
  start(s: ListenerSettings): Promise<void> {
    this.#state = 'starting';
    this.#error = null;
    const tlsSessions = new TlsRegistry();
    const server = new FastGreetingServer(
      {
        name: s.hostname,
        secure: this.config.tls === 'implicit',
        key: s.key,
        cert: s.cert,
        minVersion: s.minTlsVersion,
        size: s.maxMessageBytes,
        rejectOversized: true,
        // Capture accepts AUTH but never requires it, also in plaintext: a local test server, and the
        // app under test may not do STARTTLS. Per-listener policy comes later.
        authMethods: ['PLAIN', 'LOGIN'],
        authOptional: true,
        allowInsecureAuth: true,
        // Advertise ENHANCEDSTATUSCODES so a 451 reads "451 4.3.0 ..." and a 552 "552 5.3.4 ...".
        hideENHANCEDSTATUSCODES: false,
        // 8BITMIME, SMTPUTF8 and PIPELINING are advertised by smtp-server's defaults (hide* unset).
        socketTimeout: s.socketTimeoutMs,
        closeTimeout: s.closeTimeoutMs,
        maxClients: s.maxClients,
        maxRecipients: s.maxRecipients,
        logger: s.traceProtocol,
        onAuth: acceptAnyone,
        onData: createDataHandler({
          listener: this.config.id,
          maxMessageBytes: s.maxMessageBytes,
          sink: s.sink,
          tls: tlsSessions,
          logger: s.logger,
        }),
      },
      {
        earlyTalkerDelayMs: s.earlyTalkerDelayMs,
        onTls: (session, socket) => tlsSessions.record(session, socket),
        onConnection: (connection) => this.#track(connection),
      },
    );
    this.#server = server;

    return new Promise((resolve) => {
      const onBindError = (err: NodeJS.ErrnoException) => {
        this.#state = 'error';
        this.#error = describeBindError(this.config, err);
        this.#server = null;
        s.logger.error(this.#error);
        resolve();
      };
      server.once('error', onBindError);
      server.listen(this.config.port, this.config.host, () => {
        server.off('error', onBindError);
        // From here on 'error' means one client misbehaved (reset, bad TLS); it must never crash the process.
        server.on('error', (err: Error) => s.logger.info(`listener "${this.config.id}": client error: ${err.message}`));
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
    for (const connection of this.#open) {
      if (!connection._dataStream && !connection._handlerPending) connection.send(421, 'Server shutting down');
    }
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, closeTimeoutMs);
    });
    await Promise.race([closed, deadline]);
    clearTimeout(timer);
    for (const connection of this.#open) connection._socket.destroy();
    this.#open.clear();
    await closed;
    this.#state = 'stopped';
  }

  #track(connection: SMTPConnection): void {
    this.#open.add(connection);
    // The accepted socket closes last (a TLS socket on top of it closes first), so this catches every end.
    connection._socket.once('close', () => this.#open.delete(connection));
  }
}

function acceptAnyone(
  auth: SMTPServerAuthentication,
  _session: SMTPServerSession,
  callback: (err: Error | null | undefined, response?: SMTPServerAuthenticationResponse) => void,
): void {
  // An object, so that an empty username still counts as logged in (smtp-server treats a falsy user as failure).
  callback(null, { user: { username: auth.username ?? '' } });
}

function describeBindError(config: ListenerConfig, err: NodeJS.ErrnoException): string {
  const where = `${config.host.includes(':') ? `[${config.host}]` : config.host}:${config.port}`;
  const why =
    err.code === 'EADDRINUSE' ? 'the address is already in use'
    : err.code === 'EACCES' ? 'permission denied (ports below 1024 need privileges)'
    : err.code === 'EADDRNOTAVAIL' ? 'no such address on this machine'
    : err.message;
  return `[smtp] listener "${config.id}" cannot listen on ${where}: ${why}${err.code ? ` (${err.code})` : ''}`;
}
