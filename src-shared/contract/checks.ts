// Checks on every message: authentication (SPF, DKIM, DMARC, ARC), deliverability lint, SpamAssassin, HTML client
// compatibility (caniemail), DSN reading, and the domain tool. Results are zod schemas so the OpenAPI document is
// generated from them; the renderer takes the z.infer types.
// Must not import electron, node or DOM modules.
import { z } from 'zod';
import { verb } from './define.js';
import { MAX_PAGE_SIZE } from './messages.js';
import { MAX_ADDRESS_LENGTH } from './sessions.js';

/** A domain name is at most 253 characters (RFC 1035). */
export const MAX_DOMAIN_CHARS = 253;
/** A DKIM selector is one or a few labels. */
export const MAX_SELECTOR_CHARS = 63;

const id = z.number().int().positive();
const domain = z.string().min(1).max(MAX_DOMAIN_CHARS);
const ip = z.string().min(1).max(MAX_ADDRESS_LENGTH);

// ---- settings: one section (resolver, spamd, chosen clients), in its own file so settings.ts can import it ----

export * from './checks-settings.js';
import { MAX_COMPAT_CLIENTS, MAX_DNS_SERVERS } from './checks-settings.js';

// ---- DNS ----

export const dnsAnswerSchema = z.object({
  name: z.string(),
  type: z.string(),
  server: z.string(),
  status: z.enum(['ok', 'nxdomain', 'nodata', 'timeout', 'servfail', 'refused', 'error']),
  records: z.array(z.string()),
  ttl: z.number().nullable(),
  cached: z.boolean(),
  detail: z.string().optional(),
});
export type DnsAnswerView = z.infer<typeof dnsAnswerSchema>;

// ---- authentication ----

export const dkimSignatureSchema = z.object({
  domain: z.string(),
  selector: z.string(),
  algorithm: z.string(),
  canonicalization: z.string(),
  bodyHash: z.object({
    signed: z.string().nullable(),
    computed: z.string().nullable(),
    matches: z.boolean().nullable(),
  }),
  keyBits: z.number().nullable(),
  result: z.string(),
  reason: z.string(),
  alignedStrict: z.boolean(),
  alignedRelaxed: z.boolean(),
});
export type DkimSignatureReport = z.infer<typeof dkimSignatureSchema>;

export const spfReportSchema = z.object({
  domain: z.string().nullable(),
  ip: z.string(),
  helo: z.string(),
  result: z.string(),
  reason: z.string(),
  record: z.string().nullable(),
});
export type SpfReport = z.infer<typeof spfReportSchema>;

export const dmarcReportSchema = z.object({
  domain: z.string().nullable(),
  record: z.string().nullable(),
  policy: z.string().nullable(),
  subdomainPolicy: z.string().nullable(),
  pct: z.number().nullable(),
  dkimMode: z.enum(['strict', 'relaxed']),
  spfMode: z.enum(['strict', 'relaxed']),
  /** The d= of the DKIM signature that aligns, or null. */
  dkimAligned: z.string().nullable(),
  /** The SPF domain that aligns, or null. */
  spfAligned: z.string().nullable(),
  result: z.string(),
  reason: z.string(),
});
export type DmarcReport = z.infer<typeof dmarcReportSchema>;

export const authReportSchema = z.object({
  input: z.object({ ip: z.string(), helo: z.string(), mailFrom: z.string() }),
  fromDomain: z.string().nullable(),
  dkim: z.array(dkimSignatureSchema),
  spf: spfReportSchema,
  dmarc: dmarcReportSchema,
  arc: z.object({ result: z.string(), chainLength: z.number(), reason: z.string() }),
  dns: z.array(dnsAnswerSchema),
});
export type AuthReport = z.infer<typeof authReportSchema>;

// ---- deliverability lint ----

export const lintFindingSchema = z.object({
  /** Stable id (`missing-date`, `link-text-domain`), for scripts and tests. */
  id: z.string(),
  severity: z.enum(['error', 'warning', 'info']),
  title: z.string(),
  reason: z.string(),
  fix: z.string(),
});
export type LintFinding = z.infer<typeof lintFindingSchema>;

// ---- compatibility ----

export const compatFindingSchema = z.object({
  client: z.string(),
  feature: z.string(),
  support: z.enum(['none', 'partial']),
  line: z.number().nullable(),
  column: z.number().nullable(),
  notes: z.array(z.string()),
  url: z.string().nullable(),
});
export type CompatFinding = z.infer<typeof compatFindingSchema>;

