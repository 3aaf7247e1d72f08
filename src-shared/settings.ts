// The settings contract: the shape of every capture setting as users write it (config file, Settings page, API),
// checked here for shape (types, ranges, unknown keys) with the field path of each problem. What needs Node to
// check (PEM parsing, CIDR, patterns, binding a port) is checked by the core, which names the same paths.
// Must not import electron, node or DOM modules.
import { z } from 'zod';
import { fieldsSection, secretInput, wholeSection } from './settings-section.js';
import { checksSettingsSchema, DEFAULT_CHECKS_SETTINGS } from './contract/checks-settings.js';
import { baselinesSection } from './contract/diff.js';
import { compatSettingsSchema, DEFAULT_COMPAT_SETTINGS } from './contract/mailpit.js';
import { DEFAULT_TAG_SETTINGS, tagSettingsSchema } from './contract/tags.js';
import { mailboxesSection } from './contract/mailboxes.js';
import { webhooksSection } from './contract/webhooks.js';
import { templatesSection } from './contract/templates.js';
import { COMPOSE_SECTION, PROFILES_SECTION } from './contract/compose.js';

export {
  STORED,
  isStoredSecret,
  secretInput,
  secretText,
  fieldsSection,
  wholeSection,
  type ItemMatch,
  type SettingsSection,
  type StoredSecret,
} from './settings-section.js';

export {
  AUTH_MECHANISMS,
  AUTH_POLICIES,
  DEFAULT_AUTH_MECHANISMS,
  FAULT_ACTIONS,
  FAULT_STAGES,
  TLS_MODES,
  TLS_VERSIONS,
} from './settings-names.js';
import {
  AUTH_MECHANISMS,
  AUTH_POLICIES,
  DEFAULT_AUTH_MECHANISMS,
  FAULT_STAGES,
  TLS_MODES,
  TLS_VERSIONS,
} from './settings-names.js';

export type TlsMode = (typeof TLS_MODES)[number];
export type TlsVersion = (typeof TLS_VERSIONS)[number];
export type AuthPolicyName = (typeof AUTH_POLICIES)[number];
export type AuthMechanism = (typeof AUTH_MECHANISMS)[number];
export type FaultStage = (typeof FAULT_STAGES)[number];

/** Credentials are a test fixture, not a user database; this many is far past any real test matrix. */
export const MAX_CREDENTIALS = 1000;
/** Listeners at once: each binds a port and may hold 500 sessions; 32 covers every real test matrix. */
export const MAX_LISTENERS = 32;
/** Fault rules per set. Every SMTP event walks the list in order; 500 is far beyond a hand-made set. */
export const MAX_FAULT_RULES = 500;
/** PEM inputs are a few KB; larger is not a certificate we should parse. */
export const MAX_PEM_CHARS = 64 * 1024;
/** A password, token or pattern longer than this is a paste accident. */
const MAX_TEXT = 4096;
/** The smallest in-flight budget: one ordinary message with attachments must always fit. */
export const MIN_IN_FLIGHT_BYTES = 1024 * 1024;
/** A day: longer timeouts would let a stuck client hold a slot for practically ever. */
export const MAX_TIMEOUT_SECONDS = 24 * 60 * 60;

const text = (max = MAX_TEXT) => z.string().max(max);
const count = (max = Number.MAX_SAFE_INTEGER) => z.number().int().min(1).max(max);
/** Patterns and CIDRs: the matchers refuse longer ones (see smtp/faults/glob.ts). */
export const MAX_PATTERN_CHARS = 256;
const patterns = z.array(text(MAX_PATTERN_CHARS)).max(MAX_CREDENTIALS);

/**
 * Builds the listener schema for one kind of secret: plain strings (config file, what listeners run on), or
 * strings plus `{ stored: true }` (Settings page and API: keep the secret already stored).
 */
