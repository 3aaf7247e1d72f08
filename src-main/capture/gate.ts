// The policy gate of one listener: at each SMTP stage it applies access control, TLS and AUTH policy, rate
// limits and the fault engine's decision, and answers with the reply real servers use. Must not import the store.
import type net from 'node:net';
import type { SMTPServerAddress, SMTPServerSession } from 'smtp-server';
import type { SMTPConnection } from 'smtp-server/lib/smtp-connection.js';
import type { FaultDecision, FaultEngine, FaultStage } from './faults/index.js';
import type { AuthPolicy } from './auth.js';
import type { CompiledPolicy, ListenerConfig } from './listener-config.js';
import type { CaptureLogger } from './log.js';
import { RateWindow, clientAllowed, matchesAny } from './policy.js';
import { SmtpReply } from './transaction.js';

type Next = (err?: Error | null) => void;
/** A reply text that already starts with an enhanced status code ("5.7.1 …") is sent as written. */
const HAS_ENHANCED = /^[245]\.\d{1,3}\.\d{1,3} /;
const MINUTE_MS = 60_000;
/**
 * Whole-session limit when a listener sets none: an hour. Far longer than a real session needs (a 50 MB message
 * at 1 Mbit/s takes 7 minutes), and it bounds how long a client trickling a byte just inside the idle timeout
 * keeps a connection slot.
 */
export const DEFAULT_SESSION_TIMEOUT_SECONDS = 60 * 60;

/**
 * What the gate needs of the fault engine; a FaultEngine is one. `decide` (when present) is called instead of
 * `evaluate`, and may answer with a promise (shared state); `shareState` is how CaptureServer hands it that state.
 */
export type FaultEvaluator = Pick<FaultEngine, 'evaluate'> &
  Partial<Pick<FaultEngine, 'active' | 'decide' | 'shareState'>>;

export interface GateOptions {
  config: ListenerConfig;
  policy: CompiledPolicy;
  auth: AuthPolicy;
  faults: FaultEvaluator;
  logger: CaptureLogger;
  /** The live connection of a session (smtp-server gives hooks only the session). */
  connectionOf(session: SMTPServerSession): SMTPConnection | undefined;
}

export class ListenerGate {
  readonly #o: GateOptions;
  readonly #connections: RateWindow | null;
  readonly #messages: RateWindow | null;
  /** Sessions a fault rule dropped mid-DATA: whatever data they already sent is never stored. */
  readonly #dropped = new Set<string>();

  constructor(o: GateOptions) {
    this.#o = o;
    const lim = o.config.limits ?? {};
    this.#connections = lim.connectionsPerMinutePerClient
      ? new RateWindow(lim.connectionsPerMinutePerClient, MINUTE_MS)
      : null;
    this.#messages = lim.messagesPerMinutePerClient ? new RateWindow(lim.messagesPerMinutePerClient, MINUTE_MS) : null;
  }

