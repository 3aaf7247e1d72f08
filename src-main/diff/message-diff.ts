// The structured diff of two messages: pure functions over their raw bytes (parsed with message/) and envelopes.
// Never throws on bad input: what could not be read is compared as empty and the section's note says why.
import { createHash } from 'node:crypto';
import type { DiffSection, DiffSectionId, Envelope, ItemChange, MessageDiff } from '../../src-shared/index.js';
import { parseBodies } from '../message/bodies.js';
import { decodeHeaderLines } from '../message/headers.js';
import { walkMime, type MimePart } from '../message/mime.js';
import { readHtml, type HtmlReading } from './html-read.js';
import {
  comparableUrl,
  diffAttachments,
  diffEnvelopes,
  diffHeaders,
  diffImages,
  diffLinks,
  type AttachmentFacts,
} from './items.js';
import { diffLines, MAX_DIFF_CHARS, type LineDiff } from './lines.js';

export interface DiffSide {
  id: number;
  subject: string;
  raw: Buffer;
  envelope: Envelope;
}

export interface DiffOptions {
  ignoreVolatile?: boolean | undefined;
  ignoreTracking?: boolean | undefined;
  htmlView?: 'normalized' | 'raw' | undefined;
}

const TITLES: Record<DiffSectionId, string> = {
  headers: 'Headers',
  envelope: 'Envelope',
  text: 'Text body',
  htmlSource: 'HTML source',
  htmlText: 'HTML as text',
  links: 'Links',
  images: 'Images',
  mime: 'MIME structure',
  attachments: 'Attachments',
};

/** Enough of a SHA-256 to tell two inline images apart at a glance; the attachments section shows it whole. */
const SHORT_HASH_CHARS = 12;

interface ReadMessage {
  headers: ReturnType<typeof decodeHeaderLines>;
  text: string | null;
  html: string | null;
  htmlCut: boolean;
  reading: HtmlReading | null;
  mimeOutline: string;
  attachments: AttachmentFacts[];
  problem: string | null;
}

async function readMessage(raw: Buffer, ignoreTracking: boolean): Promise<ReadMessage> {
  const [walk, bodies] = await Promise.all([
    walkMime(raw, (p) => p.isLeaf && (p.isAttachment || p.contentId !== null)),
    parseBodies(raw),
  ]);
  const html = bodies.html;
  const htmlCut = html !== null && html.length > MAX_DIFF_CHARS;
  let reading: HtmlReading | null = null;
  if (html !== null) {
    reading = readHtml(htmlCut ? html.slice(0, MAX_DIFF_CHARS) : html, (u) => comparableUrl(u, ignoreTracking));
    // Content-IDs are made up afresh on every send; the image they name is what matters.
    const cids = cidNames(walk.parts);
    for (const image of reading.images) {
      const name = image.src.toLowerCase().startsWith('cid:') ? cids.get(image.src.slice(4).toLowerCase()) : undefined;
      if (name) image.src = name;
    }
  }
  return {
    headers: decodeHeaderLines(walk.headerLines),
    text: bodies.text,
    html,
    htmlCut,
    reading,
    mimeOutline: walk.parts.map(outlineLine).join('\n'),
    attachments: walk.parts.filter((p) => p.isAttachment).map(attachmentFacts),
    problem: bodies.error ?? walk.error,
  };
}

function cidNames(parts: readonly MimePart[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const p of parts) {
    if (!p.contentId || !p.content) continue;
    const hash = createHash('sha256').update(p.content).digest('hex').slice(0, SHORT_HASH_CHARS);
    out.set(p.contentId.toLowerCase(), `cid:(${p.contentType}, sha256 ${hash}…)`);
  }
  return out;
}

function outlineLine(p: MimePart): string {
  const name = p.filename ? ` "${p.filename}"` : '';
  const disposition = p.node.disposition ? ` (${p.node.disposition})` : '';
  return `${'  '.repeat(p.depth)}${p.contentType}${name}${disposition}`;
}

function attachmentFacts(p: MimePart): AttachmentFacts {
  return {
    name: p.filename ?? `part ${p.partId}`,
    contentType: p.contentType,
    size: p.decodedSize,
    sha256: createHash('sha256')
      .update(p.content ?? Buffer.alloc(0))
      .digest('hex'),
  };
}