export const compatReportSchema = z.object({
  /** False when the message has no HTML part (nothing to check). */
  checked: z.boolean(),
  clients: z.array(z.string()),
  /** 0-100, null when nothing was checked. */
  score: z.number().nullable(),
  scoreExplained: z.string(),
  perClient: z.array(z.object({ client: z.string(), score: z.number(), unsupported: z.number(), partial: z.number() })),
  findings: z.array(compatFindingSchema),
});
export type CompatReport = z.infer<typeof compatReportSchema>;

// ---- DSN ----

export const dsnReportSchema = z.object({
  reportingMta: z.string().nullable(),
  arrivalDate: z.string().nullable(),
  originalMessageId: z.string().nullable(),
  /** The captured original, when a message with that Message-ID is in the inbox. */
  originalId: z.number().nullable(),
  recipients: z.array(
    z.object({
      finalRecipient: z.string().nullable(),
      originalRecipient: z.string().nullable(),
      action: z.string().nullable(),
      status: z.string().nullable(),
      statusExplained: z.string(),
      diagnosticCode: z.string().nullable(),
      remoteMta: z.string().nullable(),
    }),
  ),
});
export type DsnReport = z.infer<typeof dsnReportSchema>;

// ---- one message ----

export const messageChecksSchema = z.object({
  id,
  checkedAt: z.string(),
  /** Set when the raw bytes are not clean MIME; the checks that could still run did. */
  parseProblem: z.string().nullable(),
  auth: authReportSchema,
  lint: z.array(lintFindingSchema),
  compat: compatReportSchema,
  dsn: dsnReportSchema.nullable(),
});
export type MessageChecks = z.infer<typeof messageChecksSchema>;

export const checkBadgesSchema = z.object({
  id,
  dkim: z.enum(['pass', 'fail', 'none']),
  dmarc: z.string(),
  compatScore: z.number().nullable(),
  spamScore: z.number().nullable(),
  lintErrors: z.number(),
});
export type CheckBadges = z.infer<typeof checkBadgesSchema>;

// ---- spam ----

export const spamReportSchema = z.object({
  /** `host:port` that was asked. */
  spamd: z.string(),
  reachable: z.boolean(),
  /** Plain words when spamd could not be asked or refused the message. */
  error: z.string().nullable(),
  isSpam: z.boolean().nullable(),
  score: z.number().nullable(),
  threshold: z.number().nullable(),
  rules: z.array(z.object({ name: z.string(), points: z.number(), description: z.string() })),
});
export type SpamReport = z.infer<typeof spamReportSchema>;

// ---- domain tool ----

export const domainFindingSchema = z.object({
  severity: z.enum(['error', 'warning', 'info', 'ok']),
  text: z.string(),
});
export type DomainFinding = z.infer<typeof domainFindingSchema>;

export const domainReportSchema = z.object({
  domain: z.string(),
  exists: z.boolean(),
  spf: z.object({
    record: z.string().nullable(),
    lookups: z.number().nullable(),
    findings: z.array(domainFindingSchema),
  }),
  dmarc: z.object({ record: z.string().nullable(), findings: z.array(domainFindingSchema) }),
  dkim: z
    .object({
      selector: z.string(),
      record: z.string().nullable(),
      keyType: z.string().nullable(),
      keyBits: z.number().nullable(),
      testing: z.boolean(),
      findings: z.array(domainFindingSchema),
    })
    .nullable(),
  mx: z.object({
    hosts: z.array(z.object({ exchange: z.string(), priority: z.number() })),
    findings: z.array(domainFindingSchema),
  }),
  dns: z.array(dnsAnswerSchema),
});
export type DomainReport = z.infer<typeof domainReportSchema>;

// ---- links (on demand) ----

/** Links and images checked per request: a newsletter has a few hundred; more is a crawl, not a check. */
export const MAX_LINKS = 500;
/** Longer URLs than this are reported, not fetched (browsers and servers stop near 8 KB). */
export const MAX_URL_CHARS = 8192;
/** Redirects followed per link (the limit). */
export const MAX_REDIRECTS = 10;

export const linkHopSchema = z.object({
  url: z.string(),
  /** The HTTP status, or null when the hop failed before one arrived. */
  status: z.number().nullable(),
  method: z.enum(['HEAD', 'GET']),
  /** The addresses the name resolved to (all of them were vetted). */
  addresses: z.array(z.string()),
  timeMs: z.number(),
});
export type LinkHop = z.infer<typeof linkHopSchema>;