  get #allowPlaintextAuth(): boolean {
    // No auth block at all keeps the historical behaviour: AUTH accepted also in plaintext.
    return this.#o.config.auth ? this.#o.config.auth.allowPlaintext === true : true;
  }

  /** Per-connection wiring, called as soon as smtp-server created the connection. */
  instrument(connection: SMTPConnection): void {
    const send = connection.send.bind(connection);
    connection.send = (code, data, context) =>
      send(code, data, typeof data === 'string' && HAS_ENHANCED.test(data) ? false : context);

    // Slowloris defence: the idle timeout alone lets a client that trickles one byte a minute stay forever.
    const sessionSeconds = this.#o.config.limits?.sessionTimeoutSeconds ?? DEFAULT_SESSION_TIMEOUT_SECONDS;
    const timer = setTimeout(
      () => connection.send(421, '4.4.2 Session time limit exceeded - closing connection'),
      sessionSeconds * 1000,
    );
    timer.unref();
    connection._socket.once('close', () => clearTimeout(timer));

    const wrap = (
      name: 'handler_EHLO' | 'handler_HELO' | 'handler_AUTH' | 'handler_DATA',
      before: (cb: () => void, go: () => void) => void,
    ) => {
      const original = connection[name].bind(connection);
      connection[name] = (command: Buffer, cb: () => void) => before(cb, () => original(command, cb));
    };
    const faultStep = (stage: FaultStage) => (cb: () => void, go: () => void) =>
      this.#fault(
        stage,
        connection.session,
        (err) => {
          if (!err) return go();
          connection.send((err as SmtpReply).responseCode ?? 451, err.message);
          cb();
        },
        {},
        // "Dropped mid-DATA": the client gets its 354 and starts sending, then the connection is gone. Cut once the
        // 354 is on the wire, before any message byte is read, so nothing can be stored.
        stage === 'data'
          ? () => {
              // Bytes already read with the DATA command (a client that did not wait for 354) must not be stored either.
              this.#dropped.add(connection.id);
              connection._socket.once('close', () => this.#dropped.delete(connection.id));
              dropAfterReply(connection, 354, go);
            }
          : undefined,
      );
    wrap('handler_EHLO', faultStep('ehlo'));
    wrap('handler_HELO', faultStep('ehlo'));
    wrap('handler_DATA', faultStep('data'));
    wrap('handler_AUTH', (cb, go) => {
      const answer = (refusal: SmtpReply | null) => {
        if (!refusal) return faultStep('auth')(cb, go);
        connection.send(refusal.responseCode, refusal.message);
        cb();
      };
      const refusal = this.#authRefusal(connection);
      if (refusal instanceof Promise) void refusal.then(answer);
      else answer(refusal);
    });
  }

  #authRefusal(connection: SMTPConnection): SmtpReply | null | Promise<SmtpReply | null> {
    if (this.#o.config.tls === 'starttls-required' && !connection.secure)
      return new SmtpReply(530, '5.7.0 Must issue a STARTTLS command first');
    if (!connection.secure && !this.#allowPlaintextAuth)
      return new SmtpReply(538, '5.7.11 Encryption required for requested authentication mechanism');
    return this.#o.auth.refusal(connection.session.remoteAddress);
  }

  /** smtp-server onConnect: a refusal is sent and the connection closed. */
  readonly onConnect = (session: SMTPServerSession, next: Next): void => {
    const client = session.remoteAddress;
    const { allowClients } = this.#o.policy;
    if (allowClients && !clientAllowed(allowClients, client))
      return next(new SmtpReply(554, `5.7.1 Access denied: ${client} is not on this listener's allow-list`));
    const locked = this.#o.auth.refusal(client);
    if (locked instanceof Promise) {
      void locked.then((refusal) => (refusal ? next(refusal) : this.#connectAllowed(session, next)));
      return;
    }
    if (locked) return next(locked);
    this.#connectAllowed(session, next);
  };

  /** The rest of onConnect, once the client is known not to be locked out. */
  #connectAllowed(session: SMTPServerSession, next: Next): void {
    const client = session.remoteAddress;
    if (this.#connections && !this.#connections.take(client)) {
      return next(new SmtpReply(421, `4.7.0 Too many connections from ${client}; try again later`));
    }
    this.#fault('connect', session, next);
  }

  readonly onMailFrom = (address: SMTPServerAddress, session: SMTPServerSession, next: Next): void => {
    const { config, policy } = this.#o;
    if (config.tls === 'starttls-required' && !session.secure)
      return next(new SmtpReply(530, '5.7.0 Must issue a STARTTLS command first'));
    if (config.auth?.policy === 'required' && !session.user)
      return next(new SmtpReply(530, '5.7.0 Authentication required'));
    const sender = address.address;
    if (
      (policy.senderDeny && matchesAny(policy.senderDeny, sender)) ||
      (policy.senderAllow && !matchesAny(policy.senderAllow, sender))
    ) {
      return next(new SmtpReply(550, `5.7.1 Sender <${sender}> not allowed`));
    }
    if (this.#messages && !this.#messages.take(session.remoteAddress)) {
      return next(
        new SmtpReply(451, `4.7.1 Too many messages from ${session.remoteAddress}; slow down and try again later`),
      );
    }
    this.#fault('mail', session, next, { mailFrom: sender });
  };

  readonly onRcptTo = (address: SMTPServerAddress, session: SMTPServerSession, next: Next): void => {
    const { policy } = this.#o;
    const rcpt = address.address;
    if (
      (policy.recipientDeny && matchesAny(policy.recipientDeny, rcpt)) ||
      (policy.recipientAllow && !matchesAny(policy.recipientAllow, rcpt))
    ) {
      return next(new SmtpReply(550, `5.7.1 Recipient <${rcpt}> not allowed`));
    }
    this.#fault('rcpt', session, next, { rcptTo: [rcpt] });
  };

  /** Runs after the message is in and before it is stored, so a refused message is never stored. */
  readonly afterData = (session: SMTPServerSession, next: Next): void => {
    if (this.#dropped.has(session.id)) return next(new SmtpReply(421, '4.4.2 Connection dropped by a fault rule'));
    this.#fault('afterData', session, next);
  };

  #fault(
    stage: FaultStage,
    session: SMTPServerSession,
    next: Next,
    extra: { mailFrom?: string; rcptTo?: string[] } = {},
    drop?: () => void,
  ): void {
    if (this.#o.faults.active?.(stage) === false) return next();
    const env = session.envelope;
    const user = session.user as { username?: unknown } | false | undefined;
    const faults = this.#o.faults;
    let decision: FaultDecision | Promise<FaultDecision>;
    try {
      decision = (faults.decide ?? faults.evaluate).call(faults, {
        listenerId: this.#o.config.id,
        stage,
        clientAddress: session.remoteAddress,
        mailFrom: extra.mailFrom ?? (env?.mailFrom ? env.mailFrom.address : undefined),
        rcptTo: extra.rcptTo ?? env?.rcptTo?.map((r) => r.address),
        authUser: user && typeof user.username === 'string' ? user.username : null,
      });
    } catch (err) {
      // A broken rule must not break capture; the session carries on as if no rule matched.
      this.#faultFailed(stage, err);
      return next();
    }
    if (decision instanceof Promise) {
      // Shared state (another instance's database) unreachable: as a broken rule, the session carries on.
      void decision.then(
        (d) => carryOut(d, this.#o.connectionOf(session)?._socket, next, drop),
        (err: unknown) => {
          this.#faultFailed(stage, err);
          next();
        },
      );
      return;
    }
    carryOut(decision, this.#o.connectionOf(session)?._socket, next, drop);
  }

  #faultFailed(stage: FaultStage, err: unknown): void {
    this.#o.logger.warn(`listener "${this.#o.config.id}": fault engine failed at ${stage}: ${(err as Error).message}`);
  }
}

/** Waits delayMs (cancelled if the socket closes), then drops the socket, replies, or lets the session go on. */
export function carryOut(d: FaultDecision, socket: net.Socket | undefined, next: Next, drop?: () => void): void {
  const act = () => {
    if (d.drop) {
      if (drop) drop();
      else socket?.destroy();
      return;
    }
    const enhanced = d.reply?.enhanced;
    next(d.reply ? new SmtpReply(d.reply.code, enhanced ? `${enhanced} ${d.reply.text}` : d.reply.text) : null);
  };
  if (!(d.delayMs > 0)) return act();
  if (!socket || socket.destroyed) return;
  const cancel = () => clearTimeout(timer);
  const timer = setTimeout(() => {
    socket.off('close', cancel);
    if (!socket.destroyed) act();
  }, d.delayMs);
  timer.unref();
  socket.once('close', cancel);
}

/** Lets the command go on and destroys the socket as soon as its `code` reply has been flushed. */
function dropAfterReply(connection: SMTPConnection, code: number, go: () => void): void {
  const socket = connection._socket;
  // eslint-disable-next-line @typescript-eslint/unbound-method -- put back as it was below; always called with .call
  const send = connection.send;
  connection.send = (c, data, context) => {
    send.call(connection, c, data, context);
    if (c !== code) return;
    connection.send = send;
    // Stop reading first: the client may already be sending the message, and not one byte of it may reach the store.
    socket.pause();
    socket.write('', () => socket.destroy());
  };
  go();
}
