// How a capability declares its verbs: each one's argument schema and result schema, side by side.
// Core.invoke validates arguments with `args` before any handler runs; the OpenAPI document is generated from both.
// Must not import electron, node or DOM modules.
import { z } from 'zod';

export interface Verb<A extends z.ZodType = z.ZodType, R extends z.ZodType = z.ZodType> {
  readonly args: A;
  readonly result: R;
}

export function verb<A extends z.ZodType, R extends z.ZodType>(args: A, result: R): Verb<A, R> {
  return { args, result };
}

export type VerbTable = Readonly<Record<string, Verb>>;

// Building blocks every capability's schemas share, so the same kind of value reads the same in the OpenAPI document.
// (Their JSON Schema carries the safe-integer bounds and the date-time format.)

/** A stored row's id (a message, a session): SQLite rowids start at 1. */
export const rowId = z.number().int().positive();
/** A count or a size in bytes. */
export const count = z.number().int().min(0);
/** A moment as ISO 8601 in UTC (`toISOString()`), the only form the core sends. */
export const isoTime = z.iso.datetime();
