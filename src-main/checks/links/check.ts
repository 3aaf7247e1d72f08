// The link check: each URL is fetched with HEAD (GET when a server answers HEAD wrongly; the body is never read),
// redirects are followed by hand (`redirect: 'manual'`, at most MAX_REDIRECTS), and every hop's host is resolved
// through the checks resolver and each of its addresses vetted before a socket opens. undici then connects to
// exactly those addresses (the Agent's lookup answers from the vetted list), so a name cannot rebind to a private
// address between the check and the connect. Requests to one host are spaced out; a few hosts run at once.
// One-time-looking links (unsubscribe, confirm, tokens) are not fetched unless the caller names them.
// Must not import electron, serve/ or another capability's folder.
import http from 'node:http';
import net from 'node:net';
import type * as Undici from 'undici';
import { lazyRequire } from '../../core/lazy.js';
import type { LinkHop, LinkResult } from '../../../src-shared/contract/checks.js';
import { MAX_REDIRECTS, MAX_URL_CHARS } from '../../../src-shared/contract/checks.js';
import type { RecordingResolver } from '../dns/resolver.js';
import { oneTimeReason, type FoundUrl } from './extract.js';

/** undici loads with the first link check (most runs never check links). */
const undici = lazyRequire<typeof Undici>('undici');
type Agent = Undici.Agent;

export interface LinkCheckOptions {
  resolver: RecordingResolver;
  allowPrivate: boolean;
  /** Non-public addresses reached even when allowPrivate is off (one known local service, not the whole range). */
  allowAddresses?: readonly string[];
  followRedirects: boolean;
  /** For one link's whole chain. */
  timeoutMs: number;
  /** URLs the user confirmed: checked even though they look one-time. */
  confirmed: ReadonlySet<string>;
  /** Gap between two requests to one host (the per-host rate limit). */
  hostIntervalMs?: number;
  /** Links checked at once (each host still one request per interval). */
  concurrency?: number;
  userAgent: string;
}