function listenerSchema<S extends z.ZodType>(secret: S) {
  const credential = z
    .object({
      username: z.string().min(1).max(256),
      password: secret.optional(),
      /** XOAUTH2 bearer token. */
      token: secret.optional(),
    })
    .strict();
  const auth = z
    .object({
      policy: z.enum(AUTH_POLICIES),
      /** Default PLAIN and LOGIN; ignored when the policy is off. */
      mechanisms: z
        .array(z.enum(AUTH_MECHANISMS))
        .max(AUTH_MECHANISMS.length)
        .default([...DEFAULT_AUTH_MECHANISMS]),
      /** Absent = accept any username and secret. */
      credentials: z.array(credential).max(MAX_CREDENTIALS).optional(),
      /** AUTH before TLS is refused with 538 unless true. */
      allowPlaintext: z.boolean().optional(),
      lockout: z
        .object({
          maxFailures: count(100),
          windowSeconds: count(MAX_TIMEOUT_SECONDS),
          lockSeconds: count(MAX_TIMEOUT_SECONDS),
        })
        .strict()
        .optional(),
    })
    .strict();
  const certificate = z.discriminatedUnion('mode', [
    z.object({ mode: z.literal('generated'), sans: z.array(text(253)).max(100).optional() }).strict(),
    z.object({ mode: z.literal('pem'), cert: text(MAX_PEM_CHARS), key: secret }).strict(),
  ]);
  const limits = z
    .object({
      maxMessageBytes: count().optional(),
      maxRecipients: count().optional(),
      maxConnections: count().optional(),
      connectionsPerMinutePerClient: count().optional(),
      messagesPerMinutePerClient: count().optional(),
      idleTimeoutSeconds: count(MAX_TIMEOUT_SECONDS).optional(),
      sessionTimeoutSeconds: count(MAX_TIMEOUT_SECONDS).optional(),
      /** CIDR blocks or single addresses; absent or empty = everyone. */
      allowClients: patterns.optional(),
      senderAllow: patterns.optional(),
      senderDeny: patterns.optional(),
      recipientAllow: patterns.optional(),
      recipientDeny: patterns.optional(),
    })
    .strict();
  return z
    .object({
      /** Names the listener in status, logs, session records and fault rules. */
      id: z
        .string()
        .regex(
          /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/,
          'id must be 1-64 letters, digits, "-", "_" or "." (starting with a letter or digit)',
        ),
      host: z.string().min(1).max(256),
      /** 0 picks a free port; the bound port is reported in status. */
      port: z.number().int().min(0).max(65535),
      tls: z.enum(TLS_MODES),
      minTlsVersion: z.enum(TLS_VERSIONS).optional(),
      /** Absent: the data folder's shared generated certificate. */
      certificate: certificate.optional(),
      /** Absent: AUTH PLAIN/LOGIN optional, any credentials, also in plaintext. */
      auth: auth.optional(),
      limits: limits.optional(),
    })
    .strict();
}

export const listenerConfigSchema = listenerSchema(z.string().max(MAX_TEXT));
/** A listener as the Settings page and the API send it: a secret may be `{ stored: true }` to keep the stored one. */
export const listenerEditSchema = listenerSchema(secretInput);

export type ListenerConfig = z.infer<typeof listenerConfigSchema>;
export type ListenerEdit = z.infer<typeof listenerEditSchema>;
export type AuthConfig = NonNullable<ListenerConfig['auth']>;
export type Credential = NonNullable<AuthConfig['credentials']>[number];
export type CertificateConfig = NonNullable<ListenerConfig['certificate']>;
export type LimitsConfig = NonNullable<ListenerConfig['limits']>;

