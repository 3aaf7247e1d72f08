// IPC channel names, free of any import, so the sandboxed preload (bundled whole) carries nothing else.
// Must not import anything.

export const IPC_INVOKE_CHANNEL = 'mailwright:invoke';
export const IPC_EVENT_CHANNEL = 'mailwright:event';
