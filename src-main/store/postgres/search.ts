// The search syntax (store/search.ts reads it) compiled for PostgreSQL: words become a tsquery over the message's
// weighted tsvector (message_search.doc), everything else SQL over `m`. `?` placeholders, numbered later.
import {
  compileClauses,
  type CompiledQuery,
  type SearchOperator,
  type TextColumn,
  type TextDialect,
} from '../search.js';

/** tsvector weights of the columns a word may be restricted to (the rest of the text is D). */
const WEIGHT: Record<TextColumn, string> = { sender: 'A', recipients: 'B', subject: 'C' };
/**
 * Text indexed per message part. A tsvector holds at most 1 MB and positions up to 16,383, so past this a body's
 * words are not searchable (SQLite's FTS5 has no such limit); 256 K characters is far beyond real test mail.
 */
export const MAX_INDEXED_CHARS = 256 * 1024;

/**
 * Text folded as SQLite's `unicode61 remove_diacritics 2` tokenizer reads it: lowercase, diacritics removed,
 * anything but letters and digits a separator. The 'simple' configuration then only splits on the spaces.
 */
export function foldText(text: string): string {
  return text
    .slice(0, MAX_INDEXED_CHARS)
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** One term as tsquery text: its words in sequence (`<->`), weight-restricted for a column; null if no word. */
function tsPhrase(value: string, column: TextColumn | null, prefix: boolean): string | null {
  const words = foldText(value).split(' ').filter(Boolean);
  if (words.length === 0) return null;
  const weight = column ? WEIGHT[column] : '';
  const parts = words.map((w, i) => {
    const star = prefix && i === words.length - 1 ? '*' : '';
    const label = star || weight ? `:${star}${weight}` : '';
    return `'${w.replace(/'/g, "''").replace(/\\/g, '\\\\')}'${label}`;
  });
  return parts.length === 1 ? parts[0]! : `(${parts.join(' <-> ')})`;
}

export type PgCompiledQuery = CompiledQuery;

/** PostgreSQL's text search: tsquery phrases over message_search.doc (the match is bound as `?::tsquery`). */
const TSQUERY: TextDialect = {
  phrase: tsPhrase,
  and: ' & ',
  or: ' | ',
  excluding: 'm.id NOT IN (SELECT id FROM message_search WHERE doc @@ ?::tsquery)',
};

export function compilePgQuery(
  query: string | undefined,
  operators: ReadonlyMap<string, SearchOperator> = new Map(),
): PgCompiledQuery {
  return compileClauses(query, operators, TSQUERY);
}