export const faultMatchSchema = z
  .object({
    stage: z.enum(FAULT_STAGES),
    /** Glob-like patterns (`*@example.test`, `user?@*`), case-insensitive; absent = any. */
    sender: text(MAX_PATTERN_CHARS).optional(),
    recipient: text(MAX_PATTERN_CHARS).optional(),
    /** Known from MAIL on (after a successful AUTH). */
    authUser: text(MAX_PATTERN_CHARS).optional(),
    /** CIDR (`127.0.0.0/8`, `::1/128`) or a single address. */
    clientAddress: text(64).optional(),
    /** Fire only on the Nth matching event (`nth: 3`), or on every Nth (`every: 10`). */
    nth: count(1_000_000_000).optional(),
    every: count(1_000_000_000).optional(),
    /** 0..1, default 1. */
    probability: z.number().min(0).max(1).optional(),
  })
  .strict();

export const faultActionSchema = z.discriminatedUnion('kind', [
  // A fault is a refusal: 4xx (try again) or 5xx (give up); a 2xx or 3xx "fault" would look like success.
  z
    .object({
      kind: z.literal('reply'),
      code: z.number().int().min(400).max(599),
      enhanced: text(16).optional(),
      text: text(512),
    })
    .strict(),
  z
    .object({
      kind: z.literal('delay'),
      ms: z
        .number()
        .int()
        .min(0)
        .max(10 * 60 * 1000),
    })
    .strict(),
  z.object({ kind: z.literal('drop') }).strict(),
  z.object({ kind: z.literal('greylist'), seconds: count(6 * 60 * 60) }).strict(),
  z.object({ kind: z.literal('throttle'), perMinute: count(6_000) }).strict(),
]);

export const faultRuleSchema = z
  .object({
    id: z.string().min(1).max(128),
    name: z.string().max(200),
    enabled: z.boolean(),
    /** Listener ids the rule applies to; empty or absent = every listener. */
    listeners: z.array(z.string().max(64)).max(MAX_LISTENERS).optional(),
    match: faultMatchSchema,
    action: faultActionSchema,
  })
  .strict();

export type FaultMatch = z.infer<typeof faultMatchSchema>;
export type FaultAction = z.infer<typeof faultActionSchema>;
export type FaultRule = z.infer<typeof faultRuleSchema>;

export const retentionSchema = z
  .object({
    /** 0 means no limit. */
    maxMessages: z.number().int().min(0),
    /** 0 means no limit. */
    maxBytes: z.number().int().min(0),
  })
  .strict();

/** What every listener shares; a listener's own `limits` override the size. */
export const smtpSettingsSchema = z
  .object({
    /** Name in the greeting and the EHLO reply. */
    hostname: z
      .string()
      .regex(/^[A-Za-z0-9]([A-Za-z0-9.-]{0,252})$/, 'hostname must be a host name (letters, digits, "." and "-")'),
    /** SIZE limit of every listener without its own `limits.maxMessageBytes`. */
    maxMessageBytes: count(),
    /**
     * Message bytes all listeners may hold in memory at once (DATA received, not yet stored); past it a message
     * is read and dropped with 452 4.3.1. At least 1 MiB: less would refuse ordinary mail under any load.
     */
    maxInFlightBytes: z.number().int().min(MIN_IN_FLIGHT_BYTES),
    /** Wait before the greeting and refuse clients that talk first; 0 greets at once. Real servers wait seconds at most. */
    earlyTalkerDelayMs: z.number().int().min(0).max(30_000),
  })
  .strict();

export type RetentionSettings = z.infer<typeof retentionSchema>;
export type SmtpSettings = z.infer<typeof smtpSettingsSchema>;

/** Where a listener keeps its secrets (sealed at rest, `{ stored: true }` to the UI). */
export const LISTENER_SECRET_PATHS = [
  '*.auth.credentials.*.password',
  '*.auth.credentials.*.token',
  '*.certificate.key',
] as const;

/**
 * Every settings section, in the order the Settings page and config files list them. A capability with settings
 * adds one line here: its section from its contract file (see settings-section.ts).
 */