export const linkResultSchema = z.object({
  url: z.string(),
  kind: z.enum(['link', 'image']),
  /** Where the URL appears: the HTML part, the text part, or both. */
  sources: z.array(z.enum(['html', 'text'])),
  /**
   * ok: 2xx at the end; broken: an HTTP error status; error: no status (DNS, connect, timeout, too many redirects);
   * refused: a private or loopback address that was not allowed, or a scheme that is not fetched;
   * confirm: a one-time-looking link that was not followed because the request did not name it.
   */
  state: z.enum(['ok', 'broken', 'error', 'refused', 'confirm']),
  /** Why the link looks one-time (an unsubscribe, a confirmation, a token), or null. */
  oneTime: z.string().nullable(),
  /** The status of the last hop fetched; with redirects followed, the final page's. */
  status: z.number().nullable(),
  statusText: z.string().nullable(),
  /** Every hop in order: the first is the URL itself, then each redirect target. */
  chain: z.array(linkHopSchema),
  finalUrl: z.string().nullable(),
  /** Time for the whole chain, or null when nothing was fetched. */
  timeMs: z.number().nullable(),
  /** Plain words for refused, error and confirm. */
  detail: z.string().nullable(),
});
export type LinkResult = z.infer<typeof linkResultSchema>;

export const linkReportSchema = z.object({
  id,
  checkedAt: z.string(),
  allowPrivate: z.boolean(),
  followRedirects: z.boolean(),
  links: z.array(linkResultSchema),
  /** URLs past MAX_LINKS that were listed but not checked. */
  truncated: z.number(),
  counts: z.object({
    ok: z.number(),
    broken: z.number(),
    error: z.number(),
    refused: z.number(),
    confirm: z.number(),
  }),
});
export type LinkReport = z.infer<typeof linkReportSchema>;

// ---- blocklists ----

export const blocklistCodeSchema = z.object({
  /** The A record the zone answered (`127.0.0.2`). */
  code: z.string(),
  /** What it means: listed (and why), or the zone refusing the query (a public resolver, over the free limit). */
  kind: z.enum(['listed', 'refused', 'unknown']),
  meaning: z.string(),
});
export type BlocklistCode = z.infer<typeof blocklistCodeSchema>;

export const blocklistAnswerSchema = z.object({
  kind: z.enum(['ip', 'domain']),
  /** The IP address or domain looked up. */
  subject: z.string(),
  zone: z.string(),
  /** The name asked (`2.0.0.127.zen.spamhaus.org`). */
  query: z.string(),
  /**
   * listed: an answer that lists it; clear: NXDOMAIN; refused: the zone would not answer this resolver;
   * temperror: no answer (timeout, SERVFAIL), with the server and query named; skipped: not looked up (why in detail).
   */
  status: z.enum(['listed', 'clear', 'refused', 'temperror', 'skipped']),
  codes: z.array(blocklistCodeSchema),
  /** The zone's TXT reason, when it is listed. */
  reason: z.string().nullable(),
  detail: z.string(),
});
export type BlocklistAnswer = z.infer<typeof blocklistAnswerSchema>;

export const blocklistReportSchema = z.object({
  /** The sending IP looked up (the session's client address, or the one asked for), or null. */
  ip: z.string().nullable(),
  /** Registrable domains of the links, in the order found. */
  domains: z.array(z.string()),
  answers: z.array(blocklistAnswerSchema),
  listed: z.number(),
  dns: z.array(dnsAnswerSchema),
});
export type BlocklistReport = z.infer<typeof blocklistReportSchema>;

// ---- address verification ----

export const addressProbeSchema = z.object({
  /** `host:port` that was tried last (the one that answered, when one did). */
  server: z.string().nullable(),
  /** accepted: RCPT got 2xx; rejected: 5xx; deferred: 4xx; failed: no server could be asked. */
  outcome: z.enum(['accepted', 'rejected', 'deferred', 'failed']),
  /** The RCPT reply, or the failure in plain words. */
  reply: z.string(),
  explanation: z.string(),
  /** Every line sent (`C:`) and received (`S:`), in order, with `#` notes (which host and address, failures). */
  transcript: z.array(z.string()),
});
export type AddressProbe = z.infer<typeof addressProbeSchema>;

export const addressReportSchema = z.object({
  input: z.string(),
  syntax: z.object({
    valid: z.boolean(),
    /** The addr-spec (`local@domain`) when the input parsed. */
    address: z.string().nullable(),
    local: z.string().nullable(),
    domain: z.string().nullable(),
    displayName: z.string().nullable(),
    reason: z.string(),
  }),
  mx: z.object({
    /** mx: MX records; fallback: no MX, so the domain's A/AAAA (RFC 5321 5.1); null-mx: accepts no mail (RFC 7505). */
    source: z.enum(['mx', 'fallback', 'null-mx', 'none', 'temperror', 'skipped']),
    hosts: z.array(z.object({ exchange: z.string(), priority: z.number() })),
    addresses: z.array(z.string()),
    findings: z.array(domainFindingSchema),
  }),
  hints: z.array(z.object({ id: z.enum(['disposable', 'role', 'free-text']), text: z.string() })),
  probe: addressProbeSchema.nullable(),
  dns: z.array(dnsAnswerSchema),
});
export type AddressReport = z.infer<typeof addressReportSchema>;

