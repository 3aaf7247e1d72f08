// A local speed check, not a timed test: it prints numbers and asserts only correctness.
// Run: MAILWRIGHT_PERF=1 npx vitest run test/integration/store/perf.local.test.ts
import { performance } from 'node:perf_hooks';
import { afterAll, describe, expect, it } from 'vitest';
import { envelope, openTemp, type Harness } from './helpers.js';

const ENABLED = process.env.MAILWRIGHT_PERF === '1';
const LIST_SIZE = Number(process.env.MAILWRIGHT_PERF_MESSAGES ?? 100_000);

// A Zipf-like vocabulary so search terms have realistic selectivity.
const VOCAB = Array.from({ length: 5000 }, (_, i) => `w${i.toString(36)}x${(i * 7919) % 1000}`);
let seed = 42;
function rand(): number {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed / 0x7fffffff;
}
function word(): string {
  return VOCAB[Math.floor(VOCAB.length * rand() ** 3)]!;
}
function text(chars: number): string {
  const out: string[] = [];
  let n = 0;
  while (n < chars) {
    const line = Array.from({ length: 10 }, word).join(' ');
    out.push(line);
    n += line.length + 2;
  }
  return out.join('\r\n');
}
function mail(i: number, bodyChars: number): Buffer {
  return Buffer.from(
    [`From: User ${i % 500} <user${i % 500}@example.test>`, `To: rcpt${i % 97}@example.test`, `Subject: ${word()} ${word()} order ${i}`,
      `Message-ID: <m${i}@example.test>`, 'Date: Mon, 02 Nov 2026 10:00:00 +0000', '', text(bodyChars), ''].join('\r\n'),
  );
}
function median(fn: () => void, runs = 30): number {
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const s = performance.now();
    fn();
    t.push(performance.now() - s);
  }
  t.sort((a, b) => a - b);
  return Math.round(t[Math.floor(runs / 2)]! * 100) / 100;
}

describe.skipIf(!ENABLED)('store speed (local check)', () => {
  let h: Harness;
  afterAll(() => h?.cleanup());

  it('ingests 5 KB messages', async () => {
    h = openTemp({ retention: { maxMessages: 0, maxBytes: 0 } });
    const N = 20_000;
    const raws = Array.from({ length: N }, (_, i) => mail(i, 4800));
    const start = performance.now();
    // 100 in flight at a time, like 100 SMTP connections waiting on their 250.
    for (let i = 0; i < N; i += 100) await Promise.all(raws.slice(i, i + 100).map((r) => h.store.ingest(r, envelope())));
    const commitS = (performance.now() - start) / 1000;
    await h.store.idle();
    const totalS = (performance.now() - start) / 1000;
    console.log(`[perf] ingest ${N} x ${raws[0]!.length} B: ${Math.round(N / commitS)} msg/s committed; derived+indexed all in ${totalS.toFixed(1)} s (${Math.round(N / totalS)} msg/s)`);
    expect(h.store.stats().count).toBe(N);
    await h.cleanup();
  }, 600_000);

  it(`lists and searches ${LIST_SIZE} messages`, async () => {
    h = openTemp({ retention: { maxMessages: 0, maxBytes: 0 } });
    const start = performance.now();
    for (let i = 0; i < LIST_SIZE; i += 500) {
      await Promise.all(Array.from({ length: Math.min(500, LIST_SIZE - i) }, (_, k) => h.store.ingest(mail(i + k, 1500), envelope())));
    }
    await h.store.idle();
    console.log(`[perf] filled ${LIST_SIZE} messages in ${((performance.now() - start) / 1000).toFixed(1)} s`);
    h.store.markRead(Array.from({ length: 1000 }, (_, i) => i + 1), true);
    const queries = ['', VOCAB[0]!, VOCAB[300]!, VOCAB[4000]!, 'w1', 'order', `"${VOCAB[0]} ${VOCAB[1]}"`, 'from:user7', 'to:rcpt3@example.test',
      `subject:${VOCAB[2]}`, 'is:unread', 'is:read', 'has:attachment', 'w1x*', `-${VOCAB[0]}`, `${VOCAB[0]} is:unread after:2020-01-01`, 'nomatchword'];
    for (const query of queries) {
      const page = h.store.list({ query });
      const ms = median(() => h.store.list({ query }));
      console.log(`[perf] list(${JSON.stringify(query)}) median ${ms} ms, total ${page.total}`);
      expect(page.total).toBeGreaterThanOrEqual(0);
    }
    expect(h.store.list({}).total).toBe(LIST_SIZE);
  }, 1_200_000);
});
