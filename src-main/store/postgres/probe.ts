// A connection test for a PostgreSQL database someone means to use: connect (bounded), log in, read the server
// version and Mailwright's schema version, and change nothing. Failures are worded by explainPgError, as at
// start-up, and the password is never part of the answer.
import pg from 'pg';
import { MailwrightError, type StoreTestResult } from '../../../src-shared/index.js';
import { clientConfig, describeTarget, explainPgError, parseStoreUrl } from './connection.js';
import { PG_MIGRATIONS } from './schema.js';

/** How long a test waits for the server to accept and log in before it says so. */
export const PROBE_TIMEOUT_MS = 5_000;

export interface StoreProbe {
  url: string;
  /** Overrides a password in the URL. */
  password?: string;
  timeoutMs?: number;
}

/** The URL with `password` as its password (or as it is when none is given). */
export function withPassword(url: string, password: string | undefined): string {
  if (password === undefined) return url;
  const u = new URL(url);
  u.password = encodeURIComponent(password);
  return u.href;
}

/** Takes every spelling of the password out of a text that came back from the server or the driver. */
function scrub(text: string, passwords: readonly string[]): string {
  let out = text;
  for (const p of passwords) {
    if (p.length === 0) continue;
    for (const form of new Set([p, encodeURIComponent(p)])) out = out.split(form).join('***');
  }
  return out;
}

/** Throws 'invalid_argument' (field `url`) for a URL that is not a PostgreSQL one; any other outcome is an answer. */
export async function probeStore(probe: StoreProbe): Promise<StoreTestResult> {
  let target;
  try {
    target = parseStoreUrl(probe.url);
  } catch (err) {
    if (err instanceof MailwrightError) throw new MailwrightError(err.code, err.message, 'url');
    throw err;
  }
  const inUrl = (() => {
    try {
      return decodeURIComponent(new URL(probe.url).password);
    } catch {
      return '';
    }
  })();
  const secrets = [inUrl, probe.password ?? ''];
  const started = performance.now();
  const expected = PG_MIGRATIONS.at(-1)?.version ?? 0;
  const base = { location: describeTarget(target), database: target.database, user: target.user };
  const timeoutMs = probe.timeoutMs ?? PROBE_TIMEOUT_MS;
  const client = new pg.Client(
    clientConfig(withPassword(probe.url, probe.password), {
      connectionTimeoutMillis: timeoutMs,
      // Once logged in, a statement that hangs is bounded too.
      query_timeout: timeoutMs,
      keepAlive: false,
      application_name: 'mailwright connection test',
    }),
  );
  // A socket error after connect emits 'error' besides failing the query; the query reports it.
  client.on('error', () => {});
  let connected = false;
  try {
    await client.connect();
    connected = true;
    const version = await client.query<{ server_version: string }>('SHOW server_version');
    const table = await client.query<{ t: string | null }>("SELECT to_regclass('mailwright_schema')::text AS t");
    const found = table.rows[0]?.t
      ? ((await client.query<{ version: number }>('SELECT version FROM mailwright_schema')).rows[0]?.version ?? 0)
      : 0;
    const state = found === 0 ? 'none' : found === expected ? 'current' : found < expected ? 'older' : 'newer';
    return {
      ...base,
      reachable: true,
      problem:
        state === 'newer'
          ? `[store] ${base.location} holds Mailwright schema version ${found}, newer than this Mailwright knows (${expected}); use a newer Mailwright or another database`
          : null,
      serverVersion: version.rows[0]?.server_version ?? null,
      schema: { state, found, expected },
      usable: state !== 'newer',
      elapsedMs: Math.round(performance.now() - started),
    };
  } catch (err) {
    return {
      ...base,
      reachable: connected,
      problem: scrub(explainPgError(err, target).message, secrets),
      serverVersion: null,
      schema: null,
      usable: false,
      elapsedMs: Math.round(performance.now() - started),
    };
  } finally {
    await client.end().catch(() => {});
  }
}
