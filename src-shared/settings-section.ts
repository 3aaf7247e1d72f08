// How a settings section is declared: its schema as a config file writes it (secrets as plain text), its schema as
// the Settings page and the API edit it (a secret may be `{ stored: true }` to keep the stored one), where its secrets
// sit, and how a layer or an update changes it. The core seals, redacts, carries over, pins and reads config files
// for every section from this alone.
// Must not import electron, node or DOM modules.
import { z } from 'zod';

/** A secret as the UI and API see it once stored: never the value, only that there is one. */
export interface StoredSecret {
  stored: true;
}
export const STORED: StoredSecret = Object.freeze({ stored: true as const });
export function isStoredSecret(v: unknown): v is StoredSecret {
  return typeof v === 'object' && v !== null && (v as { stored?: unknown }).stored === true;
}

/** A password, token or key longer than this is a paste accident. */
export const MAX_SECRET_CHARS = 64 * 1024;
/** A secret as a config file gives it. */
export const secretText = z.string().max(MAX_SECRET_CHARS);
/** A secret as the Settings page and API send it: a new value, or `{ stored: true }` to keep the stored one. */
export const secretInput = z.union([secretText, z.object({ stored: z.literal(true) }).strict()]);

/** How an array item is matched with the stored one when an edit says `{ stored: true }`. */
export interface ItemMatch {
  /** The field that identifies an item (`id`, `username`). */
  key: string;
  /** When no stored item has the same key (a renamed listener), take the one at the same position. */
  fallbackToPosition?: boolean;
}

export interface SettingsSection<
  File extends z.ZodType = z.ZodType,
  Edit extends z.ZodType = z.ZodType,
  Layer extends z.ZodType = z.ZodType,
  Update extends z.ZodType = z.ZodType,
> {
  /** The whole section, resolved: what the core runs on (secrets in plain text, main process only). */
  readonly file: File;
  /** The whole section as `settings.get` shows it and `settings.update` takes it. */
  readonly edit: Edit;
  /** What a config file, flag or saved layer may give (for `fields` sections, any subset of the fields). */
  readonly layer: Layer;
  /** What `settings.update` may give. */
  readonly update: Update;
  /**
   * `fields`: an object whose fields merge one by one (each given field is pinned on its own).
   * `replace`: a given value replaces the whole section.
   */
  readonly merge: 'fields' | 'replace';
  /** Dotted paths of the secrets inside the section; `*` matches any array index or object key. */
  readonly secretPaths: readonly string[];
  /** Array paths (`` for the section itself, `*.auth.credentials`) and how their items are matched on edit. */
  readonly items: Readonly<Record<string, ItemMatch>>;
  /** The value with no saved setting, file or flag (the core may supply the built-in sections' defaults). */
  readonly defaults: z.output<File> | undefined;
}

/** An object section whose fields are set one by one (`smtp.hostname`); it holds no secrets. */
export function fieldsSection<S extends z.ZodObject>(schema: S, defaults?: z.output<S>) {
  return {
    file: schema,
    edit: schema,
    layer: schema.partial().optional(),
    update: schema.partial().optional(),
    merge: 'fields',
    secretPaths: [],
    items: {},
    defaults,
  } as const satisfies SettingsSection;
}

/**
 * A section replaced as a whole (a list of listeners, of profiles). `edit` is the same schema built with
 * `secretInput` where `file` has `secretText`; `secretPaths` names those places.
 */
export function wholeSection<F extends z.ZodType, E extends z.ZodType = F>(options: {
  file: F;
  edit?: E;
  secretPaths?: readonly string[];
  items?: Record<string, ItemMatch>;
  defaults?: z.output<F>;
}) {
  const edit = (options.edit ?? options.file) as E;
  return {
    file: options.file,
    edit,
    layer: options.file.optional(),
    update: edit.optional(),
    merge: 'replace',
    secretPaths: options.secretPaths ?? [],
    items: options.items ?? {},
    defaults: options.defaults,
  } as const satisfies SettingsSection;
}
