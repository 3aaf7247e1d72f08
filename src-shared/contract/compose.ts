// The compose capability's contract: SMTP profiles (a settings section with secrets), the connection test, sending,
// releasing captured mail, DKIM keys and the send history. Results are zod schemas so the OpenAPI document is
// generated from them; the renderer imports only the inferred types.
// Must not import electron, node or DOM modules.
import { z } from 'zod';
import { fieldsSection, wholeSection } from '../settings-section.js';
import { verb } from './define.js';

/** Profiles at once: each is a few hundred bytes; 200 is far past any real set of test servers. */
export const MAX_PROFILES = 200;
/** PEM inputs (CA bundles, client certificates, keys) are a few KB; a CA bundle of a few dozen roots fits. */
export const MAX_PROFILE_PEM_CHARS = 256 * 1024;
/** A password, token or note longer than this is a paste accident. */
const MAX_SECRET_CHARS = 16 * 1024;
/** RFC 5322 caps a header line at 998 characters; an address list or subject past it cannot be sent as is. */
export const MAX_HEADER_CHARS = 998;
/** Recipients of one message: far past any test, and under what real servers allow (often 100-1000). */
export const MAX_RECIPIENTS = 1000;
/** Body text and HTML travel in a JSON call (1 MB in all over HTTP); the core allows a little less for each. */
export const MAX_BODY_CHARS = 900 * 1024;
/** Attachments travel base64 in the same JSON call; the HTTP binding's 1 MB body caps them in practice. */
export const MAX_ATTACHMENTS = 50;
const MAX_ATTACHMENT_BASE64_CHARS = 4 * 1024 * 1024;
const MAX_CUSTOM_HEADERS = 100;
/** Connection and greeting timeouts: a day would hold a test forever; ten minutes covers the slowest tarpits. */
export const MAX_PROFILE_TIMEOUT_SECONDS = 600;
/** The highest a bulk run's cap may be set to. */
export const MAX_BULK_MESSAGES = 1_000_000;
/** The cap on one bulk run when the compose settings name none: protects real servers from a slip of the keyboard. */
export const DEFAULT_BULK_MAX_MESSAGES = 10_000;
/** A page of history. */
export const MAX_SENDS_PAGE = 500;
/** Drafts kept at once: each may hold attachments, so this bounds the table at a few hundred MB in the worst case. */
export const MAX_DRAFTS = 500;

export const SECURITY_MODES = ['none', 'starttls', 'starttls-required', 'implicit'] as const;
export const PROFILE_AUTH = ['none', 'PLAIN', 'LOGIN', 'CRAM-MD5', 'XOAUTH2'] as const;
export const CLIENT_TLS_VERSIONS = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const;
export type SecurityMode = (typeof SECURITY_MODES)[number];
export type ProfileAuthMechanism = (typeof PROFILE_AUTH)[number];

/** Where a profile keeps its secrets, relative to the profile (the settings section seals each at `profiles.N.<path>`). */
export const PROFILE_SECRET_PATHS = ['auth.password', 'auth.accessToken', 'tls.clientKey', 'dkim.privateKey'] as const;

export const profileIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'id must be 1-64 lower-case letters, digits, "-" or "_"');

/**
 * A profile for one kind of secret: plain strings (config file, what a connection runs on), or plain strings plus
 * `{ stored: true }` (the UI and API: keep the secret already stored).
 */
