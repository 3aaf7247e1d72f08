// The capture server: SMTP listeners that accept mail from the app under test and hand it to a sink.
// Owns: smtp-server setup, TLS material, the fast greeting, the in-flight byte budget all listeners share.
// Must not import electron, the store or any binding. This file only re-exports.
export type {
  AuthConfig,
  AuthMechanism,
  CertificateConfig,
  Credential,
  LimitsConfig,
  ListenerConfig,
  TlsMode,
} from './listener-config.js';
export type { FaultEvaluator } from './gate.js';
export { DEFAULT_SESSION_TIMEOUT_SECONDS } from './gate.js';
export type { MessageSink } from './transaction.js';
export { MemoryCaptureState, type CountLimit, type LockoutLimits, type SharedCaptureState } from './shared-state.js';
export type { CaptureLogger } from './log.js';
export type { RecordedLine, SessionObserver, SessionRecord } from './session-log.js';
export { MAX_LINE_CHARS, MAX_TRANSCRIPT_CHARS, MAX_TRANSCRIPT_LINES } from './session-log.js';
export { silentLogger, stderrLogger } from './log.js';
export { DEFAULT_MAX_IN_FLIGHT_BYTES } from './in-flight.js';
export { tlsPaths } from './certificate.js';
export { canBindLowPorts, listenerPresets, type ListenerPreset } from './presets.js';
export {
  DEFAULT_MAX_MESSAGE_BYTES,
  DEFAULT_SOCKET_TIMEOUT_MS,
  DEFAULT_CLOSE_TIMEOUT_MS,
  DEFAULT_MAX_CLIENTS,
  DEFAULT_MAX_RECIPIENTS,
  type SharedListenerOptions,
  type CaptureOptions,
  CaptureServer,
} from './capture-server.js';
