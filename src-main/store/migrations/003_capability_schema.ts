// Migration 3: each capability's own schema version. Released migrations are never edited: add a new numbered file instead.
export default /* sql */ `
-- 003_capability_schema: capabilities (composer, checks, …) keep their tables in this database and number their
-- migrations on their own; this row says how far each one's tables are.
CREATE TABLE capability_schema (
  capability TEXT    PRIMARY KEY,
  version    INTEGER NOT NULL
) STRICT;
`;
