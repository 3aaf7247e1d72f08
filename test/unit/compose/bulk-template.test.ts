// The bulk template: CSV rows (their line numbers in errors), placeholders filled in every field but attachment
// contents, unknown placeholders named with their field, recipients read per row, and reply keys.
import { describe, expect, it } from 'vitest';
import { replyKey } from '../../../src-main/compose/bulk.js';
import { checkPlaceholders, fill, readSource, recipientsOf } from '../../../src-main/compose/bulk-template.js';

describe('readSource', () => {
  it('reads CSV rows by column, with the line each starts on, quotes and a BOM', () => {
    const s = readSource({
      kind: 'csv',
      csv: '\uFEFFemail, name\na@x.test,"Ann, Jr."\n\nb@x.test,"two\nlines"\nc@x.test,Cy\n',
    });
    expect(s.total).toBe(3);
    expect(s.item(0)).toEqual({ n: 1, line: 2, values: { n: '1', email: 'a@x.test', name: 'Ann, Jr.' } });
    expect(s.item(1).values.name).toBe('two\nlines');
    expect(s.item(2)).toMatchObject({ n: 3, line: 6 });
  });

  it('names the line of a broken row', () => {
    expect(() => readSource({ kind: 'csv', csv: 'a,b\n1,2\n3,4,5\n' })).toThrow(/source\.csv line 3: .*/);
    expect(() => readSource({ kind: 'csv', csv: 'a,b\n1,2\n3,"4\n' })).toThrow(/line 3/);
    expect(() => readSource({ kind: 'csv', csv: 'a,b\n' })).toThrow(/no rows/);
  });

  it('makes copies without holding them', () => {
    const s = readSource({ kind: 'copies', count: 1_000_000 });
    expect(s.total).toBe(1_000_000);
    expect(s.item(999_999)).toEqual({ n: 1_000_000, line: null, values: { n: '1000000' } });
  });
});

describe('placeholders', () => {
  const template = {
    from: 'x@example.test',
    to: ['{{ email }}'],
    subject: 'Hi {{name}} #{{n}}',
    headers: [{ name: 'X-Row', value: '{{n}}' }],
    attachments: [{ filename: '{{name}}.txt', content: 'e3tuYW1lfX0=' }],
  };
  const item = { n: 7, line: 8, values: { n: '7', email: 'z@example.test', name: 'Zed' } };

  it('fills every field but attachment contents', () => {
    const m = fill(template, item);
    expect(m).toMatchObject({
      to: ['z@example.test'],
      subject: 'Hi Zed #7',
      headers: [{ name: 'X-Row', value: '7' }],
      attachments: [{ filename: 'Zed.txt', content: 'e3tuYW1lfX0=' }],
    });
  });

  it('names the field of a placeholder no column fills', () => {
    expect(() => checkPlaceholders(template, ['email'])).toThrow(/message\.subject: \{\{name\}\} has no column/);
    expect(() => checkPlaceholders(template, ['email', 'name'])).not.toThrow();
  });

  it('reads recipients and names the row of a bad one', () => {
    expect(recipientsOf({ to: ['a@x.test'], cc: ['B <b@x.test>'] }, item)).toEqual(['a@x.test', 'b@x.test']);
    expect(() => recipientsOf({ to: ['nope'] }, item)).toThrow(/^source\.csv line 8: message\.to\.0/);
    expect(() => recipientsOf({ to: [] }, { ...item, line: null })).toThrow(/^copy 7: no recipients/);
  });
});

describe('replyKey', () => {
  it('keys replies by basic and enhanced code, errors by their code', () => {
    expect(replyKey('550 5.1.1 <x>: no such user')).toBe('550 5.1.1');
    expect(replyKey('421-4.7.0 try later')).toBe('421 4.7.0');
    expect(replyKey('452 too many')).toBe('452');
    expect(replyKey(null, 'ECONNREFUSED')).toBe('ECONNREFUSED');
  });
});
