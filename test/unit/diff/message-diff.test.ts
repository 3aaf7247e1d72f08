// The structured diff on one template in three versions (test/fixtures/diff): a resend with only volatile headers,
// a new boundary and reformatted HTML must show nothing; v2 (changed link, changed price, removed image) must show
// exactly those changes. Then every pair of corpus messages must diff without throwing.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Envelope, MessageDiff } from '../../../src-shared/index.js';
import { diffMessages, type DiffSide } from '../../../src-main/diff/setup.js';
import { corpusFiles } from '../../helpers/corpus.js';

const FIXTURES = path.resolve(new URL('../../fixtures/diff', import.meta.url).pathname);

const envelope: Envelope = {
  mailFrom: 'shop@example.test',
  rcptTo: ['qa@example.test'],
  heloName: 'app.example',
  clientAddress: '127.0.0.1',
  clientPort: 40001,
  tls: null,
  authUser: null,
  listener: 'smtp',
};

function side(id: number, raw: Buffer, env: Partial<Envelope> = {}): DiffSide {
  return { id, subject: 'Your order', raw, envelope: { ...envelope, ...env } };
}

function fixture(name: string): Buffer {
  return fs.readFileSync(path.join(FIXTURES, name));
}

function section(diff: MessageDiff, id: string) {
  const s = diff.sections.find((x) => x.id === id);
  if (!s) throw new Error(`no section ${id}`);
  return s;
}

