// The query compiler: operators, quoting, negation, and inputs that must never become syntax errors.
import { describe, expect, it } from 'vitest';
import { compileQuery, tokenize, type SearchOperator } from '../../../src-main/store/search.js';

describe('tokenize', () => {
  it('reads operators, phrases, negation and bare words', () => {
    expect(tokenize('from:alice "big deal" -is:read word')).toEqual([
      { negated: false, op: 'from', value: 'alice', quoted: false },
      { negated: false, op: null, value: 'big deal', quoted: true },
      { negated: true, op: 'is', value: 'read', quoted: false },
      { negated: false, op: null, value: 'word', quoted: false },
    ]);
  });

  it('takes quoted operator values and runs an unbalanced quote to the end', () => {
    expect(tokenize('subject:"two words" "open')).toEqual([
      { negated: false, op: 'subject', value: 'two words', quoted: true },
      { negated: false, op: null, value: 'open', quoted: true },
    ]);
  });

  it('keeps unknown operators as text and an empty operator as a word', () => {
    expect(tokenize('foo:bar from:')).toEqual([
      { negated: false, op: null, value: 'foo:bar', quoted: false },
      { negated: false, op: null, value: 'from', quoted: false },
    ]);
  });

  it('reads control characters and lone surrogate halves as spaces (a NUL ended the FTS5 phrase)', () => {
    expect(tokenize('abc\u0000def "x\u0001y" \ud800z').map((t) => t.value)).toEqual(['abc', 'def', 'x y', 'z']);
    expect(compileQuery('abc\u0000').match).toBe('"abc"');
  });

  it('caps the number of terms', () => {
    expect(tokenize(Array.from({ length: 500 }, (_, i) => `w${i}`).join(' ')).length).toBe(32);
  });
});

describe('compileQuery', () => {
  it('is empty for an empty query', () => {
    expect(compileQuery('')).toEqual({ match: null, where: '', params: [] });
    expect(compileQuery('   ')).toEqual({ match: null, where: '', params: [] });
  });

  it('quotes every text term and escapes embedded quotes', () => {
    const q = compileQuery('say "he said ""hi""" from:a"b');
    expect(q.match).toBe('"say" AND "he said " AND "hi" AND {sender} : "a""b"');
    expect(q.where).toBe('');
  });

  it('maps is:, has:, before: and after: to columns', () => {
    const q = compileQuery('is:unread has:attachment after:2026-01-02 before:2026-02-01');
    expect(q.match).toBeNull();
    expect(q.where).toBe('m.read = 0 AND m.has_attachments = 1 AND m.received_at >= ? AND m.received_at < ?');
    expect(q.params).toEqual(['2026-01-02T00:00:00.000Z', '2026-02-01T00:00:00.000Z']);
  });

  it('negates operators and text', () => {
    const q = compileQuery('-is:read -has:attachment -spam -from:bob');
    expect(q.where).toBe(
      'm.read = 0 AND m.has_attachments = 0 AND m.id NOT IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?)',
    );
    expect(q.params).toEqual(['"spam" OR {sender} : "bob"']);
    expect(q.match).toBeNull();
  });

  it('searches an invalid date as text instead of failing', () => {
    expect(compileQuery('before:2026-02-30').match).toBe('"before 2026-02-30"');
    expect(compileQuery('after:yesterday').match).toBe('"after yesterday"');
  });

  it('a trailing * after three or more letters asks for a prefix', () => {
    expect(compileQuery('invo* in* a* "quo*"').match).toBe('"invo" * AND "in*" AND "a*" AND "quo*"');
  });

  it('drops terms without a letter or digit', () => {
    expect(compileQuery('*** "" - ( ) ^')).toEqual({ match: null, where: '', params: [] });
  });

  it('reads larger: and smaller: as sizes in bytes, K, M or G (powers of 1024)', () => {
    const q = compileQuery('larger:1M smaller:2.5k -larger:10 -smaller:1g');
    expect(q.where).toBe('m.size > ? AND m.size < ? AND m.size <= ? AND m.size >= ?');
    expect(q.params).toEqual([1024 * 1024, 2560, 10, 1024 ** 3]);
    expect(compileQuery('larger:huge').match).toBe('"larger huge"');
  });

  it('lets a capability add an operator, consulted before the built-in ones', () => {
    const ops = new Map<string, SearchOperator>([
      ['tag', (v: string) => ({ sql: 'm.id IN (SELECT x FROM t WHERE tag = ?)', params: [v] })],
      ['is', (v: string) => (v === 'tagged' ? { sql: 'm.id IN (SELECT x FROM t)', params: [] } : null)],
    ]);
    const q = compileQuery('tag:urgent -tag:"two words" is:tagged is:unread', ops);
    expect(q.where).toBe(
      '(m.id IN (SELECT x FROM t WHERE tag = ?)) AND NOT (m.id IN (SELECT x FROM t WHERE tag = ?)) AND ' +
        '(m.id IN (SELECT x FROM t)) AND m.read = 0',
    );
    expect(q.params).toEqual(['urgent', 'two words']);
    // Without the operator registered, tag: is plain text.
    expect(compileQuery('tag:urgent').match).toBe('"tag:urgent"');
  });
});
