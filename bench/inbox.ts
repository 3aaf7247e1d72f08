// Inbox figures at scale: fill one Mailwright store with many messages (mbox import in chunks),
// wait until it is idle and searchable, then time first-page listing and full-text searches.
import http from 'node:http';
import { listPage, searchTotal, waitIndexed } from './mailwright-api.js';
import { buildMbox, SHARED_TOKEN, tokenFor } from './messages.js';
import { startServer } from './servers.js';
import { median, percentile } from './stats.js';

/** ~26 MB of mbox per POST: big enough that HTTP overhead is noise, small enough to log progress per chunk. */
const IMPORT_CHUNK = 5000;
/** One import chunk parses and indexes in seconds; a minute means the server is stuck. */
const CHUNK_TIMEOUT_MS = 120_000;
const PAGE_SIZE = 50;

export interface TimedFigure {
  medianMs: number;
  p90Ms: number;
  samples: number;
}
export interface InboxResult {
  messages: number;
  fillMs: number;
  /** From the last import reply until count and search agree. */
  idleAfterMs: number;
  firstPage: TimedFigure;
  tokenSearch: TimedFigure;
  wordSearch: TimedFigure;
  rssMB: number | null;
}

export async function timed(samples: number, fn: (i: number) => Promise<void>): Promise<TimedFigure> {
  await fn(-1); // warm-up: first request pays for connection set-up and cold pages
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const t0 = performance.now();
    await fn(i);
    times.push(performance.now() - t0);
  }
  return { medianMs: median(times), p90Ms: percentile(times, 90), samples };
}

/**
 * POSTs one mbox chunk on a connection of its own: a kept-alive one may have been closed by the server's idle
 * timer while the previous chunk was indexed, and the upload then fails with EPIPE ("fetch failed").
 */
async function importChunk(base: string, start: number, count: number): Promise<void> {
  const body = buildMbox('5k', start, count);
  const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = http.request(
      `${base}/api/messages/import?filename=bench-${start}.mbox`,
      {
        method: 'POST',
        agent: false,
        headers: { 'Content-Type': 'application/mbox', 'Content-Length': body.length },
        timeout: CHUNK_TIMEOUT_MS,
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`import of messages at ${start} took over ${CHUNK_TIMEOUT_MS} ms`)));
    req.on('error', reject);
    req.end(body);
  });
  if (status !== 200)
    throw new Error(`import of messages ${start}..${start + count - 1} -> ${status} ${text.slice(0, 300)}`);
  const reply = JSON.parse(text) as { imported?: number; value?: { imported: number } };
  const imported = reply.imported ?? reply.value?.imported;
  if (imported !== count)
    throw new Error(`import of ${count} messages at ${start} imported ${imported}: ${text.slice(0, 300)}`);
}

/** The default retention (50,000 messages) would prune the store we are filling: lift it for this run. */
async function unlimitedRetention(base: string): Promise<void> {
  const res = await fetch(`${base}/api/settings`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ retention: { maxMessages: 0, maxBytes: 0 } }),
    signal: AbortSignal.timeout(10_000),
  });
  if (!res.ok) throw new Error(`PUT /api/settings -> ${res.status} ${(await res.text()).slice(0, 200)}`);
}

/** Imports `total` 5 KB messages and waits until they are all listed and searchable; returns both timings. */
export async function fillInbox(
  base: string,
  total: number,
  log: (l: string) => void,
): Promise<{ fillMs: number; idleAfterMs: number }> {
  await unlimitedRetention(base);
  const t0 = performance.now();
  for (let start = 0; start < total; start += IMPORT_CHUNK) {
    await importChunk(base, start, Math.min(IMPORT_CHUNK, total - start));
    if ((start / IMPORT_CHUNK) % 4 === 3)
      log(
        `  imported ${Math.min(total, start + IMPORT_CHUNK)}/${total} (${((performance.now() - t0) / 1000).toFixed(0)} s)`,
      );
  }
  const fillMs = performance.now() - t0;
  const sample = [0, Math.floor(total / 2), total - 1];
  const idleAfterMs = await waitIndexed(
    base,
    {
      count: total,
      expect: [{ query: SHARED_TOKEN, total }, ...sample.map((i) => ({ query: tokenFor(i), total: 1 }))],
    },
    120_000 + total * 3,
  );
  log(
    `  ${total} messages stored and searchable after ${(fillMs / 1000).toFixed(1)} s (+${idleAfterMs.toFixed(0)} ms to idle)`,
  );
  return { fillMs, idleAfterMs };
}

export async function runInbox(total: number, samples: number, log: (l: string) => void): Promise<InboxResult> {
  const server = await startServer('mailwright');
  try {
    const base = server.http;
    if (!base) throw new Error('Mailwright gave no HTTP address');
    const { fillMs, idleAfterMs } = await fillInbox(base, total, log);
    const firstPage = await timed(samples, async () => {
      const got = await listPage(base, PAGE_SIZE);
      if (got !== PAGE_SIZE) throw new Error(`first page had ${got} messages, not ${PAGE_SIZE}`);
    });
    // A different token each time, so no answer can come from a cache of the previous query.
    const tokenSearch = await timed(samples, async (i) => {
      const idx = i < 0 ? 1 : Math.floor(((i + 1) * total) / (samples + 1));
      const got = await searchTotal(base, tokenFor(idx), PAGE_SIZE);
      if (got !== 1) throw new Error(`search for ${tokenFor(idx)} found ${got}, not 1`);
    });
    // A common word matches every message: the search has to rank or count the whole index.
    const words = ['invoice', 'shipping', 'delivery', 'discount', 'calendar', 'payment'];
    const wordSearch = await timed(samples, async (i) => {
      const got = await searchTotal(base, words[Math.abs(i) % words.length] ?? 'invoice', PAGE_SIZE);
      if (got <= 0) throw new Error('a common-word search found nothing');
    });
    return {
      messages: total,
      fillMs,
      idleAfterMs,
      firstPage,
      tokenSearch,
      wordSearch,
      rssMB: server.mem()?.rssMB ?? null,
    };
  } finally {
    await server.stop();
  }
}
