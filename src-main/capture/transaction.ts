// One mail transaction: DATA bytes in, the envelope built from the session, the sink's verdict out as the reply.
// The 250 goes out only after the sink resolved (the message is durably stored). Must not import the store.
import type tls from 'node:tls';
import type { SMTPServerDataStream, SMTPServerSession } from 'smtp-server';
import type { Envelope } from '../../src-shared/index.js';
import type { InFlightBudget } from './in-flight.js';
import type { CaptureLogger } from './log.js';

export interface MessageSink {
  ingest(raw: Buffer, envelope: Envelope): Promise<{ id: number }>;
}

type TlsInfo = NonNullable<Envelope['tls']>;

/** An error that carries its own SMTP reply code; smtp-server sends `responseCode message`. */
export class SmtpReply extends Error {
  constructor(
    readonly responseCode: number,
    message: string,
  ) {
    super(message);
  }
}

/** The reason text in a 451 is for a person reading a transcript; one short line is enough. */
const MAX_REASON_CHARS = 160;

/** TLS details per session, recorded in onSecure when the socket is at hand. */
export class TlsRegistry {
  readonly #bySession = new WeakMap<SMTPServerSession, TlsInfo>();

  record(session: SMTPServerSession, socket: tls.TLSSocket): TlsInfo {
    const protocol = typeof socket.getProtocol === 'function' ? socket.getProtocol() : null;
    const cipher = typeof socket.getCipher === 'function' ? socket.getCipher()?.name : undefined;
    const info = { protocol: protocol ?? 'unknown', cipher: cipher ?? 'unknown' };
    this.#bySession.set(session, info);
    return info;
  }

  get(session: SMTPServerSession): TlsInfo | null {
    return session.secure ? (this.#bySession.get(session) ?? null) : null;
  }
}

export function toEnvelope(session: SMTPServerSession, listener: string, tlsInfo: TlsInfo | null): Envelope {
  const { mailFrom, rcptTo } = session.envelope;
  // AuthPolicy.onAuth in auth.ts stores { username }; anything else means no AUTH happened.
  const user = session.user as { username?: unknown } | false | undefined;
  return {
    mailFrom: mailFrom ? mailFrom.address : '',
    rcptTo: rcptTo.map((r) => r.address),
    heloName: typeof session.hostNameAppearsAs === 'string' ? session.hostNameAppearsAs : '',
    clientAddress: session.remoteAddress,
    clientPort: session.remotePort,
    tls: tlsInfo,
    authUser: user && typeof user.username === 'string' ? user.username : null,
    listener,
  };
}

export interface DataHandlerOptions {
  listener: string;
  maxMessageBytes: number;
  sink: MessageSink;
  tls: TlsRegistry;
  logger: CaptureLogger;
  /** Message bytes in memory across every session of every listener; shared, never per listener. */
  budget: InFlightBudget;
  /** Last word before storing (fault rules at 'afterData'); an error is the reply and nothing is stored. */
  beforeStore?: (session: SMTPServerSession, next: (err?: Error | null) => void) => void;
  /** A store starts; the function it returns hears how it ended: the message id, or null when it failed. */
  onStore?: (session: SMTPServerSession) => ((id: number | null, bytes: number) => void) | undefined;
}

type DataCallback = (err?: Error | null, message?: string) => void;

/** The reply when the in-flight budget is spent: a temporary failure, so the client queues the message and retries. */
export const OVER_BUDGET_REPLY = '4.3.1 Insufficient system storage, try again later';

/**
 * The onData handler. Chunks go into an array and are joined once: no per-chunk copies, no string
 * conversion, no per-message logging (the throughput budget is thousands of messages a second).
 * Every chunk kept is taken from the shared in-flight budget and given back once the store has answered
 * (or the transaction ended without storing). A chunk the budget cannot take ends the buffering of that
 * message: the rest is read and dropped, and the client gets 452 4.3.1 at the final dot.
 */
export function createDataHandler(o: DataHandlerOptions) {
  return function onData(stream: SMTPServerDataStream, session: SMTPServerSession, callback: DataCallback): void {
    let chunks: Buffer[] = [];
    let bytes = 0;
    let held = 0;
    let refusal: 'oversized' | 'overBudget' | null = null;
    let ended = false;
    const giveBack = (): void => {
      o.budget.giveBack(held);
      held = 0;
      chunks = [];
    };
    stream.on('data', (chunk: Buffer) => {
      if (refusal) return; // keep draining so the client reaches the final dot and reads the refusal
      bytes += chunk.length;
      if (bytes > o.maxMessageBytes) {
        refusal = 'oversized';
        giveBack();
      } else if (!o.budget.tryTake(chunk.length)) {
        refusal = 'overBudget';
        o.budget.noteRefused();
        giveBack();
      } else {
        held += chunk.length;
        chunks.push(chunk);
      }
    });
    // The client went away mid-DATA: smtp-server destroys the stream ('error', then 'close', never 'end'),
    // nothing is stored, memory and budget are let go.
    stream.on('error', giveBack);
    stream.once('close', () => {
      if (!ended) giveBack();
    });
    stream.once('end', () => {
      ended = true;
      if (refusal === 'oversized' || stream.sizeExceeded) {
        giveBack();
        callback(new SmtpReply(552, `Error: message exceeds fixed maximum message size ${o.maxMessageBytes}`));
        return;
      }
      if (refusal === 'overBudget') {
        callback(new SmtpReply(452, OVER_BUDGET_REPLY));
        return;
      }
      if (!o.beforeStore) return store();
      o.beforeStore(session, (err) => {
        if (err) {
          giveBack();
          callback(err);
        } else {
          store();
        }
      });
    });

    function store(): void {
      const raw = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, bytes);
      chunks = [];
      const envelope = toEnvelope(session, o.listener, o.tls.get(session));
      let ingest: Promise<{ id: number }>;
      const stored = o.onStore?.(session);
      try {
        ingest = o.sink.ingest(raw, envelope);
      } catch (err) {
        ingest = Promise.reject(err);
      }
      ingest
        .then(
          (message) => {
            giveBack();
            stored?.(message.id, raw.length);
            callback(null, `OK: queued as ${message.id}`);
          },
          (err: unknown) => {
            giveBack();
            stored?.(null, 0);
            const reason = shortReason(err);
            o.logger.warn(`listener "${o.listener}": message from ${envelope.clientAddress} not stored: ${reason}`);
            callback(new SmtpReply(451, `Error: message not stored: ${reason}`));
          },
        )
        // A throw from the handlers above (a session observer, smtp-server's reply) would otherwise be an unhandled
        // rejection for the process-wide last resort; it belongs to this session, so it is logged here.
        .catch((err: unknown) => {
          o.logger.error(
            `listener "${o.listener}": a reply handler for ${envelope.clientAddress} failed: ${shortReason(err)}`,
          );
        });
    }
  };
}

function shortReason(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const line = (text.split(/\r?\n/, 1)[0] ?? '').trim() || 'storage failed';
  return line.length > MAX_REASON_CHARS ? `${line.slice(0, MAX_REASON_CHARS - 1)}…` : line;
}
