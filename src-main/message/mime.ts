// One pass of @zone-eu/mailsplit (the splitter mailparser is built on) over a message's raw bytes:
// the MIME tree with stable part ids, part sizes, and decoded part bodies for the parts a caller asks for.
import { Splitter, type MimeNode as SplitNode, type HeaderLine, type SplitterChunk } from '@zone-eu/mailsplit';
import type { Transform, PassThrough } from 'node:stream';
import { MIME_TRUNCATED_TYPE, type MimeNode } from '../../src-shared/index.js';

/**
 * Deepest MIME nesting we show. Real mail stays under ~10 levels (each forward-as-attachment adds two);
 * the tree is rendered by a recursive UI component and copied recursively by JSON and structured clone,
 * so hostile nesting (deep-nesting.eml has 60 levels) stops at 32 with a placeholder node.
 */
export const MAX_MIME_DEPTH = 32;

/**
 * Most MIME parts we list. Newsletters and digests reach a few dozen; mailsplit itself refuses more than
 * 1000 child nodes (its MAX_CHILD_NODES), so 500 keeps the UI list and the per-part work bounded below that.
 */
export const MAX_MIME_NODES = 500;

// mailparser treats these as body text, not attachments, unless their disposition says otherwise.
const TEXT_TYPES = new Set(['text/plain', 'text/html', 'message/delivery-status']);

export interface MimePart {
  partId: string;
  /** The node in the tree (same object). Its size is the encoded body bytes; for a multipart, the sum of its parts. */
  node: MimeNode;
  parent: MimePart | null;
  depth: number;
  contentType: string;
  filename: string | null;
  /** Content-ID without the angle brackets. */
  contentId: string | null;
  isLeaf: boolean;
  /** Same rule as mailparser: not body text, or text with a non-inline disposition. */
  isAttachment: boolean;
  /** The effective disposition is inline (inline images, body text). */
  isInline: boolean;
  /** Bytes after transfer decoding (base64, quoted-printable); 0 for multipart nodes. */
  decodedSize: number;
  /** Decoded bytes, only for parts the caller's `collect` selected. */
  content: Buffer | null;
}

export interface MimeWalk {
  root: MimeNode | null;
  /** Every listed node in document order. */
  parts: MimePart[];
  /** Header lines of the top-level message, as mailsplit read them (latin1 strings of the raw bytes). */
  headerLines: HeaderLine[];
  /** True when a budget cut the tree; a placeholder node marks the place. */
  truncated: boolean;
  /** Why the splitter stopped early, when it did; what was read before stays valid. */
  error: string | null;
}

export type CollectFilter = (part: MimePart) => boolean;

/** Splits `raw` into its MIME tree. Never rejects: a splitter error ends the walk with `error` set. */
export function walkMime(raw: Buffer, collect?: CollectFilter): Promise<MimeWalk> {
  return new Promise((resolve) => {
    const walk: MimeWalk = { root: null, parts: [], headerLines: [], truncated: false, error: null };
    const byNode = new Map<SplitNode, MimePart>();
    const pending: Promise<void>[] = [];
    const usedIds = new Set<string>();
    let current: { node: SplitNode; part: MimePart; decoder: Transform | PassThrough } | null = null;
    let settled = false;

    const endCurrent = (): void => {
      current?.decoder.end();
      current = null;
    };
    const finish = (error: string | null): void => {
      if (settled) return;
      settled = true;
      endCurrent();
      if (error) {
        walk.error = error;
        walk.truncated = true;
      }
      // Children follow their parent in document order, so one backward pass sums every subtree.
      for (let i = walk.parts.length - 1; i > 0; i--) {
        const part = walk.parts[i]!;
        if (part.parent) part.parent.node.size += part.node.size;
      }
      void Promise.all(pending).then(() => resolve(walk));
    };

    const onNode = (node: SplitNode): void => {
      endCurrent();
      const parentPart = node.parentNode ? byNode.get(node.parentNode) : undefined;
      if (node.parentNode && !parentPart) return; // an ancestor was cut by a budget
      const depth = parentPart ? parentPart.depth + 1 : 0;
      if (depth > MAX_MIME_DEPTH || walk.parts.length >= MAX_MIME_NODES) {
        markTruncated(walk, parentPart);
        return;
      }
      const part = describe(node, parentPart ?? null, depth);
      // Part ids are keys for the UI and for extraction; malformed nesting must not make two parts share one.
      if (usedIds.has(part.partId)) part.partId = part.node.partId = `${part.partId}~${walk.parts.length}`;
      usedIds.add(part.partId);
      byNode.set(node, part);
      walk.parts.push(part);
      if (parentPart) parentPart.node.children.push(part.node);
      else {
        walk.root = part.node;
        walk.headerLines = node.headers ? node.headers.getList() : [];
      }
      if (part.isLeaf) {
        const decoder = node.getDecoder();
        const chunks: Buffer[] | null = collect?.(part) ? [] : null;
        decoder.on('data', (chunk: Buffer) => {
          part.decodedSize += chunk.length;
          chunks?.push(chunk);
        });
        pending.push(
          new Promise<void>((done) => {
            decoder.once('end', () => {
              if (chunks) part.content = Buffer.concat(chunks);
              done();
            });
            // A broken encoding ends this part, not the walk: what decoded so far is kept.
            decoder.once('error', () => done());
          }),
        );
        current = { node, part, decoder };
      }
    };

    const splitter = new Splitter();
    splitter.on('data', (chunk: SplitterChunk) => {
      if (settled) return;
      if (chunk.type === 'node') onNode(chunk);
      else if (chunk.type === 'body' && current && chunk.node === current.node) {
        current.part.node.size += chunk.value.length;
        current.decoder.write(chunk.value);
      } else if (chunk.type === 'data') endCurrent();
    });
    // mailsplit's typings declare only 'data'; the stream events come from Transform.
    const stream = splitter as unknown as Transform;
    stream.once('error', (err: Error) => finish(err.message || 'unreadable MIME structure'));
    stream.once('end', () => finish(null));
    splitter.end(raw);
  });
}

