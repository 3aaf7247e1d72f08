// DNSBL and URIBL lookups: the sending IP in the IP zones (reversed octets or nibbles + zone), the registrable
// domains of a message's links in the domain zones, each answer with what its 127.x code means for that zone, and
// the "query refused" codes that say nothing about the address (a public resolver, or over the free limit).
// Every query goes through the checks resolver. Must not import electron, serve/ or another capability's folder.
import net from 'node:net';
import { getDomain, getHostname } from 'tldts';
import type { BlocklistAnswer, BlocklistCode, BlocklistReport } from '../../../src-shared/contract/checks.js';
import { scanHtml } from '../../message/html-scan.js';
import type { RecordingResolver } from '../dns/resolver.js';

/** Domains looked up per message: a newsletter links a handful of sites; past this the rest are left out. */
export const MAX_LINK_DOMAINS = 20;
/** URLs read from the text part; enough for any real message. */
const MAX_TEXT_URLS = 2000;

type Meaning = Omit<BlocklistCode, 'code'>;

/** Codes every Spamhaus zone uses for a query it will not answer (spamhaus.org, "DNSBL return codes"). */
const SPAMHAUS_ERRORS: Record<string, Meaning> = {
  '127.255.255.252': { kind: 'refused', meaning: 'Typing error in the DNSBL name (Spamhaus)' },
  '127.255.255.254': {
    kind: 'refused',
    meaning:
      'Query refused: it came through a public or open resolver (8.8.8.8, 1.1.1.1…) that Spamhaus does not answer; ' +
      'use your own resolver or a Data Query Service key. This says nothing about the address.',
  },
  '127.255.255.255': {
    kind: 'refused',
    meaning: 'Query refused: too many queries (over the free-use limit). This says nothing about the address.',
  },
};

/** Return-code tables of the default zones and a few common ones; `bits` zones add up flags in the last octet. */
const ZONES: Record<string, { codes?: Record<string, Meaning>; bits?: Record<number, string>; refused?: string }> = {
  'zen.spamhaus.org': {
    codes: {
      '127.0.0.2': { kind: 'listed', meaning: 'SBL: Spamhaus SBL, a known spam source or spam operation' },
      '127.0.0.3': { kind: 'listed', meaning: 'SBL CSS: snowshoe spam, low-reputation sending' },
      '127.0.0.4': { kind: 'listed', meaning: 'XBL: exploited host (CBL: malware, proxy, botnet)' },
      '127.0.0.5': { kind: 'listed', meaning: 'XBL: exploited host' },
      '127.0.0.6': { kind: 'listed', meaning: 'XBL: exploited host' },
      '127.0.0.7': { kind: 'listed', meaning: 'XBL: exploited host' },
      '127.0.0.9': { kind: 'listed', meaning: 'SBL DROP/EDROP: hijacked or leased-to-spammers network' },
      '127.0.0.10': {
        kind: 'listed',
        meaning: 'PBL (ISP): an end-user address that should not send mail directly; send through your provider',
      },
      '127.0.0.11': {
        kind: 'listed',
        meaning: 'PBL (Spamhaus): an end-user address that should not send mail directly; send through a relay',
      },
      ...SPAMHAUS_ERRORS,
    },
  },
  'sbl.spamhaus.org': { codes: { '127.0.0.2': { kind: 'listed', meaning: 'SBL' }, ...SPAMHAUS_ERRORS } },
  'xbl.spamhaus.org': {
    codes: { '127.0.0.4': { kind: 'listed', meaning: 'XBL: exploited host' }, ...SPAMHAUS_ERRORS },
  },
  'pbl.spamhaus.org': {
    codes: {
      '127.0.0.10': { kind: 'listed', meaning: 'PBL (ISP): end-user address' },
      '127.0.0.11': { kind: 'listed', meaning: 'PBL (Spamhaus): end-user address' },
      ...SPAMHAUS_ERRORS,
    },
  },
  'bl.spamcop.net': {
    codes: { '127.0.0.2': { kind: 'listed', meaning: 'SpamCop: reported by SpamCop users as a spam source' } },
  },
  'b.barracudacentral.org': {
    codes: {
      '127.0.0.2': { kind: 'listed', meaning: 'Barracuda Reputation Block List: poor sending reputation' },
    },
  },
  'dbl.spamhaus.org': {
    codes: {
      '127.0.1.2': { kind: 'listed', meaning: 'DBL: spam domain' },
      '127.0.1.4': { kind: 'listed', meaning: 'DBL: phishing domain' },
      '127.0.1.5': { kind: 'listed', meaning: 'DBL: malware domain' },
      '127.0.1.6': { kind: 'listed', meaning: 'DBL: botnet command-and-control domain' },
      '127.0.1.102': { kind: 'listed', meaning: 'DBL: abused legitimate domain, used in spam' },
      '127.0.1.103': { kind: 'listed', meaning: 'DBL: abused legitimate redirector or shortener, used in spam' },
      '127.0.1.104': { kind: 'listed', meaning: 'DBL: abused legitimate domain, used for phishing' },
      '127.0.1.105': { kind: 'listed', meaning: 'DBL: abused legitimate domain, used for malware' },
      '127.0.1.106': { kind: 'listed', meaning: 'DBL: abused legitimate domain, used for botnet C&C' },
      '127.0.1.255': { kind: 'refused', meaning: 'DBL: IP addresses may not be looked up in the DBL' },
      ...SPAMHAUS_ERRORS,
    },
  },
  'multi.uribl.com': {
    bits: { 2: 'black (URIBL black: used in spam)', 4: 'grey (URIBL grey: bulk sender)', 8: 'red (URIBL red)' },
    refused:
      '127.0.0.1: query refused (a public resolver, or over the free limit). This says nothing about the domain.',
  },
  'multi.surbl.org': {
    bits: {
      8: 'PH (phishing)',
      16: 'MW (malware)',
      64: 'ABUSE (spam and other abuse)',
      128: 'CR (cracked site)',
    },
    refused:
      '127.0.0.1: query refused (a public resolver, or over the free limit). This says nothing about the domain.',
  },
};

