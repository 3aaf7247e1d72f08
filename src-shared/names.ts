// The contract's verb and channel names, free of any import, so the sandboxed preload (bundled whole)
// can use them without pulling in the argument schemas. contract.ts checks its schemas against these lists.
// Must not import anything.

export const CALL_NAMES = [
  'messages.list',
  'messages.get',
  'messages.source',
  'messages.remoteContentKey',
  'messages.markRead',
  'messages.delete',
  'messages.deleteAll',
  'messages.import',
  'messages.reindex',
  'settings.get',
  'settings.update',
  'settings.presets',
  'listeners.certificate',
  'server.status',
  'sessions.list',
  'sessions.get',
  'metrics.get',
] as const;
export type CallName = (typeof CALL_NAMES)[number];

/** Desktop-only verbs: they open native dialogs, so only the Electron binding has them. */
export const DESKTOP_CALL_NAMES = [
  'desktop.saveRaw',
  'desktop.saveAttachments',
  'desktop.importFiles',
  'desktop.openExternal',
  'desktop.saveCertificate',
] as const;
export type DesktopCallName = (typeof DESKTOP_CALL_NAMES)[number];

/** IPC channel names; no binding spells them by hand. */
export const IPC_INVOKE_CHANNEL = 'mailwright:invoke';
export const IPC_EVENT_CHANNEL = 'mailwright:event';
