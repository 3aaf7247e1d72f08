// Small conversions between form values and contract values, shared by the Settings page's forms: an empty text
// box or number box becomes an absent field, never null or "". Pure: no Svelte, no DOM.

let lastKey = 0;
/** A fresh key for a form, so each-blocks can follow it while its id is edited. */
export const nextKey = (): number => ++lastKey;

export const lines = (list: readonly string[] | undefined): string => (list ?? []).join('\n');
const splitLines = (text: string): string[] =>
  text
    .split('\n')
    .map((s) => s.trim())
    .filter((s) => s !== '');
export const isNumber = (n: number | null | undefined): n is number => typeof n === 'number' && Number.isFinite(n);
/** Drops keys whose value is undefined, so nothing optional travels as null, "" or undefined. */
export function compact<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
export const optNum = (n: number | null): number | undefined => (isNumber(n) ? n : undefined);
export const optText = (s: string): string | undefined => (s.trim() === '' ? undefined : s.trim());
export const optLines = (s: string): string[] | undefined => {
  const list = splitLines(s);
  return list.length ? list : undefined;
};

/** `base` when free, else `base-2`, `base-3`, … */
export function uniqueId(base: string, taken: Iterable<string>): string {
  const used = new Set(taken);
  if (!used.has(base)) return base;
  for (let n = 2; ; n++) if (!used.has(`${base}-${n}`)) return `${base}-${n}`;
}
