// Matches a query against the header summary a new message has the moment it is committed, before the indexer
// has parsed it, so a wait on from/to/subject answers within milliseconds of the 250. The rules follow the
// full-text index: whole words (unicode61, case and diacritics folded), a quoted value is a phrase, `abc*` a prefix.
import type { MessageSummary } from '../../src-shared/index.js';
import { tokenize } from '../store/search.js';

export type QuickMatcher = (message: MessageSummary) => boolean;

type Field = 'from' | 'to' | 'subject';
const FIELDS: Record<string, Field> = { from: 'from', to: 'to', subject: 'subject' };

interface Condition {
  negated: boolean;
  test: (message: MessageSummary) => boolean;
}

/**
 * A matcher when every term of the query can be decided from headers (from:, to:, subject:, is:read/unread);
 * null when some term needs the full-text index (free text, has:, dates), so the caller waits for it instead.
 */
export function quickMatcher(query: string | undefined): QuickMatcher | null {
  const conditions: Condition[] = [];
  for (const term of tokenize(query ?? '')) {
    if (term.op === 'is' && /^(read|unread)$/i.test(term.value)) {
      const wantRead = term.value.toLowerCase() === 'read';
      conditions.push({ negated: term.negated, test: (m) => m.read === wantRead });
      continue;
    }
    const field = term.op === null ? undefined : FIELDS[term.op];
    if (!field) return null;
    const prefix = !term.quoted && /[\p{L}\p{N}]{3}\*$/u.test(term.value);
    const words = wordsOf(prefix ? term.value.slice(0, -1) : term.value);
    // A value without a word is ignored by the index too.
    if (words.length === 0) continue;
    conditions.push({
      negated: term.negated,
      test: (m) => containsPhrase(wordsOf(fieldText(m, field)), words, prefix),
    });
  }
  return (message) => conditions.every((c) => c.test(message) !== c.negated);
}

function fieldText(m: MessageSummary, field: Field): string {
  if (field === 'subject') return m.subject;
  if (field === 'from') return m.from ? `${m.from.name} ${m.from.address}` : '';
  return [...m.to, ...m.cc].map((a) => `${a.name} ${a.address}`).join(' ') + ' ' + m.bcc.join(' ');
}

/** The index's tokens: letters, digits and private-use characters, lower-cased, diacritics removed. */
export function wordsOf(text: string): string[] {
  return (
    text
      .normalize('NFKD')
      .replace(/\p{M}/gu, '')
      .toLowerCase()
      .match(/[\p{L}\p{N}\p{Co}]+/gu) ?? []
  );
}

function containsPhrase(haystack: string[], phrase: string[], prefix: boolean): boolean {
  const last = phrase.length - 1;
  for (let i = 0; i + phrase.length <= haystack.length; i++) {
    let ok = true;
    for (let j = 0; j <= last && ok; j++) {
      const word = haystack[i + j]!;
      ok = prefix && j === last ? word.startsWith(phrase[j]!) : word === phrase[j];
    }
    if (ok) return true;
  }
  return false;
}
