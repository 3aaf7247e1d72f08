// parseDetail and extractAttachment against the corpus, fixtures and hand-made hostile input.
import { describe, expect, it } from 'vitest';
import type { MimeNode } from '../../../src-shared/index.js';
import { MailwrightError } from '../../../src-shared/index.js';
import { extractAttachment, parseDetail, renderPreview } from '../../../src-main/message/index.js';
import { MIME_TRUNCATED_TYPE } from '../../../src-shared/index.js';
import { MAX_MIME_DEPTH } from '../../../src-main/message/mime.js';
import { base, corpus, corpusFiles, envelope, fixture } from './helpers.js';

function flatten(node: MimeNode | null): MimeNode[] {
  if (!node) return [];
  const out: MimeNode[] = [];
  const stack = [node];
  while (stack.length) {
    const n = stack.pop()!;
    out.push(n);
    stack.push(...n.children);
  }
  return out;
}

function depthOf(node: MimeNode): number {
  return node.children.length ? 1 + Math.max(...node.children.map(depthOf)) : 0;
}

describe('parseDetail', () => {
  it('keeps every header in order, duplicates included, with decoded values', async () => {
    const raw = Buffer.from(
      'Received: from a\r\nReceived: from b\r\n\tcontinued\r\nSubject: =?UTF-8?B?8J+Ukg==?= =?windows-1252?Q?Caf=E9?=\r\n' +
        'X-Raw: caf\xc3\xa9\r\nFrom: x@example.test\r\n\r\nbody\r\n',
      'latin1',
    );
    const d = await parseDetail(raw, base, envelope);
    expect(d.headers).toEqual([
      { key: 'Received', value: 'from a' },
      { key: 'Received', value: 'from b\tcontinued' },
      { key: 'Subject', value: '🔒Café' },
      { key: 'X-Raw', value: 'café' },
      { key: 'From', value: 'x@example.test' },
    ]);
    expect(d.text).toBe('body\n');
    expect(d.hasHtml).toBe(false);
    expect(d.envelope).toEqual(envelope);
    expect(d.subject).toBe('stored subject');
    expect(d.mimeTree).toMatchObject({ partId: '1', contentType: 'text/plain', children: [] });
  });

  it('shows a 200 KB header whole (long-header.eml)', async () => {
    const d = await parseDetail(corpus('hostile/long-header.eml'), base, envelope);
    const long = d.headers.find((h) => h.key === 'X-Long');
    expect(long?.value.length).toBeGreaterThanOrEqual(199_000);
    expect(long?.value).toMatch(/^A+$/);
    expect(d.parseError).toBeNull();
  });

  it('decodes mixed charsets in headers and body (charsets.eml)', async () => {
    const d = await parseDetail(corpus('hostile/charsets.eml'), base, envelope);
    expect(d.headers.find((h) => h.key === 'Subject')?.value).toBe('Café – naïve🔒');
    expect(d.headers.find((h) => h.key === 'From')?.value).toBe('サンプル <jp@example.test>');
    expect(d.text).toContain('Café € price – naïve');
  });

  it('cuts 60 levels of nesting at the depth budget and marks the cut (deep-nesting.eml)', async () => {
    const d = await parseDetail(corpus('hostile/deep-nesting.eml'), base, envelope);
    expect(d.mimeTree).not.toBeNull();
    const nodes = flatten(d.mimeTree);
    expect(depthOf(d.mimeTree!)).toBe(MAX_MIME_DEPTH + 1);
    expect(nodes.filter((n) => n.contentType === MIME_TRUNCATED_TYPE)).toHaveLength(1);
    // the text lives below the cut, mailparser still finds it
    expect(d.text).toContain('innermost');
  });

  it('lists attachments with part ids that match the MIME tree and extraction (mime-attachment.eml)', async () => {
    const raw = corpus('mailpit/mime-attachment.eml');
    const d = await parseDetail(raw, base, envelope);
    expect(d.attachments.map((a) => [a.partId, a.filename, a.contentType, a.inline])).toEqual([
      ['1.2.2', 'inline-image.jpg', 'image/jpeg', true],
      ['2', 'Sample PDF.pdf', 'application/pdf', false],
    ]);
    const tree = new Map(flatten(d.mimeTree).map((n) => [n.partId, n]));
    for (const a of d.attachments) {
      expect(tree.get(a.partId)?.contentType).toBe(a.contentType);
      const content = await extractAttachment(raw, a.partId);
      expect(content.content.length).toBe(a.size);
      expect(content.partId).toBe(a.partId);
    }
    const leaves = flatten(d.mimeTree).filter((n) => n.children.length === 0);
    expect(d.mimeTree?.partId).toBe('TEXT');
    expect(d.mimeTree?.size).toBe(leaves.reduce((sum, n) => sum + n.size, 0));
    expect(tree.get('1.2.2')?.size).toBeGreaterThan(d.attachments[0]!.size); // base64 is larger than its bytes
    const pdf = await extractAttachment(raw, '2');
    expect(pdf.content.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(d.attachments[0]?.contentId).toBe('part1.845LaYlX.wtWMpWwa@gmail.com');
    expect(d.text).toBeTruthy();
    expect(d.hasHtml).toBe(true);
  });

  it('gives hostile attachment names a safe name and keeps the given one for display (evil-filenames.eml)', async () => {
    const d = await parseDetail(corpus('hostile/evil-filenames.eml'), base, envelope);
    expect(d.attachments.map((a) => a.filename)).toEqual([
      '../../../../etc/passwd',
      '\u202ecod.exe\u0000.txt',
      'CON.txt',
    ]);
    expect(d.attachments.map((a) => a.safeFilename)).toEqual(['passwd', 'cod.exe_.txt', '_CON.txt']);
  });

  it('counts distinct remote URLs the HTML would load, not links or cid: images', async () => {
    const raw = Buffer.from(
      fixture('remote-resources.eml').toString('latin1').replaceAll('REMOTE', 'tracker.example.test'),
      'latin1',
    );
    const d = await parseDetail(raw, base, envelope);
    expect(d.hasHtml).toBe(true);
    expect(d.text).toBeNull();
    expect(d.remoteResources).toBe(13);
    expect(d.attachments).toHaveLength(1);
    expect(d.attachments[0]).toMatchObject({
      partId: '2',
      contentId: 'logo@example.test',
      inline: true,
      safeFilename: 'logo.png',
    });
  });

  it('names a nameless part after its id and type', async () => {
    const d = await parseDetail(corpus('mailparser/delivery-status.eml'), base, envelope);
    expect(d.attachments.map((a) => [a.partId, a.safeFilename])).toEqual([['3', 'part-3.eml']]);
  });

  it('gives every node of every corpus message a unique part id', async () => {
    for (const [name, raw] of corpusFiles()) {
      const ids = flatten((await parseDetail(raw, base, envelope)).mimeTree).map((n) => n.partId);
      expect(new Set(ids).size, name).toBe(ids.length);
    }
  });

  it('never throws on the corpus', async () => {
    const files = corpusFiles();
    expect(files.length).toBeGreaterThanOrEqual(20);
    for (const [name, raw] of files) {
      const d = await parseDetail(raw, base, envelope).catch((err: unknown) => {
        expect(err, name).toBeInstanceOf(MailwrightError);
        return null;
      });
      expect(d, name).not.toBeNull();
      expect(d!.headers.length, name).toBeGreaterThan(0);
      expect(d!.mimeTree, name).not.toBeNull();
    }
  });

  it('stops at the node budget without throwing on a message with thousands of parts', async () => {
    const parts = Array.from(
      { length: 1500 },
      (_, i) =>
        `--b\r\nContent-Type: text/plain\r\nContent-Disposition: attachment; filename="f${i}.txt"\r\n\r\nx${i}\r\n`,
    );
    const raw = Buffer.from(
      `Subject: many\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n${parts.join('')}--b--\r\n`,
    );
    const d = await parseDetail(raw, base, envelope);
    const nodes = flatten(d.mimeTree);
    expect(nodes.length).toBeLessThanOrEqual(501 + 1);
    expect(nodes.some((n) => n.contentType === MIME_TRUNCATED_TYPE)).toBe(true);
    expect(d.parseError).toMatch(/MIME structure/);
    expect(d.headers[0]).toEqual({ key: 'Subject', value: 'many' });
  });
});

describe('parseDetail on input that is barely a message', () => {
  it.each([
    ['empty', Buffer.alloc(0)],
    ['blank line first', Buffer.from('\r\n\r\nhello\r\n')],
    ['NUL bytes', Buffer.alloc(4096, 0)],
    ['bare CR line ends', Buffer.from('Subject: x\rTo: y\r\rbody')],
  ])('%s', async (_name, raw) => {
    const d = await parseDetail(raw, base, envelope);
    expect(d.headers.every((h) => h.key !== '' || h.value !== '')).toBe(true);
    expect(d.mimeTree?.partId).toBe('1');
    expect(d.attachments).toEqual([]);
    const doc = await renderPreview(raw, { allowRemote: false });
    expect(doc.html).toContain('<pre>');
  });

  it('numbers parts of inline message/rfc822 the IMAP way', async () => {
    const raw = Buffer.from(
      'Subject: outer\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n' +
        '--b\r\nContent-Type: message/rfc822\r\nContent-Disposition: inline\r\n\r\n' +
        'Subject: inner\r\nContent-Type: multipart/alternative; boundary=c\r\n\r\n' +
        '--c\r\nContent-Type: text/plain\r\n\r\ninner text\r\n--c\r\nContent-Type: image/png\r\n\r\nPNG\r\n--c--\r\n' +
        '--b\r\nContent-Type: message/rfc822\r\nContent-Disposition: inline\r\n\r\nSubject: inner2\r\n\r\nleaf\r\n--b--\r\n',
    );
    const d = await parseDetail(raw, base, envelope);
    expect(
      flatten(d.mimeTree)
        .map((n) => `${n.partId} ${n.contentType}`)
        .sort(),
    ).toEqual(
      [
        'TEXT multipart/mixed',
        '1 message/rfc822',
        '1.TEXT multipart/alternative',
        '1.1 text/plain',
        '1.2 image/png',
        '2 message/rfc822',
        '2.1 text/plain',
      ].sort(),
    );
    expect(d.attachments.map((a) => a.partId)).toEqual(['1.2']);
    expect((await extractAttachment(raw, '1.2')).content.toString()).toBe('PNG');
    expect((await extractAttachment(raw, '2.1')).content.toString()).toBe('leaf');
  });
});

describe('parseDetail budgets', () => {
  it("answers with parseError, not a throw, when the header block is beyond mailsplit's 1 MiB budget", async () => {
    const raw = Buffer.from(`Subject: big\r\nX-Huge: ${'B'.repeat(2 * 1024 * 1024)}\r\n\r\nbody\r\n`);
    const d = await parseDetail(raw, base, envelope);
    expect(d.parseError).toMatch(/MIME structure could not be read completely/);
    expect(d.mimeTree).toBeNull();
    expect(d.attachments).toEqual([]);
    await expect(extractAttachment(raw, '1')).rejects.toMatchObject({ code: 'not_found' });
  });
});

describe('extractAttachment', () => {
  it('extracts every attachment of every corpus message with the size parseDetail listed', async () => {
    let count = 0;
    for (const [name, raw] of corpusFiles()) {
      for (const a of (await parseDetail(raw, base, envelope)).attachments) {
        const content = await extractAttachment(raw, a.partId);
        expect(content.content.length, `${name} ${a.partId}`).toBe(a.size);
        expect(content.safeFilename, name).toBe(a.safeFilename);
        count++;
      }
    }
    expect(count).toBeGreaterThanOrEqual(15);
  });

  it('returns decoded bytes by part id', async () => {
    const a = await extractAttachment(corpus('hostile/evil-filenames.eml'), '2');
    expect(a.content.toString()).toBe('root:x:0:0\n');
    expect(a.filename).toBe('../../../../etc/passwd');
    expect(a.safeFilename).toBe('passwd');
  });

  it('throws not_found for a part that does not exist', async () => {
    const raw = corpus('mailpit/regular-attachment.eml');
    for (const id of ['9', '2.1', '', 'TEXT', '../2']) {
      await expect(extractAttachment(raw, id)).rejects.toMatchObject({ code: 'not_found' });
    }
  });

  it('extracts a root that is itself an attachment (base64encodedroot.eml)', async () => {
    const a = await extractAttachment(corpus('mailparser/base64encodedroot.eml'), '1');
    expect(a.content.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(a.size).toBe(a.content.length);
  });
});
