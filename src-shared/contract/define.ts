// How a capability declares its verbs: each one's argument schema and result schema, side by side.
// Core.invoke validates arguments with `args` before any handler runs; the OpenAPI document is generated from both.
// Must not import electron, node or DOM modules.
import type { z } from 'zod';

export interface Verb<A extends z.ZodType = z.ZodType, R extends z.ZodType = z.ZodType> {
  readonly args: A;
  readonly result: R;
}

export function verb<A extends z.ZodType, R extends z.ZodType>(args: A, result: R): Verb<A, R> {
  return { args, result };
}

export type VerbTable = Readonly<Record<string, Verb>>;
