// Case-insensitive glob matching for sender, recipient and user patterns: `*` is any run, `?` one character,
// everything else literal. Shared with anyone who needs the same pattern language (allow/deny lists).

/**
 * Longest pattern accepted. An address is at most 254 characters (RFC 5321 path limit), so a longer
 * pattern can only be a mistake or hostile; the cap also bounds the O(pattern × input) match cost.
 */
export const MAX_GLOB_CHARS = 256;

/**
 * Longest input compared. SMTP command lines are capped at 512 octets (RFC 5321 4.5.3.1.4), so no honest
 * address is longer; comparing a bounded prefix keeps a hostile envelope from costing more than 256×1024 steps.
 */
export const MAX_GLOB_INPUT_CHARS = 1024;

export type GlobMatcher = (value: string) => boolean;

/**
 * Compiles a glob into a matcher. Deliberately not a RegExp: `^.*a.*a.*a…b$` backtracks polynomially in
 * V8 (eight stars against 60 characters took 40 s here), while this two-pointer walk is O(pattern × input)
 * for any pattern. Throws a plain Error for a pattern that is too long; callers add the field name.
 */
export function compileGlob(pattern: string): GlobMatcher {
  if (typeof pattern !== 'string') throw new Error('pattern must be a string');
  if (pattern.length > MAX_GLOB_CHARS) throw new Error(`pattern is longer than ${MAX_GLOB_CHARS} characters`);
  // Runs of `*` mean the same as one; collapsing them keeps the walk short.
  const p = Array.from(pattern.toLowerCase().replace(/\*+/g, '*'));
  return (value: string): boolean => {
    if (typeof value !== 'string' || value.length > MAX_GLOB_INPUT_CHARS) return false;
    return globMatch(p, Array.from(value.toLowerCase()));
  };
}

/** Classic wildcard walk: on a mismatch, retry from the last `*` one character further on. */
function globMatch(p: string[], s: string[]): boolean {
  let pi = 0;
  let si = 0;
  let star = -1;
  let starSi = 0;
  while (si < s.length) {
    if (pi < p.length && (p[pi] === '?' || (p[pi] !== '*' && p[pi] === s[si]))) {
      pi++;
      si++;
    } else if (pi < p.length && p[pi] === '*') {
      star = pi++;
      starSi = si;
    } else if (star >= 0) {
      pi = star + 1;
      si = ++starSi;
    } else {
      return false;
    }
  }
  while (pi < p.length && p[pi] === '*') pi++;
  return pi === p.length;
}
