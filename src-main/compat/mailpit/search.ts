// Mailpit's search syntax, rewritten into Mailwright's (store/search.ts). Most operators are the same; where Mailpit
// has one Mailwright lacks, the nearest Mailwright search stands in (README "Mailpit search differences").
// Never throws: anything it does not know is passed on as text, and Mailwright's search never fails on text.

/** Operators whose Mailwright form is the same word. */
const SAME = new Set(['from', 'to', 'subject', 'tag', 'is', 'has', 'larger', 'smaller']);
/** Address operators Mailwright folds into `to:` (its recipients column holds To, Cc and every envelope recipient). */
const TO_LIKE = new Set(['cc', 'bcc', 'addressed']);
/** Header operators Mailwright has no column for: their value is searched as a phrase (headers are indexed). */
const AS_PHRASE = new Set(['reply-to', 'message-id']);

/** One term: optional `-`/`!`, an optional `op:`, a value that may be quoted. */
const TERM = /^([-!]?)(?:([a-zA-Z-]{2,12}):)?("([^"]*)"?|\S+)/;

export function mailpitToMailwright(query: string): string {
  const out: string[] = [];
  let rest = query.trim();
  // Bounded by the input: each turn consumes at least one character.
  while (rest.length > 0) {
    const m = TERM.exec(rest);
    if (!m) break;
    rest = rest.slice(m[0].length).trimStart();
    const negated = m[1] !== '';
    const op = m[2]?.toLowerCase();
    const quoted = m[4] !== undefined;
    const value = quoted ? m[4]! : m[3]!;
    const term = rewrite(op, value, quoted);
    if (term) out.push(`${negated ? '-' : ''}${term}`);
  }
  return out.join(' ');
}

function rewrite(op: string | undefined, value: string, quoted: boolean): string {
  const v = quoted || /\s/.test(value) ? `"${value.replace(/"/g, '')}"` : value;
  if (op === undefined) return v;
  if (SAME.has(op)) return `${op}:${v}`;
  if (TO_LIKE.has(op)) return `to:${v}`;
  if (AS_PHRASE.has(op)) return `"${value.replace(/"/g, '')}"`;
  if (op === 'before' || op === 'after') {
    const day = isoDay(value);
    return day ? `${op}:${day}` : '';
  }
  // An unknown `word:` is Mailpit text too (a URL, `re:`): keep it as Mailwright text.
  return `"${op}:${value.replace(/"/g, '')}"`;
}

/** Mailpit reads many date spellings; Mailwright's before:/after: take a UTC day. */
function isoDay(value: string): string | null {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return value;
  const t = Date.parse(value);
  return Number.isFinite(t) ? new Date(t).toISOString().slice(0, 10) : null;
}
