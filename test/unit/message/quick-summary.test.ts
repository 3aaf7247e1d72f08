// The header-only summary of the ingest path must agree with mailparser's address parsing.
import { parseAddressHeader } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { quickSummary } from '../../../src-main/message/derive.js';

const headers = (lines: string[]): Buffer => Buffer.from([...lines, '', 'body', ''].join('\r\n'));

describe('quickSummary', () => {
  it.each([
    'Alice <alice@example.test>',
    '"Smith, Alice" <alice@example.test>',
    'alice@example.test',
    '  <alice@example.test>  ',
    '=?UTF-8?Q?J=C3=BCrgen?= <j@example.test>',
    'a@example.test, "B" <b@example.test>',
    'Group: a@example.test, b@example.test;',
    'alice@example.test (Alice)',
    'undisclosed-recipients:;',
    'Alice <alice@xn--bcher-kva.example>',
  ])('reads %s as mailparser does', (value) => {
    const q = quickSummary(headers([`From: ${value}`, `To: ${value}`]));
    const flat = (parseAddressHeader(value).value ?? []).flatMap((a) => (a.group ? a.group : [a]));
    const expected = flat
      .filter((a) => a.address || a.name)
      .map((a) => ({ name: a.name ?? '', address: a.address ?? '' }));
    expect(q.to).toEqual(expected);
    expect(q.from).toEqual(expected[0] ?? null);
  });

  it('decodes the subject, unfolds lines and reads the date', () => {
    const q = quickSummary(
      headers([
        'Subject: =?UTF-8?B?SGVsbG8g8J+Ukg==?=',
        ' folded',
        'Date: Mon, 02 Nov 2026 10:00:00 +0100',
        'Cc: c@example.test',
      ]),
    );
    expect(q).toEqual({
      from: null,
      to: [],
      cc: [{ name: '', address: 'c@example.test' }],
      subject: 'Hello 🔒 folded',
      date: '2026-11-02T09:00:00.000Z',
    });
  });

  it('gives null for a missing or broken date and survives a headerless message', () => {
    expect(quickSummary(headers(['Date: not a date'])).date).toBeNull();
    expect(quickSummary(Buffer.from('\x00\xff garbage with no header'))).toEqual({
      from: null,
      to: [],
      cc: [],
      subject: '',
      date: null,
    });
  });
});
