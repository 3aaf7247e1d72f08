// An SMTPServer whose connections greet at once. smtp-server 3.21.6 waits a fixed 100 ms before every
// greeting (SMTPConnection.init, an early-talker check), which caps one-connection-per-message clients
// at about 10 messages a second. Behaviour pinned to smtp-server 3.21.6; test/integration/capture/greeting.test.ts
// fails if an upgrade changes the internals used here (_setListeners, connectionReady, _ready).
import type net from 'node:net';
import type tls from 'node:tls';
import { SMTPServer, type SMTPServerOptions, type SMTPServerSession } from 'smtp-server';
import { SMTPConnection, type SMTPConnectionOptions } from 'smtp-server/lib/smtp-connection.js';

export interface FastGreetingHooks {
  /** 0 greets at once; more restores smtp-server's early-talker check with this delay. */
  earlyTalkerDelayMs: number;
  /** Called for every TLS session (implicit or after STARTTLS) once the handshake is done. */
  onTls(session: SMTPServerSession, socket: tls.TLSSocket): void;
  onConnection(connection: SMTPConnection): void;
  /** smtp-server's onConnect; an error with responseCode is sent and the connection closed. */
  onConnect?(session: SMTPServerSession, callback: (err?: Error | null) => void): void;
}

// Checked once: if a future smtp-server drops these, connections fall back to the stock init()
// (slow greeting, still correct) instead of failing.
const CAN_SKIP_TIMER =
  typeof SMTPConnection.prototype._setListeners === 'function' &&
  typeof SMTPConnection.prototype.connectionReady === 'function';

export class FastGreetingServer extends SMTPServer {
  readonly #hooks: FastGreetingHooks;

  constructor(options: SMTPServerOptions, hooks: FastGreetingHooks) {
    // disableReverseLookup: a PTR lookup must never sit on the greeting path (and there is no DNS here).
    super({ ...options, disableReverseLookup: true });
    this.#hooks = hooks;
  }

  /** Same as SMTPServer.connect in 3.21.6, except init() is replaced by one without the fixed timer. */
  override connect(socket: net.Socket | tls.TLSSocket, socketOptions?: SMTPConnectionOptions | null): void {
    const connection = new SMTPConnection(this, socket, socketOptions);
    this.connections.add(connection);
    connection.on('error', (err: Error) => this._onError(err));
    connection.on('connect', (data) => this._onClientConnect(data));
    this.#hooks.onConnection(connection);
    if (!CAN_SKIP_TIMER) {
      connection.init();
      return;
    }
    const delay = this.#hooks.earlyTalkerDelayMs;
    // The body of SMTPConnection.init() in 3.21.6, with the 100 ms replaced by `delay`.
    connection._setListeners(() => {
      if (this.options.maxClients && this.connections.size > this.options.maxClients) {
        return connection.send(
          421,
          '4.7.0 ' + connection.name + ' Too many connected clients, try again in a moment',
          false,
        );
      }
      if (delay <= 0) return connection.connectionReady();
      // Until the timer fires _ready is false and any command gets "421 You talk too soon".
      setTimeout(() => connection.connectionReady(), delay).unref();
    });
  }

  /**
   * Synchronous, unlike the default setImmediate: with no delay the connection is ready (and greets) in the
   * same tick the socket is accepted, so no client byte can be read before _ready is set.
   */
  override onConnect(session: SMTPServerSession, callback: (err?: Error | null) => void): void {
    if (this.#hooks.onConnect) this.#hooks.onConnect(session, callback);
    else callback();
  }

  override onSecure(
    socket: net.Socket | tls.TLSSocket,
    session: SMTPServerSession,
    callback: (err?: Error | null) => void,
  ): void {
    this.#hooks.onTls(session, socket as tls.TLSSocket);
    callback();
  }
}
