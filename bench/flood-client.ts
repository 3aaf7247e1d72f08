// The flood's load client, its own process on the client core (so the runner's HTTP probes measure the server,
// not this event loop): S raw SMTP sockets each send an M MB message in paced writes and print the final
// reply of each as one JSON line. argv[2]: {"port", "streams", "messageMB"}.
import net from 'node:net';

export const FLOOD_DONE_PREFIX = 'FLOOD_DONE ';

/** Each write of a stream; with the pause below, each stream sends about 1.3 MB/s: "slow", like a remote client. */
const CHUNK_BYTES = 64 * 1024;
const CHUNK_PAUSE_MS = 50;
/** SMTP replies are short; a longer one is not the server under test. */
const MAX_REPLY_CHARS = 64 * 1024;

/** One deterministic block of 76-character lines (no leading dots), repeated to make any size. */
function bodyBlock(): Buffer {
  const line = 'Zmxvb2QgYm9keSBsaW5lIG9mIGEgbGFyZ2UgYmVuY2ggbWVzc2FnZSB3aXRoIGJhc2U2NCB0ZXh0\r\n';
  return Buffer.from(line.repeat(Math.floor(CHUNK_BYTES / line.length)), 'latin1');
}

/** Reads whole replies (the last line has a space after the code) off one socket. */
class Replies {
  #buffer = '';
  #waiter: (() => void) | null = null;
  #closed = false;
  constructor(socket: net.Socket) {
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => {
      this.#buffer += d;
      if (this.#buffer.length > MAX_REPLY_CHARS) socket.destroy();
      this.#waiter?.();
    });
    socket.on('close', () => {
      this.#closed = true;
      this.#waiter?.();
    });
  }

  async next(): Promise<string> {
    for (;;) {
      const m = /(?:^|\r\n)\d{3} [^\r\n]*\r\n$/.exec(this.#buffer);
      if (m) {
        const reply = this.#buffer;
        this.#buffer = '';
        return reply.trim();
      }
      if (this.#closed) return `closed: ${this.#buffer.trim() || 'no reply'}`;
      await new Promise<void>((r) => (this.#waiter = r));
      this.#waiter = null;
    }
  }
}

async function stream(port: number, i: number, totalBytes: number, block: Buffer, deadline: number): Promise<string> {
  const socket = net.connect({ host: '127.0.0.1', port });
  socket.on('error', () => undefined);
  const replies = new Replies(socket);
  const expect = async (what: string, code: string): Promise<void> => {
    const reply = await replies.next();
    if (!reply.startsWith(code)) throw new Error(`${what}: ${reply.slice(0, 200)}`);
  };
  try {
    await expect('greeting', '220');
    for (const [command, code] of [
      ['EHLO flood.test', '250'],
      ['MAIL FROM:<flood@example.test>', '250'],
      [`RCPT TO:<sink${i}@example.test>`, '250'],
      ['DATA', '354'],
    ] as const) {
      socket.write(`${command}\r\n`);
      await expect(command, code);
    }
    socket.write(
      `From: flood@example.test\r\nTo: sink${i}@example.test\r\nSubject: flood ${i}\r\nContent-Type: text/plain\r\n\r\n`,
    );
    for (let sent = 0; sent < totalBytes; sent += block.length) {
      if (Date.now() > deadline) throw new Error('deadline passed mid-DATA');
      if (!socket.write(block)) await new Promise((r) => socket.once('drain', r));
      await new Promise((r) => setTimeout(r, CHUNK_PAUSE_MS));
    }
    socket.write('.\r\n');
    const reply = await replies.next();
    socket.end('QUIT\r\n');
    return reply;
  } catch (err) {
    return (err as Error).message;
  } finally {
    setTimeout(() => socket.destroy(), 1000).unref();
  }
}

/** How long the streams may take at most: their paced time four times over (a loaded machine), plus a minute. */
export function floodDeadlineMs(messageMB: number): number {
  return 60_000 + ((messageMB * 1024 * 1024) / (CHUNK_BYTES / CHUNK_PAUSE_MS)) * 4;
}

async function main(): Promise<void> {
  const o = JSON.parse(process.argv[2] ?? '{}') as { port: number; streams: number; messageMB: number };
  const block = bodyBlock();
  const deadline = Date.now() + floodDeadlineMs(o.messageMB);
  const replies = await Promise.all(
    Array.from({ length: o.streams }, (_, i) => stream(o.port, i, o.messageMB * 1024 * 1024, block, deadline)),
  );
  process.stdout.write(`${FLOOD_DONE_PREFIX}${JSON.stringify(replies)}\n`);
}

if (process.argv[1] && /flood-client\.(ts|mjs)$/.test(process.argv[1])) {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
