// Loading a library the first time it is used rather than at start. Serve and the desktop app load every capability
// at start, and a few libraries weigh tens of MB resident (mjml ~59 MB, mailauth ~24 MB, measured alone) that most
// runs never touch; at 200 MB for the steady 100 KB memory run, that headroom matters. Owns nothing else.
import { createRequire } from 'node:module';

const requireHere = createRequire(import.meta.url);

/**
 * A getter that `require`s a CommonJS package on its first call and returns the same module after. For code that
 * must stay synchronous; async code can use `await import()` instead. Give the type with `import type`.
 */
export function lazyRequire<T>(id: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= requireHere(id) as T);
}
