// AUTH for one listener: checks PLAIN/LOGIN/CRAM-MD5/XOAUTH2 against the credential list (or accepts anyone),
// and counts failures per client address for the lockout. Must not import the store or electron.
import { timingSafeEqual, createHash } from 'node:crypto';
import type { SMTPServerAuthentication, SMTPServerAuthenticationResponse, SMTPServerSession } from 'smtp-server';
import type { AuthConfig, Credential } from './listener-config.js';
import { AuthLockout } from './policy.js';
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

export class AuthPolicy {
  readonly lockout: AuthLockout | null;

  constructor(readonly config: AuthConfig | undefined) {
    this.lockout = config?.lockout ? new AuthLockout(config.lockout) : null;
  }

  /** A refusal for a client under lockout (sent before any AUTH exchange), or null. */
  refusal(client: string): SmtpReply | null {
    const left = this.lockout?.lockedFor(client) ?? 0;
    return left > 0 ? lockedOut(left) : null;
  }

  /** The smtp-server onAuth hook. */
  readonly onAuth = (auth: SMTPServerAuthentication, session: SMTPServerSession, callback: AuthCallback): void => {
    const client = session.remoteAddress;
    const refused = this.refusal(client);
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
