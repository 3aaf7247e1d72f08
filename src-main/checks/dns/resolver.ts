// One resolver for every check: the system's servers or the user's (`host:port` allowed), a cache that keeps each
// answer for its TTL, a timeout on every query, and a log of the answers each check used so the UI can show them.
// Queries go over UDP with EDNS0 (4096-byte answers, so 2048-bit DKIM keys fit) using dns2's packet codec.
// Must not import electron, serve/ or another capability's folder.
import crypto from 'node:crypto';
import dgram from 'node:dgram';
import dns from 'node:dns';
import net from 'node:net';
import DNS from 'dns2';

const { Packet } = DNS;

export const RECORD_TYPES = ['A', 'AAAA', 'TXT', 'MX', 'CNAME', 'PTR', 'NS'] as const;
export type RecordType = (typeof RECORD_TYPES)[number];

export type LookupStatus = 'ok' | 'nxdomain' | 'nodata' | 'timeout' | 'servfail' | 'refused' | 'error';

/** One answer as a check used it: enough to show the user which records a verdict rests on. */
export interface DnsAnswer {
  name: string;
  type: RecordType;
  /** `host:port` of the server that answered (or was waited for), `cache` when no query was sent. */
  server: string;
  status: LookupStatus;
  /** Records as text: TXT strings joined, MX as `10 mx.example.com`. */
  records: string[];
  /** Seconds the answer may be kept (the smallest record TTL); null when nothing was cached. */
  ttl: number | null;
  cached: boolean;
  /** Plain words for anything but ok. */
  detail?: string;
}

export interface MxRecord {
  exchange: string;
  priority: number;
}

interface Lookup {
  answer: Omit<DnsAnswer, 'cached'>;
  /** Records as node's dns.promises.resolve gives them (what mailauth expects). */
  values: unknown[];
}

export interface ResolverOptions {
  /** `1.1.1.1`, `127.0.0.1:5353`, `[::1]:53`; empty means the system's servers (/etc/resolv.conf). */
  servers: readonly string[];
  /** How long to wait for one server before trying the next. */
  timeoutMs: number;
  /** Clock for the cache, in ms (tests move it instead of sleeping). */
  now?: () => number;
}

/** A day: a record asking to be kept longer is still looked up again daily, in case it was a typo. */
const MAX_TTL_SECONDS = 24 * 60 * 60;
/** NXDOMAIN/NODATA without an SOA in the answer: kept a minute, like most resolvers' negative cache floor. */
const DEFAULT_NEGATIVE_TTL_SECONDS = 60;
/** Enough for every lookup of a few thousand messages' checks; the oldest entries go first past it. */
const MAX_CACHE_ENTRIES = 10_000;
/** RFC 6891 payload size: a 4096-bit DKIM key record fits without falling back to TCP. */
const EDNS_PAYLOAD_BYTES = 4096;
/** A name longer than this is not a DNS name (RFC 1035: 255 octets on the wire). */
const MAX_NAME_CHARS = 253;

export interface Server {
  host: string;
  port: number;
}

/** `host`, `host:port`, `[v6]`, `[v6]:port` or a bare IPv6 address; throws on anything else. */
export function parseServer(text: string): Server {
  const t = text.trim();
  const bracket = /^\[([0-9a-fA-F:.]+)\](?::(\d{1,5}))?$/.exec(t);
  if (bracket?.[1] && net.isIPv6(bracket[1])) return { host: bracket[1], port: port(bracket[2] ?? '53', text) };
  if (net.isIPv6(t)) return { host: t, port: 53 };
  const plain = /^([0-9.]+)(?::(\d{1,5}))?$/.exec(t);
  if (plain?.[1] && net.isIPv4(plain[1])) return { host: plain[1], port: port(plain[2] ?? '53', text) };
  throw new Error(`DNS server "${text}" is not an IP address with an optional :port`);
}

function port(value: string, text: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`DNS server "${text}" has no valid port`);
  return n;
}

export function formatServer(s: Server): string {
  return net.isIPv6(s.host) ? `[${s.host}]:${s.port}` : `${s.host}:${s.port}`;
}

export class DnsResolver {
  readonly #servers: Server[];
  readonly #timeoutMs: number;
  readonly #now: () => number;
  readonly #cache = new Map<string, { expires: number; lookup: Lookup }>();
  readonly #inFlight = new Map<string, Promise<Lookup>>();

