// The diff capability: what differs between two messages, section by section (headers, envelope, text, HTML source,
// HTML as text, links, images, MIME structure, attachments), screenshots of a message's HTML and the pixel diff of
// two of them. The result schemas are zod so the OpenAPI document is generated from them.
// Must not import electron, node or DOM modules.
import { z } from 'zod';
import { fieldsSection } from '../settings-section.js';
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
    /** `dark` emulates prefers-color-scheme; `inverted` is the forced colour inversion with images kept. */
    scheme: z.enum(['light', 'dark', 'inverted']).optional(),
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
  scheme: z.enum(['light', 'dark', 'inverted']),
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

/** A key names a template: `order-confirmation`, `welcome/v2`. It becomes a folder name on export, so it is kept short. */
export const MAX_BASELINE_KEY_LENGTH = 200;
/** Widths per baseline: the presets a designer checks at; more is a render farm, not a check. */
export const MAX_BASELINE_WIDTHS = 8;

const baselineKey = z
  .string()
  .min(1)
  .max(MAX_BASELINE_KEY_LENGTH)
  .regex(/^[^\u0000-\u001f\u007f]+$/, 'a key is printable text');
const widths = z.array(z.number().int().min(MIN_RENDER_WIDTH).max(MAX_RENDER_WIDTH)).min(1).max(MAX_BASELINE_WIDTHS);

/** How baselines are found and judged: the `baselines` settings section (Settings, config file, API). */
export const baselineSettingsSchema = z
  .object({
    /** The header whose value is a message's baseline key. */
    keyHeader: z
      .string()
      .min(1)
      .max(200)
      .regex(/^[!-9;-~]+$/, 'a header name is printable ASCII without spaces or colons'),
    /** Compare each new message that has a baseline, as it arrives. */
    compareOnArrival: z.boolean(),
    /** Changed lines of text (text body and HTML as text) still judged `same`. */
    maxTextChanges: z.number().int().min(0).max(1_000_000),
    /** Changed, added or removed links still judged `same`. */
    maxLinkChanges: z.number().int().min(0).max(1_000_000),
    /** Changed-pixel ratio (0..1) per width still judged `same`. */
    maxPixelRatio: z.number().min(0).max(1),
  })
  .strict();
export type BaselineSettings = z.output<typeof baselineSettingsSchema>;

/** Strict by default: any changed line, link or pixel is a change (volatile headers and tracking never are). */
export const BASELINE_DEFAULTS: BaselineSettings = {
  keyHeader: 'X-Mailwright-Template',
  compareOnArrival: true,
  maxTextChanges: 0,
  maxLinkChanges: 0,
  maxPixelRatio: 0,
};

export const baselinesSection = fieldsSection(baselineSettingsSchema, BASELINE_DEFAULTS);

export const baselineSchema = z.object({
  key: z.string(),
  /** The message approved (it may have been deleted since: the baseline keeps its own copy). */
  messageId: z.number().int(),
  subject: z.string(),
  widths: z.array(z.number().int()),
  /** Widths with a stored screenshot (none when no browser was there at approval). */
  screenshots: z.array(z.number().int()),
  approvedAt: z.string(),
});
export type Baseline = z.infer<typeof baselineSchema>;

export const baselineWidthResultSchema = z.object({
  width: z.number().int(),
  /** Null when this width could not be compared (no browser, no stored screenshot); `note` says why. */
  pixelRatio: z.number().nullable(),
  changedPixels: z.number().int().nullable(),
  note: z.string().nullable(),
});

export const baselineComparisonSchema = z.object({
  key: z.string(),
  messageId: z.number().int(),
  verdict: z.enum(['same', 'changed']),
  /** What made it `changed`, in words. */
  reasons: z.array(z.string()),
  /** The text body, HTML as text and links sections of the diff against the baseline. */
  sections: z.array(diffSectionSchema),
  pixelRatio: z.array(baselineWidthResultSchema),
  comparedAt: z.string(),
});
export type BaselineComparison = z.infer<typeof baselineComparisonSchema>;

export const verdictSchema = z.object({
  messageId: z.number().int(),
  key: z.string(),
  verdict: z.enum(['same', 'changed', 'error']),
  /** The first reason (or the error), for a badge's tooltip. */
  detail: z.string().nullable(),
});
export type Verdict = z.infer<typeof verdictSchema>;

/** The accessibility lint's rules, one id each (the UI and tests name them). */
export const ACCESSIBILITY_RULES = ['img-alt', 'lang', 'layout-table', 'small-text', 'contrast', 'link-text'] as const;
export type AccessibilityRule = (typeof ACCESSIBILITY_RULES)[number];