function profileSchema<S extends z.ZodType>(secret: S) {
  const tls = z
    .object({
      minVersion: z.enum(CLIENT_TLS_VERSIONS).optional(),
      /** Off accepts any certificate: the report still shows why it would have failed. */
      verify: z.boolean(),
      ca: z.string().max(MAX_PROFILE_PEM_CHARS).optional(),
      /** SNI and the name the certificate must match; default the host (when it is a name). */
      servername: z.string().max(253).optional(),
      clientCert: z.string().max(MAX_PROFILE_PEM_CHARS).optional(),
      clientKey: secret.optional(),
    })
    .strict();
  const auth = z
    .object({
      mechanism: z.enum(PROFILE_AUTH),
      user: z.string().max(512).optional(),
      password: secret.optional(),
      /** XOAUTH2 bearer token. */
      accessToken: secret.optional(),
    })
    .strict();
  return z
    .object({
      id: profileIdSchema,
      name: z.string().min(1).max(128),
      host: z.string().min(1).max(253),
      port: z.number().int().min(1).max(65535),
      security: z.enum(SECURITY_MODES),
      tls,
      auth,
      /** The name sent with EHLO; default this machine's name. */
      localName: z.string().max(253).optional(),
      defaultFrom: z.string().max(MAX_HEADER_CHARS).optional(),
      connectionTimeoutSeconds: z.number().int().min(1).max(MAX_PROFILE_TIMEOUT_SECONDS).optional(),
      greetingTimeoutSeconds: z.number().int().min(1).max(MAX_PROFILE_TIMEOUT_SECONDS).optional(),
      /** Signs every message sent through this profile unless a send brings its own. */
      dkim: z
        .object({ domain: z.string().min(1).max(253), selector: z.string().min(1).max(63), privateKey: secret })
        .strict()
        .optional(),
      note: z.string().max(2000).optional(),
    })
    .strict();
}

const secretInput = z.union([z.string().max(MAX_SECRET_CHARS), z.object({ stored: z.literal(true) }).strict()]);
const storedMark = z.object({ stored: z.literal(true) }).strict();

/** What people write may leave out TLS (verified) and AUTH (none); a profile as shown always has both. */
function withDefaults<S extends z.ZodType>(secret: S) {
  const schema = profileSchema(secret);
  const { tls, auth } = schema.shape;
  return schema.extend({
    tls: tls.extend({ verify: z.boolean().default(true) }).default({ verify: true }),
    auth: auth.default({ mechanism: 'none' }),
  });
}

/** The file form: what the config file's `profiles:` section holds and what a connection runs on. */
export const profileConfigSchema = withDefaults(z.string().max(MAX_SECRET_CHARS));
/** The edit form: a secret may be `{ stored: true }` to keep the stored one. */
export const profileEditSchema = withDefaults(secretInput);
/** What the UI and API see: secrets only as `{ stored: true }`. */
export const profileViewSchema = profileSchema(storedMark);
/** The `profiles:` settings section. */
export const profilesSectionSchema = z.array(profileConfigSchema).max(MAX_PROFILES);

export type ProfileConfig = z.infer<typeof profileConfigSchema>;
export type ProfileEdit = z.input<typeof profileEditSchema>;
export type ProfileView = z.infer<typeof profileViewSchema>;

/** Compose options that are not per profile. */
export const composeOptionsSchema = z
  .object({
    /** When set, a recipient outside these domains (or their subdomains) is refused before connecting. */
    allowRecipientDomains: z.array(z.string().min(1).max(253)).max(1000).optional(),
    /** host:port of DNS servers for profile host names; default the system resolver. */
    dnsServers: z.array(z.string().min(1).max(64)).max(8).optional(),
    /** Bulk send: a run of more messages than this is refused before anything is sent (default 10,000). */
    bulkMaxMessages: z.number().int().min(1).max(MAX_BULK_MESSAGES).optional(),
  })
  .strict();
export type ComposeOptions = z.infer<typeof composeOptionsSchema>;

/**
 * The `profiles:` settings section: sealed at rest, `{ stored: true }` to the UI, carried over an edit by id, and
 * settable from a config file like any section.
 */
export const PROFILES_SECTION = wholeSection({
  file: profilesSectionSchema,
  edit: z.array(profileEditSchema).max(MAX_PROFILES),
  secretPaths: PROFILE_SECRET_PATHS.map((p) => `*.${p}`),
  items: { '': { key: 'id' } },
  defaults: [],
});
/** The `compose:` settings section: the recipient-domain allow-list and the DNS servers for profile hosts. */
export const COMPOSE_SECTION = fieldsSection(composeOptionsSchema, {});