describe('diffMessages on one template in versions', () => {
  it('shows nothing for a resend with new volatile headers, boundaries, tracking parameters and reformatted HTML', async () => {
    const diff = await diffMessages(
      side(1, fixture('order-v1.eml')),
      side(2, fixture('order-v1-resent.eml'), { clientPort: 40999 }),
    );
    expect(diff.summary.changedSections).toEqual([]);
    expect(diff.summary.identical).toBe(true);
    expect(diff.summary.text).toBe('No differences');
    expect(diff.summary.noVisualReason).toBeNull();
    for (const s of diff.sections) expect({ id: s.id, changes: s.changes }).toEqual({ id: s.id, changes: 0 });
  });

  it('shows the volatile headers, the boundary and the tracking parameters when asked', async () => {
    const diff = await diffMessages(
      side(1, fixture('order-v1.eml')),
      side(2, fixture('order-v1-resent.eml'), { clientPort: 40999 }),
      { ignoreVolatile: false, ignoreTracking: false },
    );
    const headers = section(diff, 'headers').items;
    expect(headers.map((h) => `${h.kind} ${h.label}`).sort()).toEqual([
      'added Received',
      'changed Content-Type',
      'changed DKIM-Signature',
      'changed Date',
      'changed Message-ID',
    ]);
    expect(section(diff, 'envelope').items).toEqual([
      { kind: 'changed', label: 'Client port', a: '40001', b: '40999' },
    ]);
    const links = section(diff, 'links').items;
    expect(links).toHaveLength(1);
    expect(links[0]).toMatchObject({ kind: 'changed', label: 'Track your order' });
    // The reformatting stays invisible: the one changed line of normalised HTML is the link's tracking parameters.
    const html = section(diff, 'htmlSource')
      .hunks.flatMap((h) => h.lines)
      .filter((l) => l.op !== 'context');
    expect(html.map((l) => `${l.op} ${l.text.trim()}`)).toEqual([
      'removed <a href="https://shop.example/track/1?utm_source=mail&utm_campaign=dec">',
      'added <a href="https://shop.example/track/1?utm_source=newsletter&utm_campaign=jan">',
    ]);
  });

  it('the raw HTML view shows the reformatting', async () => {
    const diff = await diffMessages(side(1, fixture('order-v1.eml')), side(2, fixture('order-v1-resent.eml')), {
      htmlView: 'raw',
    });
    expect(section(diff, 'htmlSource').changes).toBeGreaterThan(5);
    expect(section(diff, 'htmlSource').note).toContain('raw source');
  });

  it('shows exactly the changed link, the changed price and the removed image of v2', async () => {
    const diff = await diffMessages(side(1, fixture('order-v1.eml')), side(2, fixture('order-v2.eml')));
    expect(diff.summary.changedSections).toEqual(['text', 'htmlSource', 'htmlText', 'links', 'images']);

    const text = section(diff, 'text');
    expect(text.changes).toBe(2);
    const changedText = text.hunks.flatMap((h) => h.lines).filter((l) => l.op !== 'context');
    expect(changedText.map((l) => `${l.op} ${l.text}`)).toEqual([
      'removed Total: $42.00',
      'added Total: $45.00',
      'removed Track it: https://shop.example/track/1?utm_source=mail',
      'added Track it: https://shop.example/orders/1?utm_source=mail',
    ]);
    // Word-level highlight: only the digits that changed are marked inside the changed line.
    expect(changedText[1]!.words).toEqual([
      { op: 'same', text: 'Total: $' },
      { op: 'added', text: '45' },
      { op: 'same', text: '.00' },
    ]);

    expect(
      section(diff, 'htmlText')
        .hunks.flatMap((h) => h.lines)
        .filter((l) => l.op !== 'context'),
    ).toEqual([
      expect.objectContaining({ op: 'removed', text: 'Total: $42.00' }),
      expect.objectContaining({ op: 'added', text: 'Total: $45.00' }),
    ]);
    expect(section(diff, 'links').items).toEqual([
      {
        kind: 'changed',
        label: 'Track your order',
        a: 'https://shop.example/track/1?utm_source=mail&utm_campaign=dec',
        b: 'https://shop.example/orders/1?utm_source=mail&utm_campaign=dec',
      },
    ]);
    expect(section(diff, 'images').items).toEqual([
      {
        kind: 'removed',
        label: 'image "Winter sale"',
        a: 'https://shop.example/banner.png (alt: "Winter sale")',
        b: null,
      },
    ]);
    const html = section(diff, 'htmlSource')
      .hunks.flatMap((h) => h.lines)
      .filter((l) => l.op !== 'context');
    expect(html.map((l) => `${l.op} ${l.text.trim()}`)).toEqual([
      'removed $42.00',
      'added $45.00',
      'removed <img alt="Winter sale" src="https://shop.example/banner.png">',
      'removed <a href="https://shop.example/track/1">',
      'added <a href="https://shop.example/orders/1">',
    ]);
    expect(diff.summary.text).toBe(
      '8 changes: text body (2), html source (3), html as text (1), links (1), images (1)',
    );
  });

  it('compares attachments by name, type, size and SHA-256', async () => {
    const v1 = fixture('order-v1.eml').toString('latin1');
    const changed = Buffer.from(v1.replace('These are the terms.', 'These are the new terms.'), 'latin1');
    const diff = await diffMessages(side(1, fixture('order-v1.eml')), side(2, changed));
    expect(diff.summary.changedSections).toEqual(['attachments']);
    const [item] = section(diff, 'attachments').items;
    expect(item).toMatchObject({ kind: 'changed', label: 'terms.txt' });
    expect(item!.a).toMatch(/^text\/plain, 20 bytes, sha256 [0-9a-f]{64}$/);
    expect(item!.b).toMatch(/^text\/plain, 24 bytes, sha256 [0-9a-f]{64}$/);
  });

  it('a message without HTML gets a text-only diff and says why there is no visual diff', async () => {
    const textOnly = Buffer.from('From: a@example.test\r\nSubject: Your order\r\n\r\nHello Ada,\r\nTotal: $42.00\r\n');
    const diff = await diffMessages(side(1, fixture('order-v1.eml')), side(2, textOnly));
    expect(diff.b.hasHtml).toBe(false);
    expect(diff.summary.noVisualReason).toContain('message B has no HTML part');
    expect(section(diff, 'htmlSource').note).toContain('message B has no HTML part');
    expect(section(diff, 'text').changes).toBeGreaterThan(0);
  });
});

describe('diffMessages on the corpus', () => {
  const files = corpusFiles();

  it('diffs every corpus message with itself as identical and with its neighbour without throwing', async () => {
    expect(files.length).toBeGreaterThan(10);
    for (let i = 0; i < files.length; i++) {
      const a = fs.readFileSync(files[i]!);
      const b = fs.readFileSync(files[(i + 1) % files.length]!);
      const self = await diffMessages(side(1, a), side(2, a));
      expect({ file: files[i], identical: self.summary.identical }).toEqual({ file: files[i], identical: true });
      const other = await diffMessages(side(1, a), side(2, b), { ignoreVolatile: false, htmlView: 'raw' });
      expect(other.sections).toHaveLength(9);
      expect(JSON.parse(JSON.stringify(other))).toEqual(other);
    }
  }, 120_000);
});
