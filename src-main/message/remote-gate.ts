// Who may turn remote content on in a preview: whoever holds that message's remote-content key.
// The key is an HMAC of the message id under a secret made when the process starts and never written anywhere,
// so a link inside a message (`<a href="?remote=1">`) cannot turn remote content on: the message cannot know it.
// The UI gets the key through the contract (messages.remoteContentKey), never inside the preview document.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { MailwrightError } from '../../src-shared/index.js';

/** The `remote=` value (or its absence) that keeps remote content blocked. */
export const REMOTE_BLOCKED = '0';

/** HMAC-SHA256's own block of strength: a shorter secret weakens the key, a longer one adds nothing. */
const SECRET_BYTES = 32;

export class RemoteContentGate {
  readonly #secret: Buffer;

  constructor(secret: Buffer = randomBytes(SECRET_BYTES)) {
    this.#secret = secret;
  }

  /** The `remote=` value that lets message `id`'s preview load remote content, for this process's life. */
  keyFor(id: number): string {
    return createHmac('sha256', this.#secret).update(`remote-content:${id}`).digest('base64url');
  }

  /**
   * Reads a preview request's `remote=` value: absent or "0" keeps remote content blocked, the message's key
   * allows it. Anything else is refused (forbidden) rather than read as "blocked", so a stale or guessed key
   * is an error the caller sees, not a silent downgrade.
   */
  allowsRemote(id: number, remote: string | null): boolean {
    if (remote === null || remote === REMOTE_BLOCKED) return false;
    const expected = Buffer.from(this.keyFor(id));
    const given = Buffer.from(remote);
    if (given.length === expected.length && timingSafeEqual(given, expected)) return true;
    throw new MailwrightError(
      'forbidden',
      `remote must be ${REMOTE_BLOCKED} or this message's key from messages.remoteContentKey`,
      'remote',
    );
  }
}