// ---- results ----

export const clientTranscriptLineSchema = z.object({
  /** Milliseconds since the connection attempt began. */
  ms: z.number(),
  /** C client, S server, * a note of ours (connections, TLS, timing). */
  dir: z.enum(['C', 'S', '*']),
  text: z.string(),
});
export type ClientTranscriptLine = z.infer<typeof clientTranscriptLineSchema>;

export const certificateSchema = z.object({
  subject: z.string(),
  issuer: z.string(),
  validFrom: z.string(),
  validTo: z.string(),
  sha256: z.string(),
  subjectAltName: z.string().nullable(),
  selfSigned: z.boolean(),
});

export const tlsReportSchema = z.object({
  protocol: z.string().nullable(),
  cipher: z.string().nullable(),
  /** Whether the chain verifies against the trusted roots (or the profile's CA). */
  authorized: z.boolean(),
  /** Node's reason when it does not (DEPTH_ZERO_SELF_SIGNED_CERT, CERT_HAS_EXPIRED…). */
  verifyError: z.string().nullable(),
  /** Whether the certificate names the host (or the profile's servername). */
  hostMatch: z.boolean(),
  hostMatchError: z.string().nullable(),
  /** Leaf first. */
  chain: z.array(certificateSchema),
});
export type TlsReport = z.infer<typeof tlsReportSchema>;

export const STEP_NAMES = ['dns', 'tcp', 'tls', 'greeting', 'ehlo', 'starttls', 'auth'] as const;
export const stepSchema = z.object({
  name: z.enum(STEP_NAMES),
  ok: z.boolean(),
  ms: z.number(),
  detail: z.string(),
  reply: z.string().optional(),
});
export type ConnectionStep = z.infer<typeof stepSchema>;

export const capabilitiesSchema = z.object({
  /** The EHLO lines after the greeting line, as sent (after STARTTLS when it ran). */
  lines: z.array(z.string()),
  size: z.number().nullable(),
  pipelining: z.boolean(),
  eightBitMime: z.boolean(),
  smtpUtf8: z.boolean(),
  startTls: z.boolean(),
  auth: z.array(z.string()),
});

export const connectionReportSchema = z.object({
  ok: z.boolean(),
  host: z.string(),
  port: z.number(),
  security: z.enum(SECURITY_MODES),
  addresses: z.array(z.string()),
  steps: z.array(stepSchema),
  capabilities: capabilitiesSchema.nullable(),
  tls: tlsReportSchema.nullable(),
  transcript: z.array(clientTranscriptLineSchema),
  /** Plain words for the failure (null when everything worked). */
  explanation: z.string().nullable(),
  ms: z.number(),
});
export type ConnectionReport = z.infer<typeof connectionReportSchema>;

/** A send from the composer, a released captured message, or one message of a bulk run. */
export const SEND_KINDS = ['send', 'release', 'bulk'] as const;
export type SendKind = (typeof SEND_KINDS)[number];

export const SEND_OUTCOMES = ['delivered', 'partial', 'rejected', 'failed', 'refused'] as const;
export type SendOutcome = (typeof SEND_OUTCOMES)[number];

const recipientReply = z.object({ address: z.string(), reply: z.string() });

export const sendReportSchema = z.object({
  /** The history entry. */
  id: z.number(),
  outcome: z.enum(SEND_OUTCOMES),
  accepted: z.array(recipientReply),
  rejected: z.array(recipientReply),
  /** The server's last reply (to DATA when it got that far). */
  reply: z.string().nullable(),
  messageId: z.string().nullable(),
  envelope: z.object({ from: z.string(), to: z.array(z.string()) }),
  ms: z.number(),
  size: z.number(),
  tls: tlsReportSchema.nullable(),
  transcript: z.array(clientTranscriptLineSchema),
  /** Plain words for a failure. */
  explanation: z.string().nullable(),
  error: z.string().nullable(),
});
export type SendReport = z.infer<typeof sendReportSchema>;

