// The checks' settings section: the DNS resolver, the spamd address and the clients the compatibility score uses.
// Apart from checks.ts so that src-shared/settings.ts can register it without importing the whole contract.
// Must not import electron, node or DOM modules.
import { z } from 'zod';

/** Resolver servers: a handful is normal; more only adds time to every failing lookup. */
export const MAX_DNS_SERVERS = 8;
/** caniemail knows about 30 client/platform pairs; globs on top of those. */
export const MAX_COMPAT_CLIENTS = 64;
/** Blocklist zones of each kind: a few are normal; each costs a query per address or domain looked up. */
export const MAX_BLOCKLIST_ZONES = 16;
/** `[ipv6]:port` is under 50 characters; a host name for spamd under 256. */
const MAX_SERVER_CHARS = 256;

/** A DNS zone name: letters, digits, `-`, `_` and dots, at least two labels. */
export const blocklistZone = z
  .string()
  .max(200)
  .regex(/^(?=.{1,200}$)([A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?\.)+[A-Za-z0-9-]{2,63}$/, {
    message: 'a blocklist zone is a DNS name like zen.spamhaus.org',
  });

export const checksSettingsSchema = z
  .object({
    /** DNS servers (`1.1.1.1`, `127.0.0.1:5353`, `[::1]:53`); empty means the system's resolver. */
    dnsServers: z.array(z.string().min(1).max(MAX_SERVER_CHARS)).max(MAX_DNS_SERVERS),
    /** How long one DNS query may take before the next server is tried (or the check says temperror). */
    dnsTimeoutMs: z.number().int().min(100).max(30_000),
    /** The spamd to ask (`host:port`); empty means try 127.0.0.1:783. */
    spamd: z.string().max(MAX_SERVER_CHARS),
    /** Client globs for the compatibility score, as caniemail takes them (`outlook.*`, `gmail.android`). */
    compatClients: z.array(z.string().min(1).max(64)).min(1).max(MAX_COMPAT_CLIENTS),
    /** Whether the link check may reach loopback and private addresses (a request can allow it once, too). */
    linksAllowPrivate: z.boolean(),
    /** How long one link (every hop of it) may take before it is reported as timed out. */
    linkTimeoutMs: z.number().int().min(500).max(60_000),
    /** DNSBL zones the sending IP is looked up in (`zen.spamhaus.org`). */
    ipBlocklists: z.array(blocklistZone).max(MAX_BLOCKLIST_ZONES),
    /** URIBL zones the domains of a message's links are looked up in (`dbl.spamhaus.org`). */
    domainBlocklists: z.array(blocklistZone).max(MAX_BLOCKLIST_ZONES),
  })
  .strict();
export type ChecksSettings = z.infer<typeof checksSettingsSchema>;

export const DEFAULT_COMPAT_CLIENTS = [
  'apple-mail.*',
  'gmail.*',
  'outlook.*',
  'yahoo.*',
  'samsung-email.*',
  'thunderbird.*',
] as const;

/** Well-known DNSBLs for sending IPs (each answers 127.0.0.x for a listed address). */
export const DEFAULT_IP_BLOCKLISTS = ['zen.spamhaus.org', 'bl.spamcop.net', 'b.barracudacentral.org'] as const;
/** Well-known URIBLs for the domains in links. */
export const DEFAULT_DOMAIN_BLOCKLISTS = ['dbl.spamhaus.org', 'multi.uribl.com', 'multi.surbl.org'] as const;

export const DEFAULT_CHECKS_SETTINGS: ChecksSettings = {
  dnsServers: [],
  dnsTimeoutMs: 3000,
  spamd: '',
  compatClients: [...DEFAULT_COMPAT_CLIENTS],
  linksAllowPrivate: false,
  linkTimeoutMs: 10_000,
  ipBlocklists: [...DEFAULT_IP_BLOCKLISTS],
  domainBlocklists: [...DEFAULT_DOMAIN_BLOCKLISTS],
};
