// The search syntax (store/search.ts reads it) compiled for PostgreSQL: words become a tsquery over the message's
// weighted tsvector (message_search.doc), everything else SQL over `m`. `?` placeholders, numbered later.
import { analyzeQuery, type SearchOperator, type TextColumn } from '../search.js';

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

export interface PgCompiledQuery {
  /** A tsquery every result's message_search.doc must match (bound as `?::tsquery`), or null without words. */
  match: string | null;
  /** SQL over `m` with `?` placeholders, or ''. */
  where: string;
  params: unknown[];
}

export function compilePgQuery(
  query: string | undefined,
  operators: ReadonlyMap<string, SearchOperator> = new Map(),
): PgCompiledQuery {
  const positive: string[] = [];
  const negative: string[] = [];
  const where: string[] = [];
  const params: unknown[] = [];
  for (const c of analyzeQuery(query, operators)) {
    switch (c.kind) {
      case 'added':
        where.push(c.negated ? `NOT (${c.added.sql})` : `(${c.added.sql})`);
        params.push(...c.added.params);
        break;
      case 'size':
        where.push(`m.size ${c.cmp} ?`);
        params.push(c.bytes);
        break;
      case 'read':
        where.push(c.read ? 'm.read = 1' : 'm.read = 0');
        break;
      case 'attachments':
        where.push(c.has ? 'm.has_attachments = 1' : 'm.has_attachments = 0');
        break;
      case 'received':
        where.push(`m.received_at ${c.cmp} ?`);
        params.push(c.iso);
        break;
      case 'text': {
        const p = tsPhrase(c.value, c.column, c.prefix);
        if (p) (c.negated ? negative : positive).push(p);
        break;
      }
    }
  }
  if (negative.length) {
    where.push('m.id NOT IN (SELECT id FROM message_search WHERE doc @@ ?::tsquery)');
    params.push(negative.join(' | '));
  }
  return { match: positive.length ? positive.join(' & ') : null, where: where.join(' AND '), params };
}