export async function diffMessages(a: DiffSide, b: DiffSide, options: DiffOptions = {}): Promise<MessageDiff> {
  const ignoreVolatile = options.ignoreVolatile ?? true;
  const ignoreTracking = options.ignoreTracking ?? true;
  const htmlView = options.htmlView ?? 'normalized';
  const [x, y] = await Promise.all([readMessage(a.raw, ignoreTracking), readMessage(b.raw, ignoreTracking)]);

  const itemSection = (id: DiffSectionId, items: ItemChange[], note: string | null = null): DiffSection => ({
    id,
    title: TITLES[id],
    changes: items.length,
    note,
    items,
    hunks: [],
  });
  const lineSection = (id: DiffSectionId, d: LineDiff, note: string | null = null): DiffSection => ({
    id,
    title: TITLES[id],
    changes: d.changes,
    note: [note, d.note].filter(Boolean).join('; ') || null,
    items: [],
    hunks: d.hunks,
  });
  const missing = (what: string, l: unknown, r: unknown): string | null => {
    if (l === null && r === null) return `neither message has ${what}`;
    if (l === null) return `message A has no ${what}`;
    if (r === null) return `message B has no ${what}`;
    return null;
  };
  const htmlNote = missing('HTML part', x.html, y.html);
  const cutNote = x.htmlCut || y.htmlCut ? `only the first ${MAX_DIFF_CHARS} characters of HTML are compared` : null;
  const htmlSource = (m: ReadMessage): string => (htmlView === 'raw' ? (m.html ?? '') : (m.reading?.normalized ?? ''));

  const problems = [x.problem && `message A: ${x.problem}`, y.problem && `message B: ${y.problem}`].filter(Boolean);
  const sections: DiffSection[] = [
    itemSection(
      'headers',
      diffHeaders(x.headers, y.headers, ignoreVolatile),
      ignoreVolatile ? 'Date, Message-ID, Received, DKIM-Signature b= and MIME boundaries are ignored' : null,
    ),
    itemSection('envelope', diffEnvelopes(a.envelope, b.envelope, ignoreVolatile)),
    lineSection('text', diffLines(x.text ?? '', y.text ?? ''), missing('text part', x.text, y.text)),
    lineSection(
      'htmlSource',
      diffLines(htmlSource(x), htmlSource(y)),
      [htmlNote, htmlView === 'normalized' ? null : 'raw source, not normalised', cutNote].filter(Boolean).join('; ') ||
        null,
    ),
    lineSection('htmlText', diffLines(x.reading?.text ?? '', y.reading?.text ?? ''), htmlNote),
    itemSection(
      'links',
      diffLinks(x.reading?.links ?? [], y.reading?.links ?? [], ignoreTracking),
      [htmlNote, ignoreTracking ? 'tracking parameters (utm_* and the like) are ignored' : null]
        .filter(Boolean)
        .join('; ') || null,
    ),
    itemSection('images', diffImages(x.reading?.images ?? [], y.reading?.images ?? []), htmlNote),
    lineSection('mime', diffLines(x.mimeOutline, y.mimeOutline), problems.join('; ') || null),
    itemSection('attachments', diffAttachments(x.attachments, y.attachments)),
  ];

  const changed = sections.filter((s) => s.changes > 0);
  const totalChanges = changed.reduce((sum, s) => sum + s.changes, 0);
  return {
    a: { id: a.id, subject: a.subject, hasHtml: x.html !== null },
    b: { id: b.id, subject: b.subject, hasHtml: y.html !== null },
    options: { ignoreVolatile, ignoreTracking, htmlView },
    sections,
    summary: {
      identical: totalChanges === 0,
      totalChanges,
      changedSections: changed.map((s) => s.id),
      text:
        totalChanges === 0
          ? 'No differences'
          : `${totalChanges} ${totalChanges === 1 ? 'change' : 'changes'}: ` +
            changed.map((s) => `${s.title.toLowerCase()} (${s.changes})`).join(', '),
      noVisualReason: htmlNote ? `No visual diff: ${htmlNote}. The text diff is the comparison.` : null,
    },
  };
}
