// AUTH for one listener: checks PLAIN/LOGIN/CRAM-MD5/XOAUTH2 against the credential list (or accepts anyone),
// and counts failures per client address for the lockout. Must not import the store or electron.
// With a shared state (several instances on one database) the lockout lives there, keyed by listener id and client,
// so a client locked out on one instance is refused by all; without one it is this listener's memory, synchronous.
import { timingSafeEqual, createHash } from 'node:crypto';
import type { SMTPServerAuthentication, SMTPServerAuthenticationResponse, SMTPServerSession } from 'smtp-server';
import type { AuthConfig, Credential } from './listener-config.js';
import type { CaptureLogger } from './log.js';
import { AuthLockout } from './policy.js';
import type { SharedCaptureState } from './shared-state.js';
import { SmtpReply } from './transaction.js';

type AuthCallback = (err: Error | null | undefined, response?: SMTPServerAuthenticationResponse) => void;

export const AUTH_INVALID = () => new SmtpReply(535, '5.7.8 Authentication credentials invalid');
export const lockedOut = (seconds: number) =>
  new SmtpReply(421, `4.7.0 Too many failed authentication attempts; try again in ${seconds} seconds`);

/** Compares through hashes so neither length nor content leaks through timing. */
function same(a: string, b: string): boolean {
  const h = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(h(a), h(b));
}

function verify(auth: SMTPServerAuthentication, credentials: Credential[] | undefined): boolean {
  if (!credentials) return true; // accept-any
  const username = auth.username ?? '';
  return credentials.some((c) => {
    if (c.username !== username) return false;
    switch (auth.method) {
      case 'XOAUTH2':
        return c.token !== undefined && same(auth.accessToken ?? '', c.token);
      case 'CRAM-MD5':
        return c.password !== undefined && auth.validatePassword(c.password);
      default:
        return c.password !== undefined && same(auth.password ?? '', c.password);
    }
  });
}

/** Where a listener's lockout lives when it is shared: the state, the listener's id, a clock and a logger. */
export interface SharedLockout {
  state: SharedCaptureState;
  listenerId: string;
  logger: CaptureLogger;
  now?: () => number;
}

export class AuthPolicy {
  readonly lockout: AuthLockout | null;
  readonly #shared: SharedLockout | null;

  constructor(
    readonly config: AuthConfig | undefined,
    shared?: SharedLockout,
  ) {
    this.lockout = config?.lockout ? new AuthLockout(config.lockout) : null;
    this.#shared = config?.lockout && shared ? shared : null;
  }

  /**
   * A refusal for a client under lockout (sent before any AUTH exchange), or null; a promise when the lockout is
   * shared. A shared state that cannot be read refuses no one (capture goes on; the problem is logged).
   */
  refusal(client: string): SmtpReply | null | Promise<SmtpReply | null> {
    const shared = this.#shared;
    if (shared) {
      return shared.state.lockedFor(this.#scope, client, (shared.now ?? Date.now)()).then(
        (left) => (left > 0 ? lockedOut(left) : null),
        (err: unknown) => {
          this.#warn('read', err);
          return null;
        },
      );
    }
    const left = this.lockout?.lockedFor(client) ?? 0;
    return left > 0 ? lockedOut(left) : null;
  }

  get #scope(): string {
    return `auth:${this.#shared?.listenerId ?? ''}`;
  }

  #warn(what: string, err: unknown): void {
    this.#shared?.logger.warn(
      `listener "${this.#shared.listenerId}": could not ${what} the shared AUTH lockout: ${(err as Error).message}`,
    );
  }

  async #onAuthShared(
    shared: SharedLockout,
    auth: SMTPServerAuthentication,
    client: string,
    callback: AuthCallback,
  ): Promise<void> {
    const refused = await this.refusal(client);
    if (refused) return callback(refused);
    if (verify(auth, this.config?.credentials)) {
      await shared.state.authSucceeded(this.#scope, client).catch((err: unknown) => this.#warn('update', err));
      return callback(null, { user: { username: auth.username ?? '' } });
    }
    // Recorded before the 535 goes out, so the client's next connection (to any instance) sees the lock.
    await shared.state
      .authFailed(this.#scope, client, this.config!.lockout!, (shared.now ?? Date.now)())
      .catch((err: unknown) => this.#warn('update', err));
    callback(AUTH_INVALID());
  }

  /** The smtp-server onAuth hook. */
  readonly onAuth = (auth: SMTPServerAuthentication, session: SMTPServerSession, callback: AuthCallback): void => {
    const client = session.remoteAddress;
    if (this.#shared) {
      void this.#onAuthShared(this.#shared, auth, client, callback);
      return;
    }
    const refused = this.refusal(client) as SmtpReply | null; // not shared: synchronous
    if (refused) return callback(refused);
    if (verify(auth, this.config?.credentials)) {
      this.lockout?.succeed(client);
      // An object, so that an empty username still counts as logged in (smtp-server treats a falsy user as failure).
      return callback(null, { user: { username: auth.username ?? '' } });
    }
    // The failure that reaches the limit is still answered 535 (it was a wrong password); the lock answers
    // every later AUTH and connection with 421 until it runs out.
    this.lockout?.fail(client);
    callback(AUTH_INVALID());
  };
}
