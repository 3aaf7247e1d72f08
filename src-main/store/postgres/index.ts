// The PostgreSQL store (issue 13): PgStore and its connection helpers. This file only re-exports.
export { describeTarget, parseStoreUrl, type PgTarget } from './connection.js';
export { PgStore, type PgStoreOptions } from './store.js';
export { PROBE_TIMEOUT_MS, probeStore, withPassword, type StoreProbe } from './probe.js';
