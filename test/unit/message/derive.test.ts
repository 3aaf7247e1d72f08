// deriveMessage: the summary and index text the store keeps for every message.
import { describe, expect, it } from 'vitest';
import { deriveMessage } from '../../../src-main/message/derive.js';
import { stripHtml } from '../../../src-main/message/html-to-text.js';

const msg = (head: string[], body: string): Buffer => Buffer.from([...head, '', body, ''].join('\r\n'));

describe('deriveMessage', () => {
  it('indexes an HTML-only message by its text, without markup, scripts or styles', async () => {
    const d = await deriveMessage(
      msg(
        ['From: a@example.test', 'Subject: html', 'Content-Type: text/html; charset=utf-8'],
        '<html><head><style>p{color:red}</style><script>var secret=1</script></head><body><p>Caf&eacute; &amp; <b>bar</b>&#33;</p><!-- hidden --></body></html>',
      ),
    );
    expect(d.fts.body).toBe('Café & bar!');
    expect(d.snippet).toBe('Café & bar!');
    expect(d.parseError).toBeNull();
  });

  it('fills every field from a multipart message and counts only real attachments', async () => {
    const d = await deriveMessage(
      msg(
        [
          'From: "Alice A" <alice@example.test>',
          'To: b@example.test, "C" <c@example.test>',
          'Cc: d@example.test',
          'Bcc: e@example.test',
          'Subject: =?UTF-8?Q?R=C3=A9sum=C3=A9?=',
          'Date: Tue, 03 Nov 2026 08:00:00 +0000',
          'X-Trace: zebra-42',
          'MIME-Version: 1.0',
          'Content-Type: multipart/mixed; boundary="b"',
        ],
        '--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename="a.pdf"\r\n\r\n%PDF\r\n--b--',
      ),
    );
    expect(d).toMatchObject({
      from: { name: 'Alice A', address: 'alice@example.test' },
      to: [
        { name: '', address: 'b@example.test' },
        { name: 'C', address: 'c@example.test' },
      ],
      cc: [{ name: '', address: 'd@example.test' }],
      subject: 'Résumé',
      date: '2026-11-03T08:00:00.000Z',
      hasAttachments: true,
      snippet: 'see attached',
    });
    expect(d.fts.to).toContain('e@example.test');
    expect(d.fts.headers).toContain('zebra-42');
  });

  it('does not count inline images referenced by the HTML as attachments', async () => {
    const d = await deriveMessage(
      msg(
        ['From: a@example.test', 'MIME-Version: 1.0', 'Content-Type: multipart/related; boundary="r"'],
        '--r\r\nContent-Type: text/html\r\n\r\n<img src="cid:i1">\r\n--r\r\nContent-Type: image/png\r\nContent-ID: <i1>\r\nContent-Disposition: inline\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n--r--',
      ),
    );
    expect(d.hasAttachments).toBe(false);
  });

  it('caps the indexed body at 1 MB of text', async () => {
    const d = await deriveMessage(msg(['From: a@example.test'], 'word '.repeat(400_000)));
    expect(d.fts.body.length).toBe(1024 * 1024);
  });

  it('never throws, whatever the bytes', async () => {
    const inputs = [
      Buffer.alloc(0),
      Buffer.from([0, 0xff, 0xfe, 0x80]),
      Buffer.from('\r\n\r\n\r\n'),
      Buffer.from('Content-Type: multipart/mixed; boundary=\r\n\r\n--\r\n--'),
    ];
    for (const raw of inputs) {
      const d = await deriveMessage(raw);
      expect(typeof d.snippet).toBe('string');
      expect(d.date).toBeNull();
    }
  });
});

describe('deriveMessage with attachments', () => {
  it('reads the text after several large attachments it drains without keeping', async () => {
    // Each attachment must be read and released before mailparser goes on: the text after them proves it was.
    const attachment = (name: string): string[] => [
      '--b',
      `Content-Type: application/octet-stream; name="${name}"`,
      'Content-Disposition: attachment',
      'Content-Transfer-Encoding: base64',
      '',
      ...Array.from({ length: 30_000 }, () => 'QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2'),
    ];
    const d = await deriveMessage(
      msg(
        ['From: a@example.test', 'Subject: files', 'Content-Type: multipart/mixed; boundary="b"'],
        [
          ...attachment('one.bin'),
          ...attachment('two.bin'),
          '--b',
          'Content-Type: text/plain; charset=utf-8',
          '',
          'the words after the files',
          '--b--',
        ].join('\r\n'),
      ),
    );
    expect(d.parseError).toBeNull();
    expect(d.hasAttachments).toBe(true);
    expect(d.fts.body).toContain('the words after the files');
  });
});

describe('stripHtml', () => {
  it('handles unclosed tags, comments and scripts', () => {
    expect(stripHtml('a<b')).toBe('a');
    expect(stripHtml('a<!-- never closed')).toBe('a');
    expect(stripHtml('a<script>never closed')).toBe('a');
    expect(stripHtml('x<STYLE type="t">p{}</style >y')).toBe('x y');
    expect(stripHtml('<p>one</p><p>t<b>w</b>o</p>')).toBe('one two');
  });

  it('stays linear on thousands of unclosed script tags', () => {
    const hostile = '<script>'.repeat(200_000) + 'tail';
    expect(stripHtml(hostile)).toBe('');
    expect(stripHtml('<p>'.repeat(200_000) + 'tail')).toBe('tail');
  });
});
