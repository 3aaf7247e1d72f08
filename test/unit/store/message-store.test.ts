// The store contract's helpers: `?` placeholders numbered for PostgreSQL only where they are parameters, the
// search query compiled to a tsquery, and store URLs read with errors that never show the password.
import { describe, expect, it } from 'vitest';
import { numberPlaceholders, operatorFor } from '../../../src-main/store/message-store.js';
import { explainPgError, parseStoreUrl } from '../../../src-main/store/postgres/connection.js';
import { compilePgQuery, foldText } from '../../../src-main/store/postgres/search.js';

describe('numberPlaceholders', () => {
  it('numbers parameters in order', () => {
    expect(numberPlaceholders('SELECT * FROM t WHERE a = ? AND b IN (?, ?)')).toBe(
      'SELECT * FROM t WHERE a = $1 AND b IN ($2, $3)',
    );
  });

  it('leaves ? alone inside literals, quoted identifiers, comments and dollar quoting', () => {
    expect(numberPlaceholders(`SELECT '?', 'it''s ?', "col?" FROM t WHERE a = ?`)).toBe(
      `SELECT '?', 'it''s ?', "col?" FROM t WHERE a = $1`,
    );
    expect(numberPlaceholders('SELECT 1 -- why?\nWHERE a = ? /* b = ? */ AND c = ?')).toBe(
      'SELECT 1 -- why?\nWHERE a = $1 /* b = ? */ AND c = $2',
    );
    expect(numberPlaceholders('SELECT $$a ? b$$, $x$?$x$, ?')).toBe('SELECT $$a ? b$$, $x$?$x$, $1');
    expect(numberPlaceholders("SELECT doc ?? 'k', ?")).toBe("SELECT doc ? 'k', $1");
    // An unterminated literal runs to the end rather than numbering what is inside it.
    expect(numberPlaceholders("SELECT 'abc ?")).toBe("SELECT 'abc ?");
  });
});

describe('operatorFor', () => {
  const sqlite = (): { sql: string; params: [] } => ({ sql: 'a', params: [] });
  const postgres = (): { sql: string; params: [] } => ({ sql: 'b', params: [] });
  it('picks the dialect; a plain function is SQLite only', () => {
    expect(operatorFor({ sqlite, postgres }, 'postgres')).toBe(postgres);
    expect(operatorFor(sqlite, 'sqlite')).toBe(sqlite);
    expect(operatorFor(sqlite, 'postgres')).toBeNull();
  });
});

describe('PostgreSQL search compilation', () => {
  it('folds text as unicode61 remove_diacritics reads it', () => {
    expect(foldText('Café-Crème_ÉTÉ  alice@Shop.test')).toBe('cafe creme ete alice shop test');
  });

  it('words, phrases, prefixes and field weights become a tsquery; the rest SQL with ? parameters', () => {
    expect(compilePgQuery('invoice "amount due" inv* from:alice subject:"big news"')).toEqual({
      match: "'invoice' & ('amount' <-> 'due') & 'inv':* & 'alice':A & ('big':C <-> 'news':C)",
      where: '',
      params: [],
    });
    expect(compilePgQuery('-spam is:unread larger:1k before:2026-01-02 to:bob')).toEqual({
      match: "'bob':B",
      where:
        'm.read = 0 AND m.size > ? AND m.received_at < ? AND m.id NOT IN (SELECT id FROM message_search WHERE doc @@ ?::tsquery)',
      params: [1024, '2026-01-02T00:00:00.000Z', "'spam'"],
    });
  });

  it('hostile input never reaches the tsquery as syntax', () => {
    for (const q of ["'", '!', '&|', '<->', "a':*B", '(', '\\', 'x:A', '日本語']) {
      const { match } = compilePgQuery(q);
      // Every lexeme is a quoted run of letters and digits; between them only the operators this code writes.
      const shape = match?.replace(/'[\p{L}\p{N}]+'(:\*?[ABC]?)?/gu, 'W');
      if (shape !== undefined) expect(shape).toMatch(/^[W()&<\-> ]*$/);
    }
    expect(compilePgQuery('!&|').match).toBeNull();
  });
});

describe('store URLs and connection errors', () => {
  it('reads host, port, database and user; refuses other schemes and missing parts by name', () => {
    expect(parseStoreUrl('postgres://mw:s3cret@db.example.test:6543/mail')).toEqual({
      host: 'db.example.test',
      port: 6543,
      database: 'mail',
      user: 'mw',
    });
    expect(parseStoreUrl('postgresql://mw@[::1]/mail')).toMatchObject({ host: '::1', port: 5432 });
    expect(() => parseStoreUrl('mysql://a@b/c')).toThrow(/must start with postgres:\/\//);
    expect(() => parseStoreUrl('postgres://mw@db.example.test')).toThrow(/names no database/);
    expect(() => parseStoreUrl('not a url')).toThrow(/is not a URL/);
  });

  it('names host and port, a wrong password as such, and never the password', () => {
    const target = parseStoreUrl('postgres://mw:s3cret@db.example.test:6543/mail');
    const refused = explainPgError(
      Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:6543'), { code: 'ECONNREFUSED' }),
      target,
    );
    expect(refused).toMatchObject({ code: 'unavailable' });
    expect(refused.message).toContain('cannot reach PostgreSQL at db.example.test:6543');
    const wrong = explainPgError(Object.assign(new Error('password authentication failed'), { code: '28P01' }), target);
    expect(wrong.message).toBe(
      '[store] PostgreSQL at db.example.test:6543 refused the password of user "mw" (wrong password)',
    );
    expect(`${refused.message}${wrong.message}`).not.toContain('s3cret');
  });
});