const resolverArgs = {
  /** Overrides the resolver setting for this call. */
  dnsServers: z.array(z.string().min(1).max(MAX_ADDRESS_LENGTH)).max(MAX_DNS_SERVERS).optional(),
  dnsTimeoutMs: z.number().int().min(100).max(30_000).optional(),
};

export const checksVerbs = {
  /** Every offline check of one message; cached per message unless refresh or a "what if" is given. */
  'checks.message': verb(
    z
      .object({
        id,
        refresh: z.boolean().optional(),
        /** "What if this came from IP x": SPF and DMARC as if sent from there (not cached). */
        ip: ip.optional(),
        helo: z.string().max(MAX_DOMAIN_CHARS).optional(),
        mailFrom: z.string().max(MAX_ADDRESS_LENGTH).optional(),
        /** Client globs for the compatibility score; defaults to the setting. */
        clients: z.array(z.string().min(1).max(64)).min(1).max(MAX_COMPAT_CLIENTS).optional(),
        ...resolverArgs,
      })
      .strict(),
    messageChecksSchema,
  ),
  /** Badges for the inbox from cached results only (never runs a check). */
  'checks.badges': verb(
    z.object({ ids: z.array(id).max(MAX_PAGE_SIZE) }).strict(),
    z.object({ badges: z.array(checkBadgesSchema) }),
  ),
  'checks.spam': verb(
    z.object({ id, spamd: z.string().max(MAX_ADDRESS_LENGTH).optional() }).strict(),
    spamReportSchema,
  ),
  'checks.domain': verb(
    z.object({ domain, selector: z.string().min(1).max(MAX_SELECTOR_CHARS).optional(), ...resolverArgs }).strict(),
    domainReportSchema,
  ),
  /** The link check, on demand: every link and image URL of the HTML and text parts, fetched with HEAD (then GET). */
  'checks.links': verb(
    z
      .object({
        id,
        /** One-time-looking URLs to check anyway (the user confirmed them); others are reported as `confirm`. */
        confirm: z.array(z.string().min(1).max(MAX_URL_CHARS)).max(MAX_LINKS).optional(),
        /** Check only these URLs of the message (a re-check of some); default every one. */
        only: z.array(z.string().min(1).max(MAX_URL_CHARS)).max(MAX_LINKS).optional(),
        /** Reach loopback and private addresses this once; defaults to the linksAllowPrivate setting. */
        allowPrivate: z.boolean().optional(),
        /** False reports each link's first answer (a 301 stays a 301), as Mailpit's follow=false does. */
        followRedirects: z.boolean().optional(),
        timeoutMs: z.number().int().min(500).max(60_000).optional(),
        ...resolverArgs,
      })
      .strict(),
    linkReportSchema,
  ),
  /** The sending IP and the link domains of a message, looked up in the DNSBL and URIBL zones of the setting. */
  'checks.blocklists': verb(
    z
      .object({
        id,
        /** "What if this came from IP x": look that address up instead of the session's. */
        ip: ip.optional(),
        ...resolverArgs,
      })
      .strict(),
    blocklistReportSchema,
  ),
  /** One IP address or domain looked up in the zones of its kind (the Tools page). */
  'checks.blocklistLookup': verb(
    z.object({ target: z.string().min(1).max(MAX_DOMAIN_CHARS), ...resolverArgs }).strict(),
    blocklistReportSchema,
  ),
  /** Address verification: syntax, MX (with the A/AAAA fallback), hints, and an SMTP probe that stops at RCPT. */
  'checks.address': verb(
    z
      .object({
        address: z.string().min(1).max(MAX_ADDRESS_LENGTH),
        /** true probes the MX hosts on port 25; an object names the server (and sender) to probe instead. */
        probe: z
          .union([
            z.boolean(),
            z
              .object({
                host: z.string().min(1).max(MAX_DOMAIN_CHARS).optional(),
                port: z.number().int().min(1).max(65535).optional(),
                mailFrom: z.string().max(MAX_ADDRESS_LENGTH).optional(),
                helo: z.string().min(1).max(MAX_DOMAIN_CHARS).optional(),
                timeoutMs: z.number().int().min(100).max(60_000).optional(),
              })
              .strict(),
          ])
          .optional(),
        ...resolverArgs,
      })
      .strict(),
    addressReportSchema,
  ),
} as const;

export interface ChecksEvents {
  /** Checks for these messages were (re)computed; badges may have changed. */
  'checks.updated': { ids: number[] };
}
