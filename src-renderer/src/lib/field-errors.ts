// Lets every settings input find the apply error that names its field, without threading props through each
// editor: the Settings view provides the lookup, each input asks it for its own `data-field` path.
import { getContext, setContext } from 'svelte';

export interface FieldErrors {
  /** The error message when it is about exactly this path, else null. */
  at(path: string): string | null;
}

const KEY = Symbol('field-errors');
const NONE: FieldErrors = { at: () => null };

export function provideFieldErrors(errors: FieldErrors): void {
  setContext(KEY, errors);
}

export function fieldErrors(): FieldErrors {
  return getContext<FieldErrors | undefined>(KEY) ?? NONE;
}
