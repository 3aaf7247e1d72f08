// Search against a real store: operators, phrases, headers, envelope recipients, hostile strings.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envelope, message, openTemp, type Harness } from './helpers.js';

let h: Harness;
const id: Record<string, number> = {};

async function add(name: string, raw: Buffer, rcptTo = ['bob@example.test']): Promise<void> {
  id[name] = (await h.store.ingest(raw, envelope({ rcptTo }))).id;
}

function search(query: string): number[] {
  return h.store.list({ query, limit: 1000 }).messages.map((m) => m.id);
}

describe('store search', () => {
  beforeAll(async () => {
    h = openTemp();
    await add(
      'invoice',
      message({ from: 'Alice <alice@shop.test>', subject: 'Your invoice 42', body: 'Pay the amount due soon.' }),
    );
    await add(
      'welcome',
      message({
        from: 'Carol <carol@club.test>',
        to: 'Dave <dave@example.test>',
        subject: 'Welcome aboard',
        body: 'Glad to have you, invoice follows.',
      }),
      ['dave@example.test', 'secret-bcc@hidden.test'],
    );
    await add(
      'html',
      Buffer.from(
        'From: news@paper.test\r\nTo: bob@example.test\r\nSubject: Newsletter\r\nContent-Type: text/html\r\n\r\n<html><head><style>.x{color:red}</style><script>var hiddenScriptWord=1</script></head><body><p>Breaking&nbsp;headline about <b>zeppelins</b></p></body></html>\r\n',
      ),
    );
    await add(
      'attach',
      Buffer.from(
        'From: files@example.test\r\nTo: bob@example.test\r\nSubject: Report attached\r\nX-Campaign-Id: spring-sale-7781\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nsee the report\r\n--b\r\nContent-Type: application/pdf; name="r.pdf"\r\nContent-Disposition: attachment; filename="r.pdf"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b--\r\n',
      ),
    );
    await h.store.idle();
    h.store.markRead([id.invoice!], true);
  });
  afterAll(() => h.cleanup());

  it('finds free text in subject and body, newest first', () => {
    expect(search('invoice')).toEqual([id.welcome, id.invoice]);
  });

  it('matches whole words, a prefix when asked with *, and quoted phrases exactly', () => {
    expect(search('invoi')).toEqual([]);
    expect(search('invoi*')).toEqual([id.welcome, id.invoice]);
    expect(search('"amount due"')).toEqual([id.invoice]);
    expect(search('"due amount"')).toEqual([]);
  });

  it('from:, to: and subject: look only at their field', () => {
    expect(search('from:alice')).toEqual([id.invoice]);
    expect(search('from:alice@shop.test')).toEqual([id.invoice]);
    expect(search('to:dave')).toEqual([id.welcome]);
    expect(search('subject:invoice')).toEqual([id.invoice]);
    expect(search('subject:"welcome aboard"')).toEqual([id.welcome]);
  });

  it('to: finds envelope-only (Bcc) recipients', () => {
    expect(search('to:secret-bcc@hidden.test')).toEqual([id.welcome]);
    const welcome = h.store.list({}).messages.find((m) => m.id === id.welcome)!;
    expect(welcome.bcc).toEqual(['secret-bcc@hidden.test']);
  });

  it('finds header values', () => {
    expect(search('spring-sale-7781')).toEqual([id.attach]);
  });

  it('finds HTML-only messages by their text, not their markup or scripts', () => {
    expect(search('zeppelins')).toEqual([id.html]);
    expect(search('"breaking headline"')).toEqual([id.html]);
    expect(search('hiddenScriptWord')).toEqual([]);
  });

  it('has:attachment, is:read and is:unread', () => {
    expect(search('has:attachment')).toEqual([id.attach]);
    expect(search('is:read')).toEqual([id.invoice]);
    expect(search('is:unread')).toEqual([id.attach, id.html, id.welcome]);
    // unread is the inbox's badge count, whatever the query.
    expect(h.store.list({ query: 'invoice' })).toMatchObject({ total: 2, unread: 3 });
    expect(h.store.list({ query: 'is:unread' })).toMatchObject({ total: 3, unread: 3 });
  });

  it('before: and after: compare the received day (UTC)', () => {
    const today = new Date().toISOString().slice(0, 10);
    expect(search(`after:${today}`).length).toBe(4);
    expect(search(`before:${today}`)).toEqual([]);
    expect(search('after:2999-01-01')).toEqual([]);
    expect(search('before:2999-01-01').length).toBe(4);
  });

  it('negation with a leading -', () => {
    expect(search('invoice -from:carol')).toEqual([id.invoice]);
    expect(h.store.list({ query: 'invoice -from:carol' }).total).toBe(1);
    expect(search('-invoice')).toEqual([id.attach, id.html]);
    expect(search('-is:read -has:attachment')).toEqual([id.html, id.welcome]);
  });

  it('limit and offset page through the newest-first list', () => {
    const page = h.store.list({ limit: 2, offset: 1 });
    expect(page.total).toBe(4);
    expect(page.messages.map((m) => m.id)).toEqual([id.html, id.welcome]);
    expect(h.store.list({ limit: 0 }).messages.length).toBe(1);
    expect(h.store.list({ limit: 5000 }).messages.length).toBe(4);
  });

  it('hostile query strings never throw', () => {
    const hostile = [
      '"',
      '""',
      '"""',
      "'",
      '\\',
      '*',
      '-',
      '--',
      '-"',
      'NOT',
      'AND OR NOT',
      'a OR',
      '(',
      ')',
      '((a',
      'a:b:c',
      '{sender}:x',
      'sender:x',
      'NEAR(a b)',
      '^a',
      'a*',
      '*a',
      '"a" * *',
      'from:"',
      'from:"unclosed',
      'to:-',
      '-from:',
      'is:',
      'has:',
      'before:',
      'after:9999-99-99',
      'before:0000-00-00',
      "'; DROP TABLE messages; --",
      '\u0000',
      '\uffff',
      '🔒',
      '日本語',
      'x'.repeat(5000),
      '"'.repeat(999),
      '- '.repeat(500),
      'a '.repeat(2000),
      '%',
      '_',
      '\\"',
      '\r\n\t',
      'rowid:1',
      'messages_fts:x',
      '{',
      '}',
      '[',
      ']',
      ':',
      '::',
      'a:',
      ':a',
      'ф',
      'é*',
      '+',
      '.',
      'ab"cd',
    ];
    for (const query of hostile) {
      const page = h.store.list({ query });
      expect(page.total).toBeGreaterThanOrEqual(0);
    }
    expect(search('日本語')).toEqual([]);
  });
});
