// The one typed contract: every call the UI can make and every event it receives, merged from one file per
// capability. Electron IPC, the HTTP API and the renderer are bindings of it.
// Adding a capability: write contract/<capability>.ts (its verbs with `verb(args, result)`, and its events), then
// add one entry to CAPABILITY_VERBS and one `&` term to Events below.
// Must not import electron, node or DOM modules.
import type { z } from 'zod';
import { composeVerbs, type ComposeEvents } from './compose.js';
import { bulkVerbs, type BulkEvents } from './compose-bulk.js';
import type { Verb } from './define.js';
import { checksVerbs, type ChecksEvents } from './checks.js';
import { desktopCallArgs } from './desktop.js';
import { diffVerbs, type DiffEvents } from './diff.js';
import { mailpitVerbs } from './mailpit.js';
import { messagesVerbs, type MessagesEvents } from './messages.js';
import { serverVerbs, type ServerEvents } from './server.js';
import { sessionsVerbs, type SessionsEvents } from './sessions.js';
import { settingsVerbs, type SettingsEvents } from './settings.js';
import { tagsVerbs, type TagsEvents } from './tags.js';
import { templatesVerbs, type TemplatesEvents } from './templates.js';
import { mailboxesVerbs } from './mailboxes.js';
import { waitVerbs } from './wait.js';
import { webhooksVerbs, type WebhooksEvents } from './webhooks.js';

export * from './messages.js';
export * from './sessions.js';
export * from './settings.js';
export * from './server.js';
export * from './desktop.js';
export * from './compose.js';
export * from './compose-bulk.js';
export * from './checks.js';
export * from './diff.js';
export * from './tags.js';
export * from './mailpit.js';
export * from './wait.js';
export * from './mailboxes.js';
export * from './webhooks.js';
export * from './templates.js';
export { verb, type Verb, type VerbTable } from './define.js';
export { IPC_EVENT_CHANNEL, IPC_INVOKE_CHANNEL } from '../ipc.js';

/** Each capability's verb table, by capability; a test checks that no verb name appears twice. */
export const CAPABILITY_VERBS = {
  messages: messagesVerbs,
  settings: settingsVerbs,
  server: serverVerbs,
  sessions: sessionsVerbs,
  compose: { ...composeVerbs, ...bulkVerbs },
  checks: checksVerbs,
  diff: diffVerbs,
  tags: tagsVerbs,
  mailpit: mailpitVerbs,
  wait: waitVerbs,
  mailboxes: mailboxesVerbs,
  webhooks: webhooksVerbs,
  templates: templatesVerbs,
} as const;

type Merge<T> = { [C in keyof T]: (x: T[C]) => void } extends Record<keyof T, (x: infer I) => void> ? I : never;
type AllVerbs = Merge<typeof CAPABILITY_VERBS>;

/** Every verb of every capability. */
export const verbs: AllVerbs = Object.assign({}, ...Object.values(CAPABILITY_VERBS)) as AllVerbs;

export type CallName = Extract<keyof AllVerbs, string>;
export type CallArgs<K extends CallName> = z.input<AllVerbs[K]['args']>;
export type ParsedCallArgs<K extends CallName> = z.output<AllVerbs[K]['args']>;
export type CallResult<K extends CallName> = z.output<AllVerbs[K]['result']>;
export type CallResults = { [K in CallName]: CallResult<K> };

/** Argument schemas by verb (`Core.invoke` validates with them before any handler runs). */
export const callArgs = Object.fromEntries(Object.entries(verbs).map(([name, v]) => [name, (v as Verb).args])) as {
  [K in CallName]: AllVerbs[K]['args'];
};

/** Every verb name, in capability order. */
export const CALL_NAMES = Object.keys(verbs) as CallName[];

export function isCallName(name: unknown): name is CallName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(verbs, name);
}

/** Push events of every capability (one `&` term per capability that has events). */
export type Events = MessagesEvents &
  SettingsEvents &
  ServerEvents &
  SessionsEvents &
  ComposeEvents &
  BulkEvents &
  ChecksEvents &
  DiffEvents &
  TagsEvents &
  WebhooksEvents &
  TemplatesEvents;
export type EventName = keyof Events;
export interface EventEnvelope<K extends EventName = EventName> {
  event: K;
  data: Events[K];
}

export type DesktopCallName = keyof typeof desktopCallArgs;
export const DESKTOP_CALL_NAMES = Object.keys(desktopCallArgs) as DesktopCallName[];
export type DesktopCallArgs<K extends DesktopCallName> = z.input<(typeof desktopCallArgs)[K]>;
