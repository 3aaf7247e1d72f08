// Reading one message: parsing raw bytes into a summary, a detail view, attachments and a safe preview.
// Owns: everything derived from a single message's raw bytes. Must not import electron, the store or any binding.
// Message content is hostile: every pattern run on it must be linear (test/unit/fuzz times each entry point).
export * from './derive.js';
export * from './html-to-text.js';
export * from './detail.js';
export * from './attachments.js';
export * from './preview.js';
export * from './remote-gate.js';
export * from './filenames.js';