export const SETTINGS_SECTIONS = {
  retention: fieldsSection(retentionSchema),
  smtp: fieldsSection(smtpSettingsSchema),
  listeners: wholeSection({
    file: z.array(listenerConfigSchema).max(MAX_LISTENERS),
    edit: z.array(listenerEditSchema).max(MAX_LISTENERS),
    secretPaths: LISTENER_SECRET_PATHS,
    // A listener keeps its secrets across an edit by id (or position, when renamed); a credential by username.
    items: { '': { key: 'id', fallbackToPosition: true }, '*.auth.credentials': { key: 'username' } },
  }),
  faults: wholeSection({ file: z.array(faultRuleSchema).max(MAX_FAULT_RULES), defaults: [] }),
  checks: fieldsSection(checksSettingsSchema, DEFAULT_CHECKS_SETTINGS),
  baselines: baselinesSection,
  tags: fieldsSection(tagSettingsSchema, DEFAULT_TAG_SETTINGS),
  compat: fieldsSection(compatSettingsSchema, DEFAULT_COMPAT_SETTINGS),
  mailboxes: mailboxesSection,
  webhooks: webhooksSection,
  templates: templatesSection,
  profiles: PROFILES_SECTION,
  compose: COMPOSE_SECTION,
} as const;

type Sections = typeof SETTINGS_SECTIONS;
export type SectionKey = keyof Sections;
export const SECTION_KEYS = Object.keys(SETTINGS_SECTIONS) as SectionKey[];

function shapeOf<P extends 'file' | 'edit' | 'layer' | 'update'>(part: P): { [K in SectionKey]: Sections[K][P] } {
  return Object.fromEntries(SECTION_KEYS.map((k) => [k, SETTINGS_SECTIONS[k][part]])) as {
    [K in SectionKey]: Sections[K][P];
  };
}

/** Every setting, resolved: what the core runs on. Secrets are plain text here and never leave the main process. */
export const settingsDocumentSchema = z.object(shapeOf('file')).strict();
export type SettingsDocument = z.infer<typeof settingsDocumentSchema>;
export type SectionValue<K extends SectionKey> = SettingsDocument[K];

/** A config file (`serve --config FILE`): a present section replaces that section (`fields` sections by field). */
export const settingsFileSchema = z.object(shapeOf('layer')).strict();
export type SettingsFile = z.infer<typeof settingsFileSchema>;

/** `settings.update`: the sections to change; each given section replaces the running one after validation. */
export const settingsUpdateSchema = z.object(shapeOf('update')).strict();
export type SettingsUpdate = z.infer<typeof settingsUpdateSchema>;

/** The sections as `settings.get` shows them: every secret as `{ stored: true }`. */
export type SettingsSections = { [K in SectionKey]: z.output<Sections[K]['edit']> };

/** Where a setting's value comes from when it is not the Settings page's own. */
export interface PinnedSetting {
  /** `listeners`, `listeners.smtp` (one listener's address), `smtp.maxMessageBytes`, `retention`, … */
  path: string;
  /** `config file /etc/mailwright.json`, `--smtp`, `MAILWRIGHT_SMTP`. */
  source: string;
}

/** `settings.get`: the running settings with every secret shown as `{ stored: true }`. */
export interface Settings extends SettingsSections {
  /**
   * Settings set by the config file, a flag or an environment variable. A change made here applies at once
   * and is saved, but at the next start those sources win again.
   */
  pinned: PinnedSetting[];
  /** Saved settings that could not be used at start-up (and why); the running ones are the layers below. */
  warnings: string[];
}

export interface ListenerPreset {
  name: string;
  /** Said plainly when the preset is not on its usual port (no rights to bind below 1024). */
  note: string | null;
  listener: ListenerConfig;
}

export interface FaultPresetInfo {
  id: string;
  name: string;
  description: string;
  /** A ready rule (enabled, every listener); give it a fresh id to use a preset twice. */
  rule: FaultRule;
}

/** `settings.presets`: one-click listeners and named fault rules. */
export interface SettingsPresets {
  /** Whether this process may bind ports below 1024. */
  lowPorts: boolean;
  listeners: ListenerPreset[];
  faults: FaultPresetInfo[];
}
