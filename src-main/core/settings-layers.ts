// How the running settings are put together from layers (defaults < saved < config file < environment < flags),
// and the pure steps around them: shape checks with field paths, carrying stored secrets over an edit, redaction.
// Must not import electron, smtp-server, the store or any binding.
import type { z } from 'zod';
import {
  MailwrightError,
  SECTION_KEYS,
  SETTINGS_SECTIONS,
  STORED,
  settingsDocumentSchema,
  type ListenerConfig,
  type PinnedSetting,
  type SectionKey,
  type Settings,
  type SettingsDocument,
  type SettingsFile,
} from '../../src-shared/index.js';
import { carryOverSecrets, mapSecrets } from './secret-paths.js';

/** One source of settings above the saved ones. */
export interface SettingsLayer {
  /** Said in `pinned` and in errors: `config file /etc/mailwright.json`, `--smtp`, `MAILWRIGHT_SMTP`. */
  source: string;
  /** Sections this layer sets: a `replace` section replaces the one below; a `fields` section merges by field. */
  settings?: SettingsFile;
  /**
   * One listener's address (`--smtp HOST:PORT`): sets host and port of the listener with `template.id`,
   * adding `template` at that address when no lower layer has it.
   */
  listenerAddress?: { host: string; port: number; template: ListenerConfig };
  /**
   * Where the messages are kept (a config file's `store: {url}`, `--store`, MAILWRIGHT_STORE): not a setting, since
   * saved settings live in the store. The topmost layer that names one wins; none: SQLite in the data folder.
   */
  store?: { url: string };
}

export interface ResolvedSettings {
  document: SettingsDocument;
  pinned: PinnedSetting[];
}

/** Applies the layers in order over a copy of `base`; `pinnedFrom` is the index of the first layer that pins. */
export function resolveLayers(
  base: SettingsDocument,
  layers: readonly SettingsLayer[],
  pinnedFrom = 0,
): ResolvedSettings {
  const doc = structuredClone(base);
  const pinned = new Map<string, string>();
  layers.forEach((layer, index) => {
    const pin = (path: string) => {
      if (index >= pinnedFrom) pinned.set(path, layer.source);
    };
    const s = layer.settings;
    for (const key of SECTION_KEYS) {
      const given = s?.[key];
      if (given === undefined) continue;
      if (SETTINGS_SECTIONS[key].merge === 'fields') {
        // Field by field; each field given is pinned on its own.
        for (const [field, value] of Object.entries(given)) {
          if (value === undefined) continue;
          (doc[key] as Record<string, unknown>)[field] = value;
          pin(`${key}.${field}`);
        }
      } else {
        (doc as Record<string, unknown>)[key] = structuredClone(given);
        pin(key);
      }
    }
    const a = layer.listenerAddress;
    if (a) {
      const existing = doc.listeners.find((l) => l.id === a.template.id);
      if (existing) Object.assign(existing, { host: a.host, port: a.port });
      else doc.listeners.push({ ...structuredClone(a.template), host: a.host, port: a.port });
      pin(`listeners.${a.template.id}`);
    }
  });
  return { document: doc, pinned: [...pinned].map(([path, source]) => ({ path, source })) };
}

/** Checks a whole document's shape; the error names the field path (`listeners.1.port`) and the cause. */
export function checkShape(doc: SettingsDocument, source = 'settings'): void {
  const r = settingsDocumentSchema.safeParse(doc);
  if (!r.success) throw shapeError(r.error, source);
  const ids = new Set(doc.listeners.map((l) => l.id));
  doc.listeners.forEach((l, i) => {
    if (doc.listeners.findIndex((o) => o.id === l.id) !== i) {
      throw new MailwrightError('invalid_argument', `[smtp] two listeners share the id "${l.id}"`, `listeners.${i}.id`);
    }
  });
  doc.faults.forEach((rule, i) => {
    (rule.listeners ?? []).forEach((id, j) => {
      if (!ids.has(id)) {
        throw new MailwrightError(
          'invalid_argument',
          `[faults] rule "${rule.name || rule.id}" names listener "${id}", which does not exist`,
          `faults.${i}.listeners.${j}`,
        );
      }
    });
  });
}

/** A zod error as a MailwrightError naming the first problem's field path. */
export function shapeError(error: z.ZodError, source: string): MailwrightError {
  const issue = error.issues[0]!;
  const field = issue.path.map(String).join('.');
  const area = field.startsWith('listeners') ? 'smtp' : field.split('.')[0] || 'settings';
  return new MailwrightError(
    'invalid_argument',
    `[${area}] ${source}: ${field ? `${field}: ` : ''}${issue.message}`,
    field || undefined,
  );
}

/** A section as the UI and API may see it: every secret replaced by `{ stored: true }`. */
export function redactSection<K extends SectionKey>(key: K, value: SettingsDocument[K]): Settings[K] {
  return mapSecrets(value, SETTINGS_SECTIONS[key].secretPaths, () => STORED) as Settings[K];
}

/** An edited section with each `{ stored: true }` replaced by the secret stored at the same place. */
export function carryOverSection<K extends SectionKey>(
  key: K,
  edited: unknown,
  current: SettingsDocument[K],
): SettingsDocument[K] {
  return carryOverSecrets<SettingsDocument[K]>(key, SETTINGS_SECTIONS[key], edited, current);
}