export const sendSummarySchema = z.object({
  id: z.number(),
  at: z.string(),
  kind: z.enum(SEND_KINDS),
  profileId: z.string(),
  profileName: z.string(),
  host: z.string(),
  port: z.number(),
  from: z.string(),
  to: z.array(z.string()),
  subject: z.string(),
  outcome: z.enum(SEND_OUTCOMES),
  reply: z.string().nullable(),
  messageId: z.string().nullable(),
  ms: z.number(),
  size: z.number(),
  /** Whether the message bytes are still kept (retention drops the oldest). */
  hasRaw: z.boolean(),
});
export type SendSummary = z.infer<typeof sendSummarySchema>;
export const sendDetailSchema = sendSummarySchema.extend({
  report: sendReportSchema,
});
export type SendDetail = z.infer<typeof sendDetailSchema>;

export const replyExplanationSchema = z.object({
  code: z.number().nullable(),
  enhanced: z.string().nullable(),
  kind: z.enum(['success', 'intermediate', 'transient', 'permanent', 'unknown']),
  basic: z.object({ code: z.number(), meaning: z.string(), explanation: z.string() }).nullable(),
  enhancedInfo: z
    .object({
      code: z.string(),
      class: z.string(),
      subject: z.string(),
      detail: z.string().nullable(),
      explanation: z.string(),
    })
    .nullable(),
  summary: z.string(),
});

export const presetSchema = z.object({
  id: z.string(),
  name: z.string(),
  source: z.enum(['service', 'capture']),
  /** The fields a preset fills in; the rest of the form keeps its defaults. */
  profile: z.object({
    name: z.string().optional(),
    host: z.string(),
    port: z.number(),
    security: z.enum(SECURITY_MODES),
    tls: z.object({ verify: z.boolean(), ca: z.string().optional(), servername: z.string().optional() }).optional(),
    auth: z.object({ mechanism: z.enum(PROFILE_AUTH) }).optional(),
  }),
  note: z.string().nullable(),
});
export type ProfilePreset = z.infer<typeof presetSchema>;

// ---- arguments ----

const address = z.string().min(1).max(MAX_HEADER_CHARS);
const addressList = z.array(address).max(MAX_RECIPIENTS);

export const attachmentSchema = z
  .object({
    filename: z.string().min(1).max(255),
    contentType: z.string().max(255).optional(),
    /** base64 */
    content: z.string().max(MAX_ATTACHMENT_BASE64_CHARS),
    /** Set for an inline image the HTML refers to as `cid:<cid>`. */
    cid: z.string().max(255).optional(),
  })
  .strict();

export const composedMessageSchema = z
  .object({
    from: address.optional(),
    to: addressList.default([]),
    cc: addressList.default([]),
    bcc: addressList.default([]),
    replyTo: address.optional(),
    subject: z.string().max(MAX_HEADER_CHARS).default(''),
    text: z.string().max(MAX_BODY_CHARS).optional(),
    html: z.string().max(MAX_BODY_CHARS).optional(),
    headers: z
      .array(
        z
          .object({
            name: z.string().regex(/^[!-9;-~]{1,76}$/, 'a header name is printable ASCII without ":"'),
            value: z.string().max(MAX_HEADER_CHARS),
          })
          .strict(),
      )
      .max(MAX_CUSTOM_HEADERS)
      .default([]),
    priority: z.enum(['high', 'normal', 'low']).optional(),
    listUnsubscribe: z.string().max(MAX_HEADER_CHARS).optional(),
    /** Adds `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058). */
    listUnsubscribePost: z.boolean().optional(),
    attachments: z.array(attachmentSchema).max(MAX_ATTACHMENTS).default([]),
  })
  .strict();
export type ComposedMessage = z.input<typeof composedMessageSchema>;

