// The few Mailwright REST calls the benchmarks need: status, search totals, and a bounded
// wait until a run's messages are stored and findable by full-text search.
import { sleep } from './proc.js';

/** One API call that takes longer than this is a hang, not a slow answer. */
const REQUEST_TIMEOUT_MS = 10_000;

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  if (!res.ok) throw new Error(`GET ${url} -> ${res.status} ${(await res.text()).slice(0, 200)}`);
  const body = await res.json();
  // Accept both a bare value and the contract's Result envelope.
  if (body && typeof body === 'object' && 'ok' in body && 'value' in body) return (body as { value: T }).value;
  return body as T;
}

export async function messageCount(base: string): Promise<number> {
  return (await getJson<{ messageCount: number }>(`${base}/api/status`)).messageCount;
}

export async function searchTotal(base: string, query: string, limit = 1): Promise<number> {
  return (await getJson<{ total: number }>(`${base}/api/messages?query=${encodeURIComponent(query)}&limit=${limit}`))
    .total;
}

export async function listPage(base: string, limit: number): Promise<number> {
  return (await getJson<{ messages: unknown[] }>(`${base}/api/messages?limit=${limit}`)).messages.length;
}

export interface IndexedCheck {
  /** Each query and the total it must reach. */
  expect: { query: string; total: number }[];
  count: number;
}

/** Polls until messageCount and every search total match; returns ms waited, or throws with what was missing. */
export async function waitIndexed(base: string, check: IndexedCheck, timeoutMs: number): Promise<number> {
  const t0 = performance.now();
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const count = await messageCount(base);
      const missing: string[] = count === check.count ? [] : [`messageCount ${count}/${check.count}`];
      if (missing.length === 0) {
        for (const e of check.expect) {
          const got = await searchTotal(base, e.query);
          if (got !== e.total) missing.push(`search "${e.query}" ${got}/${e.total}`);
        }
      }
      if (missing.length === 0) return performance.now() - t0;
      last = missing.join(', ');
    } catch (err) {
      last = (err as Error).message;
    }
    await sleep(25);
  }
  throw new Error(`NOT INDEXED after ${timeoutMs} ms: ${last}`);
}