/** A polite pace for one host: a newsletter with 40 links to one site takes 10 s, not a burst of 40 requests. */
export const DEFAULT_HOST_INTERVAL_MS = 250;
const DEFAULT_CONCURRENCY = 4;
/** HEAD answers that servers give HEAD alone (not allowed, not implemented, or a blanket refusal): ask with GET. */
const RETRY_WITH_GET = new Set([400, 403, 405, 406, 500, 501, 502, 503]);
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** Addresses no link check reaches unless allowed: loopback, private, link-local, shared, reserved, multicast. */
const NON_PUBLIC = new net.BlockList();
for (const [prefix, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  NON_PUBLIC.addSubnet(prefix, bits, 'ipv4');
for (const [prefix, bits] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b:1::', 48],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  NON_PUBLIC.addSubnet(prefix, bits, 'ipv6');

export function isNonPublic(address: string): boolean {
  const family = net.isIPv6(address) ? 'ipv6' : 'ipv4';
  return NON_PUBLIC.check(address, family);
}

class Refused extends Error {}

/** Checks every URL; results come back in the order given. */
export async function checkLinks(urls: readonly FoundUrl[], options: LinkCheckOptions): Promise<LinkResult[]> {
  const vetted = new Map<string, { address: string; family: 4 | 6 }[]>();
  const agent = new (undici().Agent)({
    connect: {
      // Answers only from what was vetted for this run; an unvetted name never resolves.
      lookup(hostname, opts, callback) {
        const list = vetted.get(hostname.toLowerCase());
        if (!list?.length) {
          callback(Object.assign(new Error(`${hostname} was not vetted`), { code: 'ENOTFOUND' }), '', 4);
          return;
        }
        if ((opts as { all?: boolean }).all) (callback as unknown as (e: null, a: typeof list) => void)(null, list);
        else callback(null, list[0]!.address, list[0]!.family);
      },
    },
    // A pool is per origin, so a kept-alive socket only ever serves the name it was vetted for.
    connections: 2,
  });
  const pacer = new HostPacer(options.hostIntervalMs ?? DEFAULT_HOST_INTERVAL_MS);
  const results: LinkResult[] = new Array<LinkResult>(urls.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < urls.length) {
      const i = next++;
      const found = urls[i]!;
      results[i] = await checkOne(found, options, vetted, agent, pacer);
    }
  };
  try {
    await Promise.all(
      Array.from({ length: Math.min(options.concurrency ?? DEFAULT_CONCURRENCY, urls.length) }, worker),
    );
  } finally {
    await agent.destroy().catch(() => undefined);
  }
  return results;
}

async function checkOne(
  found: FoundUrl,
  options: LinkCheckOptions,
  vetted: Map<string, { address: string; family: 4 | 6 }[]>,
  agent: Agent,
  pacer: HostPacer,
): Promise<LinkResult> {
  const base: LinkResult = {
    url: found.url,
    kind: found.kind,
    sources: found.sources,
    state: 'error',
    oneTime: found.kind === 'link' ? oneTimeReason(found.url) : null,
    status: null,
    statusText: null,
    chain: [],
    finalUrl: null,
    timeMs: null,
    detail: null,
  };
  if (found.url.length > MAX_URL_CHARS)
    return { ...base, detail: `The URL is ${found.url.length} characters long; it is not fetched.` };
  let url: URL;
  try {
    url = new URL(found.url);
  } catch {
    return { ...base, detail: 'Not an absolute URL, so there is nothing to fetch (mail has no base address).' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return { ...base, state: 'refused', detail: `${url.protocol} links are not fetched; only http and https are.` };
  const confirmed = options.confirmed.has(found.url);
  if (base.oneTime && !confirmed)
    return {
      ...base,
      state: 'confirm',
      detail: `Not followed: ${base.oneTime}, so visiting it may act (unsubscribe, confirm, sign in). Confirm to check it.`,
    };

  const started = performance.now();
  const signal = AbortSignal.timeout(options.timeoutMs);
  const chain: LinkHop[] = [];
  const seen = new Set<string>();
  let current = url;
  const finish = (patch: Partial<LinkResult>): LinkResult => ({
    ...base,
    chain,
    finalUrl: chain.at(-1)?.url ?? null,
    timeMs: chain.length ? Math.round(performance.now() - started) : null,
    ...patch,
  });
  try {
    for (let hop = 0; ; hop++) {
      const addresses = await vet(current, options, vetted);
      const key = current.href;
      const loop = seen.has(key);
      seen.add(key);
      const answer = await fetchStatus(current, addresses, agent, pacer, signal, options.userAgent);
      chain.push(answer.hop);
      const status = answer.hop.status!;
      const location = answer.location;
      if (!REDIRECTS.has(status) || !options.followRedirects) {
        return finish({
          state: status < 400 ? 'ok' : 'broken',
          status,
          statusText: answer.statusText,
          detail: REDIRECTS.has(status) && location ? `Redirects to ${location} (not followed).` : null,
        });
      }
      if (!location)
        return finish({
          state: 'broken',
          status,
          statusText: answer.statusText,
          detail: 'A redirect without a Location.',
        });
      if (hop >= MAX_REDIRECTS)
        return finish({
          state: 'error',
          status,
          statusText: answer.statusText,
          detail: `More than ${MAX_REDIRECTS} redirects${loop ? ` (a loop: ${key} came back)` : ''}; stopped.`,
        });
      let target: URL;
      try {
        target = new URL(location, current);
      } catch {
        return finish({
          state: 'broken',
          status,
          detail: `The redirect goes to "${location.slice(0, 200)}", not a URL.`,
        });
      }
      if (target.protocol !== 'http:' && target.protocol !== 'https:')
        return finish({
          state: 'refused',
          status,
          detail: `Redirects to a ${target.protocol} URL, which is not fetched.`,
        });
      const reason = confirmed ? null : oneTimeReason(target.href);
      if (reason && found.kind === 'link')
        return finish({
          state: 'confirm',
          status,
          statusText: answer.statusText,
          oneTime: `it redirects to ${target.href}: ${reason}`,
          detail: `Stopped before ${target.href}: ${reason}. Confirm the link to follow it.`,
        });
      current = target;
    }
  } catch (err) {
    if (err instanceof Refused) return finish({ state: 'refused', detail: err.message });
    const timedOut = signal.aborted;
    return finish({
      state: 'error',
      detail: timedOut
        ? `No answer from ${current.host} within ${options.timeoutMs} ms (timed out).`
        : `${current.host}: ${describe(err)}`,
    });
  }
}

/** Resolves a hop's host through the checks resolver and vets every address; throws Refused or a DNS error. */
async function vet(
  url: URL,
  options: LinkCheckOptions,
  vetted: Map<string, { address: string; family: 4 | 6 }[]>,
): Promise<string[]> {
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  let addresses: string[];
  if (net.isIP(host)) addresses = [host];
  else if (host === 'localhost' || host.endsWith('.localhost')) addresses = ['127.0.0.1', '::1'];
  else {
    const [a, aaaa] = await Promise.all([options.resolver.lookup(host, 'A'), options.resolver.lookup(host, 'AAAA')]);
    addresses = [...a.answer.records, ...aaaa.answer.records].filter((x) => net.isIP(x));
    if (addresses.length === 0) {
      const worst = [a.answer, aaaa.answer].find((x) => x.status !== 'nodata' && x.status !== 'ok') ?? a.answer;
      throw new Error(worst.detail ?? `${host} has no A or AAAA record`);
    }
  }
  const blocked = addresses.filter((x) => isNonPublic(x) && !options.allowAddresses?.includes(x));
  if (blocked.length && !options.allowPrivate)
    throw new Refused(
      `${host} is ${blocked.join(', ')}, a loopback or private address; allow private addresses to check it.`,
    );
  vetted.set(
    host,
    addresses.map((address) => ({ address, family: net.isIPv6(address) ? 6 : 4 })),
  );
  return addresses;
}

interface HopAnswer {
  hop: LinkHop;
  statusText: string;
  location: string | null;
}

/** HEAD, then GET when HEAD was answered wrongly; the body is cancelled as soon as the status is in. */
async function fetchStatus(
  url: URL,
  addresses: string[],
  agent: Agent,
  pacer: HostPacer,
  signal: AbortSignal,
  userAgent: string,
): Promise<HopAnswer> {
  let answer = await request('HEAD', url, addresses, agent, pacer, signal, userAgent).catch((err: unknown) => {
    const code = (err as { cause?: { code?: string } }).cause?.code ?? '';
    if (signal.aborted || /^(ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ENETUNREACH)$|CERT|SSL|TLS/.test(code)) throw err;
    return null; // a server that drops the connection on HEAD gets one GET
  });
  if (answer === null || RETRY_WITH_GET.has(answer.hop.status!))
    answer = await request('GET', url, addresses, agent, pacer, signal, userAgent);
  return answer;
}

async function request(
  method: 'HEAD' | 'GET',
  url: URL,
  addresses: string[],
  agent: Agent,
  pacer: HostPacer,
  signal: AbortSignal,
  userAgent: string,
): Promise<HopAnswer> {
  await pacer.wait(url.host, signal);
  const started = performance.now();
  const res = await undici().fetch(url, {
    method,
    redirect: 'manual',
    dispatcher: agent,
    signal,
    headers: { 'user-agent': userAgent, accept: '*/*' },
  });
  // Only the status line and headers were read; cancelling stops the body where it is.
  await res.body?.cancel().catch(() => undefined);
  return {
    hop: {
      url: url.href,
      status: res.status,
      method,
      addresses,
      timeMs: Math.round(performance.now() - started),
    },
    statusText: res.statusText || http.STATUS_CODES[res.status] || '',
    location: res.headers.get('location'),
  };
}

function describe(err: unknown): string {
  const e = err as { message?: string; cause?: { code?: string; message?: string } };
  const cause = e.cause;
  if (cause?.code === 'ECONNREFUSED') return 'connection refused';
  if (cause?.code === 'ECONNRESET') return 'the connection was reset';
  if (cause?.code && /CERT|SSL|TLS/.test(cause.code)) return `TLS failed (${cause.code})`;
  return cause?.message ?? e.message ?? String(err);
}

/** Spaces requests to one host `interval` ms apart, in the order they asked. */
class HostPacer {
  readonly #next = new Map<string, number>();
  readonly #interval: number;

  constructor(interval: number) {
    this.#interval = interval;
  }

  async wait(host: string, signal: AbortSignal): Promise<void> {
    const now = performance.now();
    const at = Math.max(now, this.#next.get(host) ?? 0);
    this.#next.set(host, at + this.#interval);
    if (at <= now) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, at - now);
      signal.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          reject(signal.reason as Error);
        },
        { once: true },
      );
    });
  }
}
