// Migration 4: nothing to do in SQLite. PostgreSQL's 004 adds `capture_shared`, the capture state several instances
// share (lockouts, fault-rule counters, greylisting, throttles); one SQLite instance keeps that state in memory.
// Kept so both dialects number their migrations alike. Released migrations are never edited.
export default /* sql */ `
-- 004_capture_shared: no SQLite table (see the PostgreSQL form in store/postgres/schema.ts).
`;
