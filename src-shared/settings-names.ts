// The settings contract's fixed lists, free of any import, so the renderer can use them without bundling zod
// (the schemas in settings.ts are built from these). Must not import anything.

export const TLS_MODES = ['none', 'starttls', 'starttls-required', 'implicit'] as const;
export const TLS_VERSIONS = ['TLSv1.2', 'TLSv1.3'] as const;
export const AUTH_POLICIES = ['off', 'optional', 'required'] as const;
export const AUTH_MECHANISMS = ['PLAIN', 'LOGIN', 'CRAM-MD5', 'XOAUTH2'] as const;
/** What a listener offers when its settings name no mechanisms (and without an auth block at all). */
export const DEFAULT_AUTH_MECHANISMS = ['PLAIN', 'LOGIN'] as const;
export const FAULT_STAGES = ['connect', 'ehlo', 'auth', 'mail', 'rcpt', 'data', 'afterData'] as const;
export const FAULT_ACTIONS = ['reply', 'delay', 'drop', 'greylist', 'throttle'] as const;
