// Mailpit's search syntax rewritten into Mailwright's: the same operators pass, the missing ones map to the
// nearest search, negation and quotes survive, and nothing throws.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mailpitToMailwright } from '../../../src-main/compat/mailpit/search.js';
import { compileQuery } from '../../../src-main/store/search.js';

describe('mailpitToMailwright', () => {
  it('keeps the operators both have and maps the others', () => {
    expect(mailpitToMailwright('from:a@b.test to:c@d.test subject:"two words" tag:x is:unread')).toBe(
      'from:a@b.test to:c@d.test subject:"two words" tag:x is:unread',
    );
    expect(mailpitToMailwright('cc:x@y.test bcc:z@y.test addressed:w@y.test')).toBe(
      'to:x@y.test to:z@y.test to:w@y.test',
    );
    expect(mailpitToMailwright('reply-to:help@y.test message-id:"abc@host"')).toBe('"help@y.test" "abc@host"');
    expect(mailpitToMailwright('larger:1M smaller:"500K" has:attachment')).toBe(
      'larger:1M smaller:"500K" has:attachment',
    );
  });

  it('negates with - or !, and reads dates as UTC days', () => {
    expect(mailpitToMailwright('!tag:spam -from:x@y.test !word')).toBe('-tag:spam -from:x@y.test -word');
    expect(mailpitToMailwright('after:2024-03-05 before:"5 March 2024"')).toBe('after:2024-03-05 before:2024-03-05');
    expect(mailpitToMailwright('before:someday')).toBe('');
  });

  it('keeps an unknown word: as text, and an unbalanced quote as a phrase', () => {
    expect(mailpitToMailwright('re:invoice')).toBe('"re:invoice"');
    expect(mailpitToMailwright('"unbalanced phrase')).toBe('"unbalanced phrase"');
  });

  it('never throws, and always yields a query the store compiles', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (q) => {
        const out = mailpitToMailwright(q);
        expect(typeof out).toBe('string');
        expect(() => compileQuery(out)).not.toThrow();
      }),
      { numRuns: 500 },
    );
  });
});
