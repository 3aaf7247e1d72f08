// The templates capability: a folder of email templates the user picks (.html, .mjml, .eml, Handlebars .hbs with
// sample data from the .json beside it), watched and rendered live; a template can be captured into the inbox.
// Must not import electron, node or DOM modules.
import { z } from 'zod';
import { count, isoTime, rowId, verb } from './define.js';
import { fieldsSection } from '../settings-section.js';

export const TEMPLATE_KINDS = ['html', 'mjml', 'eml', 'hbs'] as const;
export type TemplateKind = (typeof TEMPLATE_KINDS)[number];
/** A path inside the folder is at most this long (PATH_MAX on Linux is 4096). */
export const MAX_TEMPLATE_PATH = 4096;

export const templatesSettingsSchema = z
  .object({
    /** The absolute folder to watch; empty: no folder. Nothing outside it is read (symlinks leaving it are refused). */
    folder: z.string().max(MAX_TEMPLATE_PATH),
  })
  .strict();
export type TemplatesSettings = z.infer<typeof templatesSettingsSchema>;

/** The settings section `templates` (registered in src-shared/settings.ts). */
export const templatesSection = fieldsSection(templatesSettingsSchema, { folder: '' });

/** What went wrong compiling a template: the file (relative to the folder) and the position, when one is known. */
export const templateProblemSchema = z.object({
  /** The file at fault: the template, or its sample data (`welcome.json`), or an included file. */
  file: z.string(),
  /** 1-based; null when the compiler gave no position. */
  line: z.number().int().nullable(),
  column: z.number().int().nullable(),
  message: z.string(),
});
export type TemplateProblem = z.infer<typeof templateProblemSchema>;

export const templateEntrySchema = z.object({
  /** Relative to the folder, with `/` between parts. */
  path: z.string(),
  kind: z.enum(TEMPLATE_KINDS),
  /** A Handlebars partial (under `partials/`, or named `_*.hbs`): other templates use it; it renders without data. */
  partial: z.boolean(),
  size: count,
  modifiedAt: isoTime,
  /** The last compile error (the last good render is still served), or null. */
  problem: templateProblemSchema.nullable(),
  /** Set when the file is refused (a symlink or path that leaves the folder): it is never read. */
  refused: z.string().nullable(),
});
export type TemplateEntry = z.infer<typeof templateEntrySchema>;

export const templateListSchema = z.object({
  /** The folder as configured; null when none is set. */
  folder: z.string().nullable(),
  /** Whether the folder is being watched for changes. */
  watching: z.boolean(),
  /** Why the folder cannot be read (missing, not a folder), or null. */
  folderProblem: z.string().nullable(),
  templates: z.array(templateEntrySchema),
});
export type TemplateList = z.infer<typeof templateListSchema>;

export const templateRenderSchema = z.object({
  path: z.string(),
  kind: z.enum(TEMPLATE_KINDS),
  /** The subject the captured message gets: the template's <title> (or mj-title, or Subject header), else its name. */
  subject: z.string(),
  /** The last good rendered HTML; null when the template never compiled. */
  html: z.string().nullable(),
  /**
   * The same HTML as the inbox preview serves it: its Content-Security-Policy first (nothing runs or loads), links
   * opening new windows. Load it into a frame without allow-scripts or allow-same-origin.
   */
  previewHtml: z.string().nullable(),
  /** The text part (.eml only; null otherwise). */
  text: z.string().nullable(),
  /** When the last good render was made. */
  renderedAt: isoTime.nullable(),
  /** How long that render took. */
  renderMs: z.number().nullable(),
  /** The newest compile error; when set, `html` is the render from before it (stale). */
  problem: templateProblemSchema.nullable(),
});
export type TemplateRender = z.infer<typeof templateRenderSchema>;

const templatePath = z.string().min(1).max(MAX_TEMPLATE_PATH);

export const templatesVerbs = {
  /** The templates in the folder (recursively), each with its last compile error. */
  'templates.list': verb(z.object({}).strict(), templateListSchema),
  /** A template rendered (from the cache when the file has not changed since), its preview in the view asked for. */
  'templates.render': verb(
    z
      .object({
        path: templatePath,
        /**
         * The designer view `previewHtml` is prepared for, as the message preview route takes it: `dark` applies
         * the template's own prefers-color-scheme: dark CSS, `inverted` forces a colour inversion (images kept).
         */
        scheme: z.enum(['light', 'dark', 'inverted']).optional(),
        /** `off`: every image blocked, so the layout shows alt text. */
        images: z.enum(['on', 'off']).optional(),
      })
      .strict(),
    templateRenderSchema,
  ),
  /**
   * Puts the rendered template into the inbox as a message, through the import path (so checks, diffs and
   * baselines apply). It carries `X-Mailwright-Template: <path without extension>` unless an .eml names its own.
   */
  'templates.capture': verb(z.object({ path: templatePath }).strict(), z.object({ messageId: rowId, key: z.string() })),
} as const;

export interface TemplatesEvents {
  /** Files in the folder changed (or the folder setting did): the list and any open preview re-fetch. */
  'templates.changed': { paths: string[] };
}