  constructor(options: ResolverOptions) {
    const configured = options.servers.length ? options.servers : dns.getServers();
    this.#servers = configured.map(parseServer);
    this.#timeoutMs = options.timeoutMs;
    this.#now = options.now ?? Date.now;
  }

  get servers(): string[] {
    return this.#servers.map(formatServer);
  }

  /** Looks a name up (cache first); never throws: a failure is an answer with its status. */
  async lookup(name: string, type: RecordType): Promise<{ answer: DnsAnswer; values: unknown[] }> {
    const qname = name.trim().replace(/\.$/, '').toLowerCase();
    const key = `${type} ${qname}`;
    const hit = this.#cache.get(key);
    if (hit && hit.expires > this.#now())
      return { answer: { ...hit.lookup.answer, cached: true }, values: hit.lookup.values };
    if (hit) this.#cache.delete(key);
    let pending = this.#inFlight.get(key);
    if (!pending) {
      pending = this.#query(qname, type).finally(() => this.#inFlight.delete(key));
      this.#inFlight.set(key, pending);
    }
    const lookup = await pending;
    if (lookup.answer.ttl !== null && lookup.answer.ttl > 0) {
      if (this.#cache.size >= MAX_CACHE_ENTRIES) this.#cache.delete(this.#cache.keys().next().value as string);
      this.#cache.set(key, { expires: this.#now() + lookup.answer.ttl * 1000, lookup });
    }
    return { answer: { ...lookup.answer, cached: false }, values: lookup.values };
  }

  /** A view that records every answer it gives, and resolves the way mailauth and node's dns do. */
  recorder(): RecordingResolver {
    return new RecordingResolver(this);
  }

  clearCache(): void {
    this.#cache.clear();
  }

  async #query(name: string, type: RecordType): Promise<Lookup> {
    const fail = (server: string, status: LookupStatus, detail: string, ttl: number | null = null): Lookup => ({
      answer: { name, type, server, status, records: [], ttl, detail },
      values: [],
    });
    if (!name || name.length > MAX_NAME_CHARS || /[\s\\]/.test(name) || name.split('.').some((l) => l.length > 63))
      return fail('none', 'error', `"${name.slice(0, 80)}" is not a valid domain name`);
    let last: Lookup | null = null;
    for (const server of this.#servers) {
      const where = formatServer(server);
      let response: DNS.Packet;
      try {
        response = await this.#send(server, name, type);
      } catch (err) {
        const timedOut = (err as { code?: string }).code === 'ETIMEOUT';
        last = fail(
          where,
          timedOut ? 'timeout' : 'error',
          timedOut
            ? `no answer from ${where} to ${type} ${name} within ${this.#timeoutMs} ms`
            : `${type} ${name} at ${where}: ${(err as Error).message}`,
        );
        continue;
      }
      const rcode = response.header.rcode;
      if (rcode === 2 || rcode === 5) {
        last = fail(
          where,
          rcode === 2 ? 'servfail' : 'refused',
          `${where} answered ${rcode === 2 ? 'SERVFAIL' : 'REFUSED'} to ${type} ${name}`,
        );
        continue;
      }
      const negativeTtl = negativeTtlOf(response);
      if (rcode === 3) return fail(where, 'nxdomain', `${name} does not exist (NXDOMAIN from ${where})`, negativeTtl);
      if (rcode !== 0) return fail(where, 'error', `${where} answered rcode ${rcode} to ${type} ${name}`);
      const wanted = Packet.TYPE[type];
      const records = response.answers.filter((r) => r.type === wanted);
      if (records.length === 0)
        return fail(where, 'nodata', `${name} has no ${type} record (answer from ${where})`, negativeTtl);
      const ttl = Math.min(MAX_TTL_SECONDS, ...records.map((r) => r.ttl));
      return {
        answer: { name, type, server: where, status: 'ok', records: records.map(textOf), ttl },
        values: records.map(valueOf),
      };
    }
    return last ?? fail('none', 'error', 'no DNS server is configured');
  }

  #send(server: Server, name: string, type: RecordType): Promise<DNS.Packet> {
    const query = new Packet();
    query.header.id = crypto.randomInt(0x10000);
    query.header.rd = 1;
    query.questions.push({ name, type: Packet.TYPE[type], class: 1 } as DNS.Packet.Question);
    const edns = Packet.Resource.EDNS([]);
    edns.class = EDNS_PAYLOAD_BYTES; // the OPT record's class is the payload size (RFC 6891 6.1.2)
    query.additionals.push(edns);
    const bytes = query.toBuffer();
    const socket = dgram.createSocket(net.isIPv6(server.host) ? 'udp6' : 'udp4');
    return new Promise<DNS.Packet>((resolve, reject) => {
      const done = (err: Error | null, packet?: DNS.Packet): void => {
        clearTimeout(timer);
        socket.removeAllListeners('message');
        socket.close();
        if (err) reject(err);
        else resolve(packet as DNS.Packet);
      };
      const timer = setTimeout(() => done(Object.assign(new Error('timeout'), { code: 'ETIMEOUT' })), this.#timeoutMs);
      socket.on('error', (err) => done(err));
      socket.on('message', (msg, rinfo) => {
        if (rinfo.port !== server.port) return;
        let packet: DNS.Packet;
        try {
          packet = Packet.parse(msg);
        } catch {
          return; // garbage on our port: keep waiting for the real answer until the timeout
        }
        if (packet.header.id !== query.header.id) return;
        if (packet.header.tc) done(new Error('answer truncated even at 4096 bytes'));
        else done(null, packet);
      });
      socket.send(bytes, server.port, server.host, (err) => {
        if (err) done(err);
      });
    });
  }
}

function negativeTtlOf(response: DNS.Packet): number {
  const soa = response.authorities.find((r) => r.type === Packet.TYPE.SOA);
  if (!soa) return DEFAULT_NEGATIVE_TTL_SECONDS;
  return Math.min(MAX_TTL_SECONDS, soa.ttl, soa.minimum ?? soa.ttl);
}

function textOf(r: DNS.Packet.Resource): string {
  if (r.type === Packet.TYPE.TXT) return ([] as string[]).concat(r.data ?? []).join('');
  if (r.type === Packet.TYPE.MX) return `${r.priority ?? 0} ${r.exchange ?? ''}`;
  if (r.type === Packet.TYPE.A || r.type === Packet.TYPE.AAAA) return r.address ?? '';
  return r.domain ?? r.ns ?? '';
}

function valueOf(r: DNS.Packet.Resource): unknown {
  if (r.type === Packet.TYPE.TXT) return ([] as string[]).concat(r.data ?? []);
  if (r.type === Packet.TYPE.MX) return { exchange: r.exchange ?? '', priority: r.priority ?? 0 } satisfies MxRecord;
  return textOf(r);
}

const ERROR_CODES: Record<LookupStatus, string> = {
  ok: '',
  nxdomain: 'ENOTFOUND',
  nodata: 'ENODATA',
  timeout: 'ETIMEOUT',
  servfail: 'ESERVFAIL',
  refused: 'EREFUSED',
  error: 'EBADNAME',
};

/** The answers one check used, in order; `resolve` is the function mailauth takes. */
export class RecordingResolver {
  readonly answers: DnsAnswer[] = [];
  readonly #resolver: DnsResolver;

