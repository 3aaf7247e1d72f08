// The last line of defence: what happens to an exception nothing caught, or a promise rejection nobody handled.
// Every timer, callback and event handler in src-main catches what its I/O can throw; this is for what slips by.
// Must not import electron or any binding (each binding installs it with its own log and shutdown).
//
// Policy. Mailwright answers 250 only after the message is committed, and every database write is one SQLite
// transaction, so nothing that throws outside a transaction can lose or half-write acknowledged mail: the worst
// it leaves behind is a client that waits for a reply until its socket times out and sends again. Keeping SMTP
// up is therefore safe, and stopping would refuse mail the app under test is sending right now. So a stray error
// is logged with its stack, shown with the settings warnings, and the process keeps running. Errors that keep
// coming (STORM_LIMIT within STORM_WINDOW_MS) mean something loops and will not heal: then the process shuts
// down cleanly (listeners closed, the store closed and checkpointed) and exits with UNCAUGHT_EXIT_CODE, so a
// supervisor (systemd, a container runtime, the CI job) sees the failure and can restart it.
import type { EventEmitter } from 'node:events';

/** EX_SOFTWARE from sysexits.h: an internal software error, told apart from usage (2) and start-up (1) failures. */
export const UNCAUGHT_EXIT_CODE = 70;
/** Stray errors tolerated per window: a few isolated bugs keep the server up; a loop of them does not. */
export const STORM_LIMIT = 10;
/** The window STORM_LIMIT is counted over: long enough to catch a per-message loop even at a slow trickle. */
export const STORM_WINDOW_MS = 60_000;
/** Characters of an error message shown in a warning; the full stack goes to the log. */
const MAX_WARNING_MESSAGE_CHARS = 300;

export interface LastResortOptions {
  /** Where the full error and stack go (stderr). */
  log(text: string): void;
  /** Shows a one-line account to the user (the settings warnings). */
  report(text: string): void;
  /** Shuts down cleanly and exits with UNCAUGHT_EXIT_CODE; called once. */
  shutdown(reason: string): void;
  /** Where the label comes from in logs: '[serve]' or '[Mailwright]'. */
  label: string;
  now?: () => number;
}

/** Installs the policy on `proc` (the process); returns a function that removes it. */
export function installLastResort(proc: Pick<EventEmitter, 'on' | 'off'>, o: LastResortOptions): () => void {
  const now = o.now ?? Date.now;
  const recent: number[] = [];
  let stopping = false;
  const handle = (kind: 'uncaught exception' | 'unhandled promise rejection', err: unknown): void => {
    o.log(`${o.label} ${kind}: ${describe(err, true)}`);
    if (stopping) return;
    const t = now();
    recent.push(t);
    while (recent.length > 0 && recent[0]! <= t - STORM_WINDOW_MS) recent.shift();
    if (recent.length >= STORM_LIMIT) {
      stopping = true;
      o.shutdown(
        `${STORM_LIMIT} internal errors within ${STORM_WINDOW_MS / 1000} s; shutting down cleanly (exit ${UNCAUGHT_EXIT_CODE}) so it can be restarted`,
      );
      return;
    }
    try {
      o.report(
        `An internal error was caught and logged (${kind}: ${describe(err, false)}). Mail keeps being accepted; ` +
          'if this repeats, restart Mailwright and report the log.',
      );
    } catch (reportErr) {
      o.log(`${o.label} could not report the error: ${describe(reportErr, false)}`);
    }
  };
  const onException = (err: unknown): void => handle('uncaught exception', err);
  const onRejection = (reason: unknown): void => handle('unhandled promise rejection', reason);
  proc.on('uncaughtException', onException);
  proc.on('unhandledRejection', onRejection);
  return () => {
    proc.off('uncaughtException', onException);
    proc.off('unhandledRejection', onRejection);
  };
}

function describe(err: unknown, withStack: boolean): string {
  if (err instanceof Error) {
    if (withStack && err.stack) return err.stack;
    const message = err.message || err.name;
    return message.length > MAX_WARNING_MESSAGE_CHARS ? `${message.slice(0, MAX_WARNING_MESSAGE_CHARS - 1)}…` : message;
  }
  const text = String(err);
  return text.length > MAX_WARNING_MESSAGE_CHARS ? `${text.slice(0, MAX_WARNING_MESSAGE_CHARS - 1)}…` : text;
}
