// The Settings page's draft as a whole: what it started from, which sections changed, the update that carries
// them (untouched listeners exactly as they came), and which input an error's field path points at.
// Pure: no Svelte, no DOM, no api module, so unit tests run it in Node.
import type { FaultRule, ListenerEdit, PinnedSetting, Settings, SettingsUpdate } from '../../../src-shared/settings.js';
import { fromFaultForm, toFaultForm, type FaultForm } from './fault-form.js';
import { compact, lines, optLines, optNum } from './form-values.js';
import { fromListenerForm, toListenerForm, type ListenerForm } from './listener-form.js';

export interface RetentionForm {
  maxMessages: number | null;
  maxBytes: number | null;
}
export interface SmtpForm {
  hostname: string;
  maxMessageBytes: number | null;
  earlyTalkerDelayMs: number | null;
}

/** The checks section: lists as one entry a line (compatibility clients also split at commas). */
export interface ChecksForm {
  dnsServers: string;
  dnsTimeoutMs: number | null;
  spamd: string;
  compatClients: string;
  linksAllowPrivate: boolean;
  linkTimeoutMs: number | null;
  ipBlocklists: string;
  domainBlocklists: string;
}

export interface Draft {
  retention: RetentionForm;
  smtp: SmtpForm;
  checks: ChecksForm;
  listeners: ListenerForm[];
  faults: FaultForm[];
}

export function toDraft(s: Settings): Draft {
  return {
    retention: { ...s.retention },
    smtp: { ...s.smtp },
    checks: {
      dnsServers: lines(s.checks.dnsServers),
      dnsTimeoutMs: s.checks.dnsTimeoutMs,
      spamd: s.checks.spamd,
      compatClients: lines(s.checks.compatClients),
      linksAllowPrivate: s.checks.linksAllowPrivate,
      linkTimeoutMs: s.checks.linkTimeoutMs,
      ipBlocklists: lines(s.checks.ipBlocklists),
      domainBlocklists: lines(s.checks.domainBlocklists),
    },
    listeners: s.listeners.map((l) => toListenerForm(l)),
    faults: s.faults.map(toFaultForm),
  };
}

/** What the draft started from: its JSON per section, and each form's JSON next to the value it came from. */
export interface Baseline {
  sections: Record<keyof Draft, string>;
  listeners: Map<number, { json: string; value: ListenerEdit }>;
  faults: Map<number, { json: string; value: FaultRule }>;
}

export function baselineOf(settings: Settings, draft: Draft): Baseline {
  return {
    sections: sectionsJson(draft),
    listeners: new Map(
      draft.listeners.map((f, i) => [f.key, { json: JSON.stringify(f), value: settings.listeners[i]! }]),
    ),
    faults: new Map(draft.faults.map((f, i) => [f.key, { json: JSON.stringify(f), value: settings.faults[i]! }])),
  };
}

function sectionsJson(d: Draft): Record<keyof Draft, string> {
  return {
    retention: JSON.stringify(d.retention),
    smtp: JSON.stringify(d.smtp),
    checks: JSON.stringify(d.checks),
    listeners: JSON.stringify(d.listeners),
    faults: JSON.stringify(d.faults),
  };
}

export function changedSections(draft: Draft, base: Baseline): (keyof Draft)[] {
  const now = sectionsJson(draft);
  return (Object.keys(now) as (keyof Draft)[]).filter((k) => now[k] !== base.sections[k]);
}

/**
 * A required number left empty: said here, naming the field, rather than sent as "no change" (which would keep the
 * old value without a word).
 */
export function missingRequired(draft: Draft): { field: string; message: string } | null {
  const required: [string, number | null][] = [
    ['retention.maxMessages', draft.retention.maxMessages],
    ['retention.maxBytes', draft.retention.maxBytes],
    ['smtp.maxMessageBytes', draft.smtp.maxMessageBytes],
    ['smtp.earlyTalkerDelayMs', draft.smtp.earlyTalkerDelayMs],
    ['checks.dnsTimeoutMs', draft.checks.dnsTimeoutMs],
    ['checks.linkTimeoutMs', draft.checks.linkTimeoutMs],
  ];
  const missing = required.find(([, v]) => optNum(v) === undefined);
  return missing
    ? { field: missing[0], message: `${missing[0]}: enter a number (0 is allowed where it means "no limit")` }
    : null;
}

/**
 * The update for every changed section. A listener or rule whose form is untouched is sent exactly as it came,
 * so the server sees it unchanged and keeps that listener (and its open sessions) running.
 */