const envelopeSchema = z
  .object({ from: z.string().max(MAX_HEADER_CHARS).optional(), to: addressList.optional() })
  .strict();
/** What a draft keeps: the profile to send through, the message (attachments included) and the envelope override. */
export const draftSchema = z
  .object({
    profile: profileIdSchema.optional(),
    message: composedMessageSchema,
    envelope: envelopeSchema.optional(),
  })
  .strict();
export type Draft = z.infer<typeof draftSchema>;
export type DraftInput = z.input<typeof draftSchema>;

export const draftSummarySchema = z.object({
  id: z.number(),
  created: z.string(),
  updated: z.string(),
  subject: z.string(),
  to: z.array(z.string()),
  profile: z.string().nullable(),
  attachments: z.number(),
});
export type DraftSummary = z.infer<typeof draftSummarySchema>;
export const draftDetailSchema = draftSummarySchema.extend({ draft: draftSchema });
export type DraftDetail = z.infer<typeof draftDetailSchema>;

const dkimArgs = z
  .object({
    domain: z.string().min(1).max(253),
    selector: z.string().min(1).max(63),
    privateKey: z.string().min(1).max(MAX_SECRET_CHARS),
  })
  .strict();

const sendArgs = z
  .object({
    profile: profileIdSchema,
    message: composedMessageSchema,
    envelope: envelopeSchema.optional(),
    dkim: dkimArgs.optional(),
    /** Required when the profile's host is not loopback: the UI asks first, showing the envelope recipients. */
    confirm: z.boolean().optional(),
  })
  .strict();
export type SendArgs = z.input<typeof sendArgs>;

const releaseArgs = z
  .object({
    /** The captured message's id. */
    id: z.number().int().positive(),
    profile: profileIdSchema,
    /** Envelope recipients; default the message's own envelope recipients. */
    to: addressList.min(1).optional(),
    /** A fresh Message-ID and Date header (the only headers a release changes). */
    newMessageId: z.boolean().optional(),
    confirm: z.boolean().optional(),
  })
  .strict();

export const dkimKeySchema = z.object({
  algorithm: z.enum(['rsa-2048', 'ed25519']),
  privateKey: z.string(),
  publicKey: z.string(),
  /** Where to publish the record: `<selector>._domainkey.<domain>`. */
  dnsName: z.string(),
  dnsRecord: z.string(),
});

const idArg = z.object({ id: profileIdSchema }).strict();