  constructor(resolver: DnsResolver) {
    this.#resolver = resolver;
  }

  async lookup(name: string, type: RecordType): Promise<{ answer: DnsAnswer; values: unknown[] }> {
    const result = await this.#resolver.lookup(name, type);
    this.answers.push(result.answer);
    return result;
  }

  /** Like dns.promises.resolve: the records, or a thrown error with node's code (ENOTFOUND, ENODATA, ETIMEOUT…). */
  resolve = async (name: string, type: string = 'A'): Promise<unknown[]> => {
    const t = type.toUpperCase();
    if (!(RECORD_TYPES as readonly string[]).includes(t))
      throw Object.assign(new Error(`record type ${type} is not looked up`), { code: 'ENOTIMP' });
    const { answer, values } = await this.lookup(name, t as RecordType);
    if (answer.status === 'ok') return values;
    throw Object.assign(new Error(answer.detail ?? answer.status), { code: ERROR_CODES[answer.status] });
  };

  /** Text records joined, or [] when there are none; a timeout or server failure throws. */
  async txt(name: string): Promise<string[]> {
    const { answer } = await this.lookup(name, 'TXT');
    if (answer.status === 'ok') return answer.records;
    if (answer.status === 'nxdomain' || answer.status === 'nodata') return [];
    throw Object.assign(new Error(answer.detail ?? answer.status), { code: ERROR_CODES[answer.status] });
  }
}