function describe(node: SplitNode, parent: MimePart | null, depth: number): MimePart {
  // mailparser reads a part without Content-Type as text/plain, as RFC 2045 5.2 says.
  const contentType = (node.contentType || 'text/plain').toLowerCase();
  const isLeaf = !node.multipart && !(node.rfc822 && node.messageNode);
  let disposition = node.disposition || null;
  if (isLeaf && disposition && disposition !== 'attachment' && disposition !== 'inline') disposition = 'attachment';
  const effective = isLeaf ? (disposition ?? (TEXT_TYPES.has(contentType) ? 'inline' : 'attachment')) : disposition;
  const contentIdHeader = node.headers ? node.headers.getFirst('content-id') : '';
  const contentId = contentIdHeader.trim().replace(/^<|>$/g, '').trim() || null;
  const tree: MimeNode = {
    partId: partIdOf(node, isLeaf),
    contentType,
    disposition: node.disposition || null,
    filename: node.filename || null,
    charset: node.charset || null,
    encoding: node.encoding || null,
    size: 0,
    children: [],
  };
  return {
    partId: tree.partId,
    node: tree,
    parent,
    depth,
    contentType,
    filename: tree.filename,
    contentId,
    isLeaf,
    isAttachment: isLeaf && (!TEXT_TYPES.has(contentType) || effective !== 'inline'),
    isInline: effective === 'inline',
    decodedSize: 0,
    content: null,
  };
}

/**
 * IMAP-style part ids (RFC 3501 6.4.5), which is also how mailsplit numbers parts: children of a multipart
 * are 1, 2, ...; a message that is not multipart has its body as part "1"; the body of a message is "TEXT"
 * (top level) or "<n>.TEXT" (an embedded message/rfc822 at part n) when it is itself a multipart.
 */
function partIdOf(node: SplitNode, isLeaf: boolean): string {
  const items = node.partNr || [];
  const numbers = items.filter((n): n is number => typeof n === 'number').join('.');
  const isMessageBody = items[items.length - 1] === 'TEXT';
  if (!isMessageBody) return numbers;
  // A leaf that still declares a boundary gets children numbered from 1, so it cannot be "1" itself.
  if (isLeaf && !node._boundary) return numbers ? `${numbers}.1` : '1';
  return numbers ? `${numbers}.TEXT` : 'TEXT';
}

function markTruncated(walk: MimeWalk, parent: MimePart | undefined): void {
  walk.truncated = true;
  if (!parent) return;
  const children = parent.node.children;
  if (children.some((c) => c.contentType === MIME_TRUNCATED_TYPE)) return;
  children.push({
    partId: `${parent.partId}.…`,
    contentType: MIME_TRUNCATED_TYPE,
    disposition: null,
    filename: null,
    charset: null,
    encoding: null,
    size: 0,
    children: [],
  });
}