export const accessibilityFindingSchema = z.object({
  rule: z.enum(ACCESSIBILITY_RULES),
  /** The element as written (its start tag), or for text rules the element and the start of its text. */
  element: z.string(),
  /** 1-based line and column in the message's HTML part, as decoded. */
  line: z.number().int(),
  column: z.number().int(),
  message: z.string(),
});
export type AccessibilityFinding = z.infer<typeof accessibilityFindingSchema>;

export const accessibilityReportSchema = z.object({
  id,
  hasHtml: z.boolean(),
  findings: z.array(accessibilityFindingSchema),
  /** More findings than are kept (500): the list is the first ones. */
  truncated: z.boolean(),
  /** What the lint cannot see (styles in <style> blocks), or why there is nothing to lint. */
  note: z.string(),
});
export type AccessibilityReport = z.infer<typeof accessibilityReportSchema>;

/** The lint of a template's last good render (the templates capability renders it); lines are in that HTML. */
export const templateAccessibilityReportSchema = accessibilityReportSchema.omit({ id: true }).extend({
  path: z.string(),
});
export type TemplateAccessibilityReport = z.infer<typeof templateAccessibilityReportSchema>;

/** A template's path in the watched folder (the templates contract's limit). */
const templatePath = z.string().min(1).max(4096);

/** An absolute folder on the machine running the core: where baselines are exported to and imported from. */
const folder = z.string().min(1).max(4096);

export const diffVerbs = {
  /** The structured diff of two stored messages. */
  'diff.messages': verb(diffMessagesArgs, messageDiffSchema),
  /**
   * The same structured diff of two sends from the compose history: the bytes each sent, and as envelope the
   * MAIL FROM, RCPT TO, TLS and the profile it went through. `a` and `b` are send ids.
   */
  'diff.sends': verb(diffMessagesArgs, messageDiffSchema),
  /** A PNG of a message's HTML rendered in Chromium, without scripts or remote content. */
  'diff.screenshot': verb(z.object({ id, ...renderOptionsSchema.shape }).strict(), screenshotSchema),
  /** Both messages rendered alike and compared pixel by pixel (pixelmatch). */
  'diff.visual': verb(z.object({ a: id, b: id, ...renderOptionsSchema.shape }).strict(), visualDiffSchema),
  /** The accessibility lint of a message's HTML, each finding with its element, line and column. */
  'diff.accessibility': verb(z.object({ id }).strict(), accessibilityReportSchema),
  /** A PNG of a template's last good render (the templates capability renders it), like diff.screenshot. */
  'diff.templateScreenshot': verb(
    z.object({ path: templatePath, ...renderOptionsSchema.shape }).strict(),
    screenshotSchema,
  ),
  /** The accessibility lint of a template's last good render, each finding with its element, line and column. */
  'diff.templateAccessibility': verb(z.object({ path: templatePath }).strict(), templateAccessibilityReportSchema),
  /** Whether a browser for rendering is there, and how to get one if not. */
  'diff.rendererStatus': verb(z.object({}).strict(), rendererStatusSchema),
  'diff.listBaselines': verb(z.object({}).strict(), z.object({ baselines: z.array(baselineSchema) })),
  /** Approves a message as the baseline for a key (by default its key header's value); replaces an older one. */
  'diff.approveBaseline': verb(
    z.object({ messageId: id, key: baselineKey.optional(), widths: widths.optional() }).strict(),
    baselineSchema,
  ),
  'diff.deleteBaseline': verb(z.object({ key: baselineKey }).strict(), z.object({ deleted: z.boolean() })),
  /** Compares a message with a key's baseline: text, links and pixels at the baseline's widths. */
  'diff.compareBaseline': verb(z.object({ key: baselineKey, messageId: id }).strict(), baselineComparisonSchema),
  /** The stored verdicts of these messages (those compared with a baseline), for the inbox badges. */
  'diff.verdicts': verb(
    z.object({ ids: z.array(id).max(1000) }).strict(),
    z.object({ verdicts: z.array(verdictSchema) }),
  ),
  /** Writes every baseline to a folder: `<key>/message.eml`, `<key>/<width>.png`, `<key>/baseline.json`. */
  'diff.exportBaselines': verb(
    z.object({ folder }).strict(),
    z.object({ exported: z.number().int(), folder: z.string() }),
  ),
  /** Reads baselines from a folder written by export; a baseline with the same key is replaced. */
  'diff.importBaselines': verb(
    z.object({ folder }).strict(),
    z.object({ imported: z.number().int(), failed: z.array(z.object({ entry: z.string(), error: z.string() })) }),
  ),
} as const;

/** The diff capability's push events. */
export interface DiffEvents {
  /** A message was compared with its baseline (on arrival or on request). */
  'diff.verdict': Verdict;
  /** Baselines were approved, deleted or imported. */
  'diff.baselinesChanged': { keys: string[] };
}
