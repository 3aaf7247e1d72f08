// The settings capability's contract: reading and changing the running settings, the one-click presets, and the
// settings.changed event. The section schemas themselves live in src-shared/settings.ts; this file adds what the
// verbs answer. Must not import electron, node or DOM modules.
import { z } from 'zod';
import { verb } from './define.js';
import {
  SECTION_KEYS,
  SETTINGS_SECTIONS,
  faultRuleSchema,
  listenerConfigSchema,
  settingsUpdateSchema,
  type FaultPresetInfo,
  type ListenerPreset,
  type PinnedSetting,
  type SectionKey,
  type Settings,
  type SettingsPresets,
} from '../settings.js';

/** Where a setting's value comes from when it is not the Settings page's own. */
export const pinnedSettingSchema = z.object({
  /** `listeners`, `listeners.smtp` (one listener's address), `smtp.maxMessageBytes`, `retention`, … */
  path: z.string(),
  /** `config file /etc/mailwright.json`, `--smtp`, `MAILWRIGHT_SMTP`. */
  source: z.string(),
});

type Sections = typeof SETTINGS_SECTIONS;
/** Every declared section as the Settings page edits it, so a capability's new section is part of the result too. */
const sectionsAsEdited = Object.fromEntries(SECTION_KEYS.map((k) => [k, SETTINGS_SECTIONS[k].edit])) as {
  [K in SectionKey]: Sections[K]['edit'];
};

/** `settings.get`: the running settings with every secret shown as `{ stored: true }`. */
export const settingsViewSchema = z.object({
  ...sectionsAsEdited,
  /**
   * Settings set by the config file, a flag or an environment variable. A change made here applies at once
   * and is saved, but at the next start those sources win again.
   */
  pinned: z.array(pinnedSettingSchema),
  /** Saved settings that could not be used at start-up (and why); the running ones are the layers below. */
  warnings: z.array(z.string()),
});

export const listenerPresetSchema = z.object({
  name: z.string(),
  /** Said plainly when the preset is not on its usual port (no rights to bind below 1024). */
  note: z.string().nullable(),
  listener: listenerConfigSchema,
});

export const faultPresetInfoSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  /** A ready rule (enabled, every listener); give it a fresh id to use a preset twice. */
  rule: faultRuleSchema,
});

/** `settings.presets`: one-click listeners and named fault rules. */
export const settingsPresetsSchema = z.object({
  /** Whether this process may bind ports below 1024. */
  lowPorts: z.boolean(),
  listeners: z.array(listenerPresetSchema),
  faults: z.array(faultPresetInfoSchema),
});

/** `settings.testStore`: a PostgreSQL URL to try before using it (the password may come in its own field). */
export const storeTestArgsSchema = z
  .object({
    /** `postgres://USER@HOST:PORT/DB` (a password in it is used, never echoed). */
    url: z.string().min(1).max(2048),
    /** Overrides a password in the URL; never sent back. */
    password: z.string().max(1024).optional(),
  })
  .strict();

/** What a connection test found; a failure is an answer (`reachable: false` and why), not an error. */
export const storeTestResultSchema = z.object({
  /** "PostgreSQL at db.example:5432" (never a password). */
  location: z.string(),
  database: z.string(),
  user: z.string(),
  /** Connected and logged in. */
  reachable: z.boolean(),
  /** Why not, worded as the store words it at start-up (wrong password, no such database, TLS, unreachable). */
  problem: z.string().nullable(),
  /** `SHOW server_version`, once connected. */
  serverVersion: z.string().nullable(),
  /**
   * Mailwright's schema in that database: `none` (empty, will be set up), `current`, `older` (will be migrated at
   * the next start), `newer` (refused: a newer Mailwright made it); null when not connected.
   */
  schema: z
    .object({
      state: z.enum(['none', 'current', 'older', 'newer']),
      /** The version found (0 when none). */
      found: z.number().int().nonnegative(),
      /** The version this Mailwright runs. */
      expected: z.number().int().nonnegative(),
    })
    .nullable(),
  /** Whether this Mailwright could use it as it stands (reachable and not newer). */
  usable: z.boolean(),
  elapsedMs: z.number().nonnegative(),
});

export type StoreTestResult = z.output<typeof storeTestResultSchema>;

export const settingsVerbs = {
  'settings.get': verb(z.object({}).strict(), settingsViewSchema),
  /** Validates every section, applies it (restarting only listeners that changed) and saves it; on error nothing changes. */
  'settings.update': verb(settingsUpdateSchema, settingsViewSchema),
  'settings.presets': verb(z.object({}).strict(), settingsPresetsSchema),
  /** Connects to a PostgreSQL database (bounded by a connect timeout) and says whether Mailwright could use it. */
  'settings.testStore': verb(storeTestArgsSchema, storeTestResultSchema),
} as const;

export interface SettingsEvents {
  /** Settings were applied (from any window, the API or another tab). */
  'settings.changed': Settings;
}

// The result types are still written by hand in settings.ts; these fail to compile the moment a schema and its
// interface disagree in either direction.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const schemasMatchTheirTypes: [
  Same<z.output<typeof settingsViewSchema>, Settings>,
  Same<z.output<typeof settingsPresetsSchema>, SettingsPresets>,
  Same<z.output<typeof pinnedSettingSchema>, PinnedSetting>,
  Same<z.output<typeof listenerPresetSchema>, ListenerPreset>,
  Same<z.output<typeof faultPresetInfoSchema>, FaultPresetInfo>,
] = [true, true, true, true, true];
void schemasMatchTheirTypes;