/** What one A answer of a zone means. */
export function codeMeaning(zone: string, code: string): BlocklistCode {
  const table = ZONES[zone.toLowerCase()];
  if (!code.startsWith('127.'))
    return {
      code,
      kind: 'unknown',
      meaning:
        'An answer outside 127.0.0.0/8: not a blocklist code. The zone is gone or the resolver rewrites ' +
        'NXDOMAIN (many ISP resolvers do); not counted as a listing.',
    };
  const known = table?.codes?.[code] ?? SPAMHAUS_ERRORS[code];
  if (known && (table?.codes || zone.toLowerCase().endsWith('spamhaus.org'))) return { code, ...known };
  if (table?.bits) {
    const last = Number(code.split('.')[3]);
    if (code.startsWith('127.0.0.') && last === 1 && table.refused)
      return { code, kind: 'refused', meaning: table.refused };
    const flags = Object.entries(table.bits)
      .filter(([bit]) => (last & Number(bit)) !== 0)
      .map(([, text]) => text);
    if (code.startsWith('127.0.0.') && flags.length)
      return { code, kind: 'listed', meaning: `Listed: ${flags.join(', ')}` };
  }
  if (table?.codes && !known)
    return { code, kind: 'listed', meaning: `Listed (code ${code}, not one this zone documents)` };
  return { code, kind: 'listed', meaning: `Listed (code ${code}; the zone's documentation gives its meaning)` };
}

/** The name to ask for an IP in a zone: reversed octets (IPv4) or reversed nibbles (IPv6). */
export function reverseName(ip: string, zone: string): string | null {
  const v4 = mappedV4(ip);
  if (v4) return `${v4.split('.').reverse().join('.')}.${zone}`;
  if (!net.isIPv6(ip)) return null;
  const nibbles = expandV6(ip).replace(/:/g, '').split('').reverse().join('.');
  return `${nibbles}.${zone}`;
}

function mappedV4(ip: string): string | null {
  if (net.isIPv4(ip)) return ip;
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  return m?.[1] && net.isIPv4(m[1]) ? m[1] : null;
}

function expandV6(ip: string): string {
  let text = ip.toLowerCase();
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)?.[1];
  if (v4) {
    const [a, b, c, d] = v4.split('.').map(Number) as [number, number, number, number];
    text = text.slice(0, -v4.length) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const middle = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...middle, ...right].map((g) => g.padStart(4, '0')).join(':');
}

const PRIVATE = new net.BlockList();
for (const [net4, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
] as const)
  PRIVATE.addSubnet(net4, bits, 'ipv4');
for (const [net6, bits] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
] as const)
  PRIVATE.addSubnet(net6, bits, 'ipv6');

/** Loopback, private and link-local addresses: no public blocklist lists them. */
export function isPrivateAddress(ip: string): boolean {
  const v4 = mappedV4(ip);
  if (v4) return PRIVATE.check(v4, 'ipv4');
  return net.isIPv6(ip) && PRIVATE.check(ip, 'ipv6');
}

