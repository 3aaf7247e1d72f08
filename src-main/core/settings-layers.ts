// How the running settings are put together from layers (defaults < saved < config file < environment < flags),
// and the pure steps around them: shape checks with field paths, carrying stored secrets over an edit, redaction.
// Must not import electron, smtp-server, the store or any binding.
import type { z } from 'zod';
import {
  MailwrightError,
  STORED,
  isStoredSecret,
  mapListenerSecrets,
  settingsDocumentSchema,
  type ListenerConfig,
  type ListenerEdit,
  type ListenerShape,
  type PinnedSetting,
  type SettingsDocument,
  type SettingsFile,
} from '../../src-shared/index.js';

/** One source of settings above the saved ones. */
export interface SettingsLayer {
  /** Said in `pinned` and in errors: `config file /etc/mailwright.json`, `--smtp`, `MAILWRIGHT_SMTP`. */
  source: string;
  /** Sections this layer sets: a list section replaces the one below; `retention` and `smtp` merge by field. */
  settings?: SettingsFile;
  /**
   * One listener's address (`--smtp HOST:PORT`): sets host and port of the listener with `template.id`,
   * adding `template` at that address when no lower layer has it.
   */
  listenerAddress?: { host: string; port: number; template: ListenerConfig };
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
    // retention and smtp merge field by field; each field given is pinned on its own.
    const merge = (name: 'retention' | 'smtp', fields: Record<string, unknown> | undefined) => {
      for (const [key, value] of Object.entries(fields ?? {})) {
        if (value === undefined) continue;
        (doc[name] as Record<string, unknown>)[key] = value;
        pin(`${name}.${key}`);
      }
    };
    merge('retention', s?.retention);
    merge('smtp', s?.smtp);
    if (s?.listeners) {
      doc.listeners = structuredClone(s.listeners);
      pin('listeners');
    }
    if (s?.faults) {
      doc.faults = structuredClone(s.faults);
      pin('faults');
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

/** The document as the UI and API may see it: every secret replaced by `{ stored: true }`. */
export function redactListeners(listeners: readonly ListenerConfig[]): ListenerEdit[] {
  return listeners.map(
    (l) => mapListenerSecrets<string, typeof STORED>(l as ListenerShape<string>, () => STORED) as ListenerEdit,
  );
}

/**
 * Turns an edited listener list back into one with real secrets: `{ stored: true }` takes the secret stored for the
 * same listener (by id, else at the same position) and the same credential (by username) or the certificate key.
 */
export function carryOverSecrets(
  edited: readonly ListenerEdit[],
  current: readonly ListenerConfig[],
): ListenerConfig[] {
  return edited.map((l, i) => {
    const before = current.find((c) => c.id === l.id) ?? current[i];
    return mapListenerSecrets<string | typeof STORED, string>(l, (value, path) => {
      if (!isStoredSecret(value)) return value;
      const stored = before ? storedSecretAt(before, l, path) : undefined;
      if (stored === undefined) {
        throw new MailwrightError(
          'invalid_argument',
          `[smtp] listener "${l.id}": ${path} has no stored value to keep; enter it`,
          `listeners.${i}.${path}`,
        );
      }
      return stored;
    });
  });
}

function storedSecretAt(before: ListenerConfig, edited: ListenerShape<unknown>, path: string): string | undefined {
  if (path === 'certificate.key') return before.certificate?.mode === 'pem' ? before.certificate.key : undefined;
  const m = /^auth\.credentials\.(\d+)\.(password|token)$/.exec(path);
  if (!m) return undefined;
  const username = edited.auth?.credentials?.[Number(m[1])]?.username;
  const match = before.auth?.credentials?.find((c) => c.username === username);
  return match?.[m[2] as 'password' | 'token'];
}
