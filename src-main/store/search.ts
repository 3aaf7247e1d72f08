// The search syntax: turns a user's query into an SQL condition on `messages m` and FTS5 MATCH strings.
// Every user string becomes a quoted FTS5 phrase with no control character in it, so no input can be an FTS or
// SQL syntax error.

/** Terms read from one query: more is an accident or an attack, and each term costs an index lookup. */
const MAX_TERMS = 32;
/** Longest single term; FTS tokens past this length do not occur in real mail. */
const MAX_TERM_CHARS = 256;

export interface CompiledQuery {
  /** The FTS5 MATCH expression every result must satisfy, or null when the query has no text. */
  match: string | null;
  /** An SQL boolean expression over `m` (the messages table), or '' for none. */
  where: string;
  /** Bound parameters of `where`, in order. */
  params: (string | number)[];
}

export type Column = 'sender' | 'recipients' | 'subject' | null;

interface Term {
  negated: boolean;
  /** The operator name, or null for free text. */
  op: string | null;
  value: string;
  quoted: boolean;
}

const TEXT_OPS: Record<string, Column> = { from: 'sender', to: 'recipients', subject: 'subject' };
const ALL_OPS = new Set(['from', 'to', 'subject', 'has', 'is', 'before', 'after', 'larger', 'smaller']);

/**
 * An operator a capability adds to the syntax (`tag:`): its SQL condition over `m` for one value, or null when it
 * does not handle that value (the term then goes on to the built-in operators, or is searched as text).
 */
export type SearchOperator = (value: string) => { sql: string; params: (string | number)[] } | null;
export type SearchOperators = ReadonlyMap<string, SearchOperator>;

const SIZE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
};

/** `larger:`/`smaller:` values: bytes, or a number with K, M or G (powers of 1024, as Mailpit reads them). */
function sizeBytes(value: string): number | null {
  const m = /^(\d{1,12}(?:\.\d{1,6})?)\s*([kmg]?b?)$/i.exec(value.trim());
  const unit = m ? SIZE_UNITS[m[2]!.toLowerCase()] : undefined;
  return m && unit !== undefined ? Math.round(Number(m[1]) * unit) : null;
}

/**
 * Control characters and lone surrogate halves. FTS5 reads a NUL inside a quoted phrase as the end of the
 * query text ("abc%00" was `500 unterminated string`), and half a surrogate pair is not text in UTF-8; no word
 * of a message holds either, so each becomes a space (tab and newline already separate words).
 */
const NOT_QUERY_TEXT = /[\p{Cc}\p{Cs}]/gu;

/** Splits a query into terms: `-op:"quoted value"`, `op:value`, `"phrase"`, `word`. Never throws. */
export function tokenize(query: string, extraOps: ReadonlySet<string> = new Set()): Term[] {
  const terms: Term[] = [];
  const q = query.slice(0, 4 * MAX_TERMS * MAX_TERM_CHARS).replace(NOT_QUERY_TEXT, ' ');
  let i = 0;
  while (i < q.length && terms.length < MAX_TERMS) {
    while (i < q.length && /\s/.test(q[i]!)) i++;
    if (i >= q.length) break;
    let negated = false;
    if (q[i] === '-' && i + 1 < q.length && !/\s/.test(q[i + 1]!)) {
      negated = true;
      i++;
    }
    let op: string | null = null;
    const opMatch = /^([a-zA-Z]+):/.exec(q.slice(i, i + 12));
    const opName = opMatch?.[1]?.toLowerCase();
    if (opMatch && opName !== undefined && (ALL_OPS.has(opName) || extraOps.has(opName))) {
      op = opMatch[1]!.toLowerCase();
      i += opMatch[0].length;
    }
    let value: string;
    let quoted = false;
    if (q[i] === '"') {
      // An unbalanced quote runs to the end of the query rather than failing it.
      const close = q.indexOf('"', i + 1);
      value = q.slice(i + 1, close < 0 ? q.length : close);
      i = close < 0 ? q.length : close + 1;
      quoted = true;
    } else {
      const start = i;
      while (i < q.length && !/\s/.test(q[i]!)) i++;
      value = q.slice(start, i);
    }
    value = value.slice(0, MAX_TERM_CHARS);
    if (value.trim() === '' && op === null) continue;
    if (value.trim() === '') {
      // "from:" with nothing after it: the user is still typing; search the word itself.
      terms.push({ negated, op: null, value: op!, quoted: false });
      continue;
    }
    terms.push({ negated, op, value, quoted });
  }
  return terms;
}

/** A term as an FTS5 phrase: doubled quotes make any string a literal phrase. */
function phrase(value: string, column: Column, prefix: boolean): string | null {
  // A term with no letter or digit yields no token; FTS5 would match nothing (or everything) with it.
  if (!/[\p{L}\p{N}]/u.test(value)) return null;
  const quotedValue = `"${value.replace(/"/g, '""')}"${prefix ? ' *' : ''}`;
  return column ? `{${column}} : ${quotedValue}` : quotedValue;
}

