// The diff capability: what differs between two messages, section by section (headers, envelope, text, HTML source,
// HTML as text, links, images, MIME structure, attachments), screenshots of a message's HTML and the pixel diff of
// two of them. The result schemas are zod so the OpenAPI document is generated from them.
// Must not import electron, node or DOM modules.
import { z } from 'zod';
import { verb } from './define.js';

const id = z.number().int().positive();

/** One changed word run inside a changed line: `same` text is shown plain, the others highlighted. */
export const wordSegmentSchema = z.object({
  op: z.enum(['same', 'added', 'removed']),
  text: z.string(),
});

export const diffLineSchema = z.object({
  op: z.enum(['context', 'added', 'removed']),
  text: z.string(),
  /** 1-based line number on side A (context and removed lines). */
  aLine: z.number().int().nullable(),
  /** 1-based line number on side B (context and added lines). */
  bLine: z.number().int().nullable(),
  /** Word-level highlights, for a removed line paired with an added line. */
  words: z.array(wordSegmentSchema).nullable(),
});

export const diffHunkSchema = z.object({
  aStart: z.number().int(),
  aLines: z.number().int(),
  bStart: z.number().int(),
  bLines: z.number().int(),
  lines: z.array(diffLineSchema),
});

/** A named thing (a header, a link, an image, an attachment) that was added, removed or changed. */
export const itemChangeSchema = z.object({
  kind: z.enum(['added', 'removed', 'changed']),
  /** What the item is: a header name, a link's text, an image's position and alt, an attachment's name. */
  label: z.string(),
  a: z.string().nullable(),
  b: z.string().nullable(),
});

export const DIFF_SECTION_IDS = [
  'headers',
  'envelope',
  'text',
  'htmlSource',
  'htmlText',
  'links',
  'images',
  'mime',
  'attachments',
] as const;
export type DiffSectionId = (typeof DIFF_SECTION_IDS)[number];

export const diffSectionSchema = z.object({
  id: z.enum(DIFF_SECTION_IDS),
  title: z.string(),
  /** Changed items, or changed lines (a removed line replaced by an added one counts once). */
  changes: z.number().int(),
  /** Why a section is empty or partial: no HTML part, too large to diff line by line, what was ignored. */
  note: z.string().nullable(),
  items: z.array(itemChangeSchema),
  hunks: z.array(diffHunkSchema),
});

export const messageSideSchema = z.object({
  id,
  subject: z.string(),
  hasHtml: z.boolean(),
});

export const messageDiffSchema = z.object({
  a: messageSideSchema,
  b: messageSideSchema,
  options: z.object({
    ignoreVolatile: z.boolean(),
    ignoreTracking: z.boolean(),
    htmlView: z.enum(['normalized', 'raw']),
  }),
  sections: z.array(diffSectionSchema),
  summary: z.object({
    identical: z.boolean(),
    totalChanges: z.number().int(),
    changedSections: z.array(z.enum(DIFF_SECTION_IDS)),
    text: z.string(),
    /** Null when both messages have HTML to render; otherwise why there is no visual diff. */
    noVisualReason: z.string().nullable(),
  }),
});

export type WordSegment = z.infer<typeof wordSegmentSchema>;
export type DiffLine = z.infer<typeof diffLineSchema>;
export type DiffHunk = z.infer<typeof diffHunkSchema>;
export type ItemChange = z.infer<typeof itemChangeSchema>;
export type DiffSection = z.infer<typeof diffSectionSchema>;
export type MessageDiff = z.infer<typeof messageDiffSchema>;

export const diffOptionsSchema = z
  .object({
    /** Ignore Date, Message-ID, Received, DKIM-Signature b=, MIME boundaries and the client port (default true). */
    ignoreVolatile: z.boolean().optional(),
    /** Ignore utm_* and other tracking parameters in link URLs (default true). */
    ignoreTracking: z.boolean().optional(),
    /** `normalized` (pretty-printed, sorted attributes, collapsed whitespace) or `raw` HTML source lines. */
    htmlView: z.enum(['normalized', 'raw']).optional(),
  })
  .strict();

export const diffMessagesArgs = z.object({ a: id, b: id, ...diffOptionsSchema.shape }).strict();
export type DiffMessagesArgs = z.input<typeof diffMessagesArgs>;

/** Widths a designer asks for: phones start at 320 px, and nothing wider than a large desktop window is useful. */
export const MIN_RENDER_WIDTH = 200;
export const MAX_RENDER_WIDTH = 2560;

export const renderOptionsSchema = z
  .object({
    width: z.number().int().min(MIN_RENDER_WIDTH).max(MAX_RENDER_WIDTH).optional(),
    scheme: z.enum(['light', 'dark']).optional(),
    images: z.enum(['on', 'off']).optional(),
  })
  .strict();
export type RenderOptions = z.input<typeof renderOptionsSchema>;

export const screenshotSchema = z.object({
  width: z.number().int(),
  height: z.number().int(),
  /** The PNG, base64 (the renderer shows it as a data: URL; REST returns the bytes). */
  png: z.string(),
});

export const visualDiffSchema = z.object({
  width: z.number().int(),
  scheme: z.enum(['light', 'dark']),
  images: z.enum(['on', 'off']),
  /** Changed pixels over all pixels of the larger screenshot, 0..1. */
  pixelRatio: z.number(),
  changedPixels: z.number().int(),
  a: screenshotSchema,
  b: screenshotSchema,
  /** The highlighted diff image, base64 PNG. */
  diff: screenshotSchema,
});
export type Screenshot = z.infer<typeof screenshotSchema>;
export type VisualDiff = z.infer<typeof visualDiffSchema>;

export const rendererStatusSchema = z.object({
  available: z.boolean(),
  /** The browser found (path), or null. */
  browser: z.string().nullable(),
  /** How to get one, when there is none. */
  help: z.string().nullable(),
});
export type RendererStatus = z.infer<typeof rendererStatusSchema>;

export const diffVerbs = {
  /** The structured diff of two stored messages. */
  'diff.messages': verb(diffMessagesArgs, messageDiffSchema),
  /** A PNG of a message's HTML rendered in Chromium, without scripts or remote content. */
  'diff.screenshot': verb(z.object({ id, ...renderOptionsSchema.shape }).strict(), screenshotSchema),
  /** Both messages rendered alike and compared pixel by pixel (pixelmatch). */
  'diff.visual': verb(z.object({ a: id, b: id, ...renderOptionsSchema.shape }).strict(), visualDiffSchema),
  /** Whether a browser for rendering is there, and how to get one if not. */
  'diff.rendererStatus': verb(z.object({}).strict(), rendererStatusSchema),
} as const;