export function buildUpdate(draft: Draft, base: Baseline): SettingsUpdate {
  const update: SettingsUpdate = {};
  for (const section of changedSections(draft, base)) {
    switch (section) {
      case 'retention':
        update.retention = compact({
          maxMessages: optNum(draft.retention.maxMessages),
          maxBytes: optNum(draft.retention.maxBytes),
        });
        break;
      case 'smtp':
        update.smtp = compact({
          hostname: draft.smtp.hostname.trim(),
          maxMessageBytes: optNum(draft.smtp.maxMessageBytes),
          earlyTalkerDelayMs: optNum(draft.smtp.earlyTalkerDelayMs),
        });
        break;
      case 'checks':
        update.checks = compact({
          dnsServers: optLines(draft.checks.dnsServers) ?? [],
          dnsTimeoutMs: optNum(draft.checks.dnsTimeoutMs),
          spamd: draft.checks.spamd.trim(),
          // Empty is sent as it is, so the server says the list needs a client.
          compatClients: optLines(draft.checks.compatClients.replace(/,/g, '\n')) ?? [],
          linksAllowPrivate: draft.checks.linksAllowPrivate,
          linkTimeoutMs: optNum(draft.checks.linkTimeoutMs),
          ipBlocklists: optLines(draft.checks.ipBlocklists) ?? [],
          domainBlocklists: optLines(draft.checks.domainBlocklists) ?? [],
        });
        break;
      case 'listeners':
        update.listeners = draft.listeners.map((f) => unchanged(base.listeners, f) ?? fromListenerForm(f));
        break;
      case 'faults':
        update.faults = draft.faults.map((f) => unchanged(base.faults, f) ?? fromFaultForm(f));
        break;
    }
  }
  return update;
}

function unchanged<T>(origins: Map<number, { json: string; value: T }>, form: { key: number }): T | undefined {
  const origin = origins.get(form.key);
  return origin && origin.json === JSON.stringify(form) ? origin.value : undefined;
}

/** Which listeners an update starts or restarts (new or edited) and which it removes, by id. */
export function listenerChanges(draft: Draft, base: Baseline): { restarted: string[]; removed: string[] } {
  const keys = new Set(draft.listeners.map((f) => f.key));
  return {
    restarted: draft.listeners.filter((f) => unchanged(base.listeners, f) === undefined).map((f) => f.id),
    removed: [...base.listeners].filter(([key]) => !keys.has(key)).map(([, o]) => o.value.id),
  };
}

/**
 * The input an error is about, from the `data-field` paths on the page (in page order): the one equal to the
 * error's field; else, for an item or a group (`listeners.1`, `…credentials.0`), its first input; else the
 * closest parent (`…allowClients` for `…allowClients.3`). A section-wide error (`listeners`) marks no input.
 */
export function bestFieldMatch(field: string | undefined, candidates: Iterable<string>): string | null {
  if (!field) return null;
  const list = [...candidates];
  if (list.includes(field)) return field;
  const child = field.includes('.') ? list.find((c) => c.startsWith(`${field}.`)) : undefined;
  if (child) return child;
  let parent: string | null = null;
  for (const c of list) if (field.startsWith(`${c}.`) && (parent === null || c.length > parent.length)) parent = c;
  return parent;
}

/** `listeners.2.port` → the listeners section, item 2; `smtp.hostname` → smtp. */
export function fieldSection(field: string | undefined): { section: keyof Draft; index: number | null } | null {
  const m = /^(retention|smtp|checks|listeners|faults)(?:\.(\d+))?/.exec(field ?? '');
  if (!m) return null;
  return { section: m[1] as keyof Draft, index: m[2] === undefined ? null : Number(m[2]) };
}

/** The pinned settings at exactly this path (`smtp`, `smtp.hostname`, `listeners.submission`). */
export function pinnedAt(pinned: readonly PinnedSetting[], path: string): PinnedSetting[] {
  return pinned.filter((p) => p.path === path);
}

/** The pinned settings at this path or inside it (`smtp` gives `smtp` and `smtp.hostname`). */
export function pinnedUnder(pinned: readonly PinnedSetting[], path: string): PinnedSetting[] {
  return pinned.filter((p) => p.path === path || p.path.startsWith(`${path}.`));
}

export function pinnedNote(p: PinnedSetting): string {
  return `Set by ${p.source}: a change here applies now and is saved, but ${p.source} wins at the next start.`;
}