/** Start of a YYYY-MM-DD day in UTC, as the ISO prefix stored in received_at; null if not a real date. */
function dayStart(value: string, plusDays = 0): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return null;
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + plusDays);
  const d = new Date(t);
  if (plusDays === 0 && (d.getUTCMonth() !== Number(m[2]) - 1 || d.getUTCDate() !== Number(m[3]))) return null;
  return Number.isFinite(t) ? d.toISOString() : null;
}

/** One term of a query, resolved to what it asks for; each dialect compiles these (SQLite below, postgres/search.ts). */
export type QueryClause<R> =
  /** A capability's operator handled this value (`tag:x`): its result, negated or not. */
  | { kind: 'added'; negated: boolean; added: R }
  | { kind: 'size'; cmp: '>' | '<=' | '>=' | '<'; bytes: number }
  | { kind: 'read'; read: boolean }
  | { kind: 'attachments'; has: boolean }
  /** received_at compared with the ISO start of a UTC day. */
  | { kind: 'received'; cmp: '<' | '>='; iso: string }
  /** Text to find: in one column (from:/to:/subject:) or anywhere; `prefix` asks for words starting with it. */
  | { kind: 'text'; negated: boolean; column: Column; value: string; prefix: boolean };

export type TextColumn = Exclude<Column, null>;

/**
 * Reads a query into clauses, in the order of its terms. Dates are UTC days on receivedAt: `after:D` includes day
 * D, `before:D` excludes it. Words match whole tokens; a trailing `*` after 3+ letters asks for a prefix ("inv*"
 * finds "invoice"). Prefixes are opt-in and 3+ long because a short one merges thousands of index terms (seconds
 * at 100k). `operators` are a capability's (`tag:`); each returns its dialect's condition, or null to decline.
 */
export function analyzeQuery<R>(
  query: string | undefined,
  operators: ReadonlyMap<string, (value: string) => R | null> = new Map(),
): QueryClause<R>[] {
  const out: QueryClause<R>[] = [];
  for (const t of tokenize(query ?? '', new Set(operators.keys()))) {
    const not = t.negated;
    const added = t.op !== null ? operators.get(t.op)?.(t.value) : null;
    if (added) {
      out.push({ kind: 'added', negated: not, added });
      continue;
    }
    if (t.op === 'larger' || t.op === 'smaller') {
      const bytes = sizeBytes(t.value);
      if (bytes !== null) {
        const cmp = t.op === 'larger' ? (not ? '<=' : '>') : not ? '>=' : '<';
        out.push({ kind: 'size', cmp, bytes });
        continue;
      }
    }
    if (t.op === 'is' && /^(unread|read)$/i.test(t.value)) {
      out.push({ kind: 'read', read: (t.value.toLowerCase() === 'read') !== not });
      continue;
    }
    if (t.op === 'has' && /^attachments?$/i.test(t.value)) {
      out.push({ kind: 'attachments', has: !not });
      continue;
    }
    if (t.op === 'before' || t.op === 'after') {
      const day = dayStart(t.value);
      if (day) {
        const isBefore = (t.op === 'before') !== not;
        out.push({ kind: 'received', cmp: isBefore ? '<' : '>=', iso: day });
        continue;
      }
    }
    // Unknown values of is:/has:/before:/after:/larger:/smaller: are searched as text rather than rejected.
    const column = t.op !== null && t.op in TEXT_OPS ? TEXT_OPS[t.op]! : null;
    const text = column || t.op === null ? t.value : `${t.op} ${t.value}`;
    const prefix = !t.quoted && /[\p{L}\p{N}]{3}\*$/u.test(text);
    out.push({ kind: 'text', negated: not, column, value: prefix ? text.slice(0, -1) : text, prefix });
  }
  return out;
}

const FTS_SUBQUERY = 'SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?';

/** How one database searches words: the rest of the syntax is SQL over `m` alike in both. */
export interface TextDialect {
  /** One term as this database's full-text query text, or null when it has no word. */
  phrase(value: string, column: Column, prefix: boolean): string | null;
  /** Joins the positive terms (every one must match) and the negative ones (any excludes). */
  and: string;
  or: string;
  /** A condition on `m.id` excluding the messages that match one bound full-text query. */
  excluding: string;
}

/**
 * Compiles a query with a dialect's text search: a full-text match string for the words, SQL over `m` with `?`
 * placeholders for the rest (see analyzeQuery).
 */
export function compileClauses(
  query: string | undefined,
  operators: SearchOperators,
  dialect: TextDialect,
): CompiledQuery {
  const positive: string[] = [];
  const negative: string[] = [];
  const where: string[] = [];
  const params: (string | number)[] = [];
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
        const p = dialect.phrase(c.value, c.column, c.prefix);
        if (p) (c.negated ? negative : positive).push(p);
        break;
      }
    }
  }
  if (negative.length) {
    where.push(dialect.excluding);
    params.push(negative.join(dialect.or));
  }
  return { match: positive.length ? positive.join(dialect.and) : null, where: where.join(' AND '), params };
}

const FTS5: TextDialect = { phrase, and: ' AND ', or: ' OR ', excluding: `m.id NOT IN (${FTS_SUBQUERY})` };

/** Compiles a query for SQLite: an FTS5 MATCH string for the words, SQL over `m` for the rest. */
export function compileQuery(query: string | undefined, operators: SearchOperators = new Map()): CompiledQuery {
  return compileClauses(query, operators, FTS5);
}
