// What the Mailpit and MailHog adapters share: their id and reply conventions, and the paging every
// "all messages matching" route needs. Shape mapping only: every action is a verb called through deps.invoke.
import type { CallName, CallResult, Result } from '../../src-shared/index.js';
import { MAX_PAGE_SIZE, MailwrightError } from '../../src-shared/index.js';
import type { CapabilityDeps } from '../core/capability.js';
import type { Reply } from '../core/rest.js';

export type Invoke = CapabilityDeps['invoke'];

export function text(body: string, status = 200, type = 'text/plain; charset=utf-8'): Reply {
  return { status, headers: { 'Content-Type': type, 'Cache-Control': 'no-store' }, body };
}

/**
 * JSON with the content type the emulated server sends (MailHog sends `text/json`). Encoded once here: a MailHog
 * page carries every message's raw bytes (~800 KB for 50), and a string body is encoded twice (length and write).
 */
export function jsonAs(value: unknown, type = 'application/json', status = 200): Reply {
  return {
    status,
    headers: { 'Content-Type': type, 'Cache-Control': 'no-store' },
    body: Buffer.from(JSON.stringify(value)),
  };
}

/** A numeric id as both APIs spell it (a string); anything else is an id that cannot exist. */
export function numericId(value: string | undefined): number | null {
  return value !== undefined && /^[1-9]\d{0,15}$/.test(value) && Number.isSafeInteger(Number(value))
    ? Number(value)
    : null;
}

/** Unwraps a verb's result; a failure is thrown so the binding answers with its mapped status. */
export async function call<K extends CallName>(invoke: Invoke, name: K, args: unknown): Promise<CallResult<K>> {
  const result: Result<CallResult<K>> = await invoke(name, args);
  if (!result.ok) throw new MailwrightError(result.error.code, result.error.message, result.error.field);
  return result.value;
}

/**
 * Every id matching a Mailwright query (all messages when it is empty), newest first, read page by page. The page
 * count is bounded by what was there when it started (plus one page for mail that arrives meanwhile).
 */
export async function allIds(invoke: Invoke, query: string): Promise<number[]> {
  const ids: number[] = [];
  const q = query ? { query } : {};
  const first = await call(invoke, 'messages.list', { ...q, limit: MAX_PAGE_SIZE, offset: 0 });
  ids.push(...first.messages.map((m) => m.id));
  const pages = Math.ceil(first.total / MAX_PAGE_SIZE) + 1;
  for (let page = 1; page < pages && ids.length < first.total; page++) {
    const next = await call(invoke, 'messages.list', { ...q, limit: MAX_PAGE_SIZE, offset: page * MAX_PAGE_SIZE });
    if (next.messages.length === 0) break;
    ids.push(...next.messages.map((m) => m.id));
  }
  return [...new Set(ids)];
}

/** Runs a verb that takes `ids` over any number of them, a page at a time. */
export async function inPages(ids: readonly number[], run: (page: number[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < ids.length; i += MAX_PAGE_SIZE) await run(ids.slice(i, i + MAX_PAGE_SIZE));
}