/** The registrable domains of every http(s) link and image in the HTML and of the URLs in the text, in order. */
export function linkDomains(html: string | null, text: string | null): string[] {
  const urls: string[] = [];
  if (html)
    scanHtml(html, {
      tag(t) {
        for (const name of ['href', 'src']) {
          const v = t.attribs.get(name);
          if (v) urls.push(v);
        }
      },
    });
  if (text) for (const m of text.matchAll(/\bhttps?:\/\/[^\s<>"')\]]+/gi)) if (urls.push(m[0]) > MAX_TEXT_URLS) break;
  const out: string[] = [];
  for (const url of urls) {
    if (!/^\s*https?:\/\//i.test(url)) continue;
    const host = getHostname(url.trim());
    if (!host || net.isIP(host)) continue;
    const domain = getDomain(host);
    if (domain && !out.includes(domain)) out.push(domain);
  }
  return out;
}

async function lookupOne(
  resolver: RecordingResolver,
  kind: 'ip' | 'domain',
  subject: string,
  zone: string,
  query: string,
): Promise<BlocklistAnswer> {
  const base = { kind, subject, zone, query, codes: [] as BlocklistCode[], reason: null };
  const { answer } = await resolver.lookup(query, 'A');
  switch (answer.status) {
    case 'nxdomain':
    case 'nodata':
      return { ...base, status: 'clear', detail: `Not listed (${answer.status.toUpperCase()} from ${answer.server})` };
    case 'ok':
      break;
    case 'refused':
      return { ...base, status: 'refused', detail: answer.detail ?? `${answer.server} refused ${query}` };
    default:
      return {
        ...base,
        status: 'temperror',
        detail: `temperror: ${answer.detail ?? `no answer to A ${query} from ${answer.server}`}`,
      };
  }
  const codes = answer.records.map((code) => codeMeaning(zone, code));
  const listed = codes.some((c) => c.kind === 'listed');
  const refused = !listed && codes.some((c) => c.kind === 'refused');
  let reason: string | null = null;
  if (listed) {
    const txt = await resolver.lookup(query, 'TXT');
    reason = txt.answer.status === 'ok' ? txt.answer.records.join(' ') || null : null;
  }
  return {
    ...base,
    codes,
    reason,
    status: listed ? 'listed' : refused ? 'refused' : 'clear',
    detail: listed
      ? `Listed in ${zone}`
      : refused
        ? `${zone} would not answer this resolver; the result says nothing about ${subject}`
        : `Answered ${answer.records.join(', ')}, which is not a listing`,
  };
}

export interface BlocklistInput {
  ip: string | null;
  domains: readonly string[];
  ipZones: readonly string[];
  domainZones: readonly string[];
}

/** Looks every subject up in every zone of its kind, at once; never throws on a DNS failure (temperror). */
export async function checkBlocklists(input: BlocklistInput, resolver: RecordingResolver): Promise<BlocklistReport> {
  const jobs: Promise<BlocklistAnswer>[] = [];
  const ip = input.ip?.trim() || null;
  if (ip) {
    for (const zone of input.ipZones) {
      const query = reverseName(ip, zone);
      const skip = (detail: string): Promise<BlocklistAnswer> =>
        Promise.resolve({
          kind: 'ip',
          subject: ip,
          zone,
          query: query ?? '',
          status: 'skipped',
          codes: [],
          reason: null,
          detail,
        });
      if (!query) jobs.push(skip(`"${ip}" is not an IP address`));
      else if (isPrivateAddress(ip))
        jobs.push(
          skip(
            `${ip} is a loopback or private address, which no public blocklist lists (a local capture comes from ` +
              'one); give the sending IP to look up instead.',
          ),
        );
      else jobs.push(lookupOne(resolver, 'ip', ip, zone, query));
    }
  }
  const domains = input.domains.slice(0, MAX_LINK_DOMAINS);
  for (const domain of domains)
    for (const zone of input.domainZones) jobs.push(lookupOne(resolver, 'domain', domain, zone, `${domain}.${zone}`));
  const answers = await Promise.all(jobs);
  return {
    ip,
    domains: [...domains],
    answers,
    listed: answers.filter((a) => a.status === 'listed').length,
    dns: resolver.answers,
  };
}

/** The Tools page's lookup: an IP in the IP zones, a domain (its registrable part) in the domain zones. */
export function lookupTarget(target: string): { ip: string | null; domains: string[] } {
  const t = target.trim().replace(/^\[|\]$/g, '');
  if (net.isIP(t)) return { ip: t, domains: [] };
  const host = getHostname(/^[a-z]+:\/\//i.test(t) ? t : `http://${t}`);
  const domain = host ? (getDomain(host) ?? null) : null;
  if (!domain) throw new Error(`"${target}" is neither an IP address nor a domain name`);
  return { ip: null, domains: [domain] };
}