/** The compose capability's verbs. */
export const composeVerbs = {
  'compose.explainReply': verb(
    z.object({ reply: z.string().max(4096), enhanced: z.string().max(16).optional() }).strict(),
    replyExplanationSchema,
  ),
  /** The explainer as a lookup: a reply (`550 5.1.1 …`), a basic code or an enhanced code, or both. */
  'compose.replyCode': verb(
    z
      .object({ code: z.string().max(4096).optional(), enhanced: z.string().max(16).optional() })
      .strict()
      .refine((a) => Boolean(a.code?.trim() || a.enhanced?.trim()), {
        message: 'give code or enhanced',
        path: ['code'],
      }),
    replyExplanationSchema,
  ),
  'compose.profiles.list': verb(z.object({}).strict(), z.object({ profiles: z.array(profileViewSchema) })),
  'compose.profiles.get': verb(idArg, profileViewSchema),
  /** Without an id, one is made from the name. */
  'compose.profiles.create': verb(
    z.object({ profile: profileEditSchema.extend({ id: profileIdSchema.optional() }) }).strict(),
    profileViewSchema,
  ),
  'compose.profiles.update': verb(
    z.object({ id: profileIdSchema, profile: profileEditSchema }).strict(),
    profileViewSchema,
  ),
  'compose.profiles.delete': verb(idArg, z.object({ deleted: z.boolean() })),
  'compose.profiles.presets': verb(z.object({}).strict(), z.object({ presets: z.array(presetSchema) })),
  /** Every profile without its secrets, as a file to import elsewhere. */
  'compose.profiles.export': verb(
    z.object({}).strict(),
    z.object({ format: z.literal('mailwright-profiles'), version: z.literal(1), profiles: z.array(profileViewSchema) }),
  ),
  /** Profiles from an export file; secrets stay as they are for ids that exist, and empty for new ones. */
  'compose.profiles.import': verb(
    z
      .object({
        format: z.literal('mailwright-profiles'),
        version: z.literal(1),
        profiles: z.array(profileEditSchema).max(MAX_PROFILES),
      })
      .strict(),
    z.object({ created: z.array(z.string()), updated: z.array(z.string()) }),
  ),
  /** One connection through every step up to AUTH; nothing is sent. */
  'compose.profiles.test': verb(idArg, connectionReportSchema),
  'compose.send': verb(sendArgs, sendReportSchema),
  /** Sends a captured message again through a profile: its bytes as stored, only Message-ID and Date renewed on request. */
  'compose.release': verb(releaseArgs, sendReportSchema),
  'compose.dkim.generate': verb(
    z
      .object({
        algorithm: z.enum(['rsa-2048', 'ed25519']),
        domain: z.string().min(1).max(253),
        selector: z.string().min(1).max(63),
      })
      .strict(),
    dkimKeySchema,
  ),
  'compose.sends.list': verb(
    z
      .object({
        query: z.string().max(512).optional(),
        outcome: z.enum(SEND_OUTCOMES).optional(),
        limit: z.number().int().min(1).max(MAX_SENDS_PAGE).optional(),
        offset: z.number().int().min(0).optional(),
      })
      .strict(),
    z.object({ sends: z.array(sendSummarySchema), total: z.number() }),
  ),
  'compose.drafts.list': verb(z.object({}).strict(), z.object({ drafts: z.array(draftSummarySchema) })),
  'compose.drafts.get': verb(z.object({ id: z.number().int().positive() }).strict(), draftDetailSchema),
  'compose.drafts.create': verb(z.object({ draft: draftSchema }).strict(), draftDetailSchema),
  'compose.drafts.update': verb(
    z.object({ id: z.number().int().positive(), draft: draftSchema }).strict(),
    draftDetailSchema,
  ),
  'compose.drafts.delete': verb(
    z.object({ id: z.number().int().positive() }).strict(),
    z.object({ deleted: z.boolean() }),
  ),
  /** A captured message as a draft to edit as new: addresses, subject, text, HTML, attachments and custom headers. */
  'compose.drafts.fromMessage': verb(z.object({ id: z.number().int().positive() }).strict(), draftSchema),
  /**
   * Sends a whole message as it is (an .eml's bytes, base64) through a profile; the envelope defaults to the
   * message's From and its To, Cc and Bcc.
   */
  'compose.sendRaw': verb(
    z
      .object({
        profile: profileIdSchema,
        raw: z.string().min(1).max(MAX_ATTACHMENT_BASE64_CHARS),
        envelope: envelopeSchema.optional(),
        confirm: z.boolean().optional(),
      })
      .strict(),
    sendReportSchema,
  ),
  'compose.sends.get': verb(z.object({ id: z.number().int().positive() }).strict(), sendDetailSchema),
  /** The exact bytes sent, base64 (the REST route /api/sends/{id}/raw returns them as message/rfc822). */
  'compose.sends.raw': verb(
    z.object({ id: z.number().int().positive() }).strict(),
    z.object({ base64: z.string(), size: z.number() }),
  ),
} as const;

export type ComposeVerb = keyof typeof composeVerbs;

/** Pushes of the compose capability. */
export interface ComposeEvents {
  /** A send attempt was recorded (any outcome). */
  'compose.sent': { id: number; outcome: SendOutcome };
  /** A draft was saved or deleted. */
  'compose.drafts.changed': { id: number };
  /** The profiles changed (created, updated, deleted, imported). */
  'compose.profiles.changed': { ids: string[] };
}
