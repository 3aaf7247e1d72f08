// The verb and channel names the preload needs, without zod: the sandboxed preload is bundled whole,
// and importing them from contract.ts would drag the schemas in. The types below break the build
// if this list and the contract ever disagree. Must not import electron or zod.
import type { CallName, DesktopCallName, IPC_EVENT_CHANNEL, IPC_INVOKE_CHANNEL } from '../../src-shared/contract.js';

export const INVOKE_CHANNEL: typeof IPC_INVOKE_CHANNEL = 'mailwright:invoke';
export const EVENT_CHANNEL: typeof IPC_EVENT_CHANNEL = 'mailwright:event';

export const CONTRACT_VERBS = [
  'messages.list',
  'messages.get',
  'messages.source',
  'messages.markRead',
  'messages.delete',
  'messages.deleteAll',
  'messages.import',
  'messages.reindex',
  'settings.get',
  'settings.update',
  'server.status',
] as const satisfies readonly CallName[];

export const DESKTOP_VERBS = [
  'desktop.saveRaw',
  'desktop.saveAttachments',
  'desktop.importFiles',
  'desktop.openExternal',
] as const satisfies readonly DesktopCallName[];

type MissingFrom<All, Listed> = [Exclude<All, Listed>] extends [never] ? true : Exclude<All, Listed>;
// A compile error here names the contract verb this list lacks.
export const contractVerbsComplete: MissingFrom<CallName, (typeof CONTRACT_VERBS)[number]> = true;
export const desktopVerbsComplete: MissingFrom<DesktopCallName, (typeof DESKTOP_VERBS)[number]> = true;
