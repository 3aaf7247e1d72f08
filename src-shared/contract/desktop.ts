// Desktop-only verbs: they open native dialogs, so only the Electron binding has them (src-main/electron handles
// them; Core.invoke does not know them, which is why they are not in CAPABILITY_VERBS).
// Must not import electron, node or DOM modules.
import { z } from 'zod';
import { rowId, verb } from './define.js';
import { importResultSchema } from './messages.js';

/** A multi-select in the attachment list; a message with more parts than this is not one to save by hand. */
const MAX_SAVED_PARTS = 1000;

/**
 * The store the desktop app starts on next time: a PostgreSQL URL (without its password, which is sealed at rest
 * and shown only as `{ stored: true }`), or null for SQLite in the data folder.
 */
export const desktopStoreChoiceSchema = z.object({
  url: z.string().nullable(),
  password: z.object({ stored: z.literal(true) }).nullable(),
  /** MAILWRIGHT_STORE is set: it wins over this choice at every start. */
  pinnedBy: z.string().nullable(),
});

const storeUrl = z
  .string()
  .max(2048)
  .refine((u) => /^postgres(ql)?:\/\/[^/]+\/[^/?#]+/.test(u), {
    message: 'a store URL reads postgres://USER@HOST:PORT/DB',
  });

export const desktopVerbs = {
  /** Null when the user cancelled the save dialog. */
  'desktop.saveRaw': verb(z.object({ id: rowId }).strict(), z.object({ path: z.string().nullable() })),
  'desktop.saveAttachments': verb(
    z.object({ id: rowId, partIds: z.array(z.string().max(64)).min(1).max(MAX_SAVED_PARTS) }).strict(),
    /** The chosen folder (null when cancelled) and the names written into it. */
    z.object({ folder: z.string().nullable(), written: z.array(z.string()).max(MAX_SAVED_PARTS) }),
  ),
  /** Null when the user cancelled the open dialog. */
  'desktop.importFiles': verb(z.object({}).strict(), importResultSchema.nullable()),
  'desktop.openExternal': verb(z.object({ url: z.string().max(8192) }).strict(), z.object({ opened: z.boolean() })),
  'desktop.saveCertificate': verb(
    z.object({ id: z.string().min(1).max(64) }).strict(),
    z.object({ path: z.string().nullable() }),
  ),
  /**
   * Saves an export made by the core (the profiles without their secrets, or a bulk run as CSV or JSON) through a
   * save dialog: the window blocks downloads, so the main process produces the bytes and writes the file.
   */
  'desktop.saveExport': verb(
    z
      .object({
        kind: z.enum(['profiles', 'bulk']),
        /** The bulk run (kind bulk). */
        id: z
          .string()
          .regex(/^[a-z0-9-]{1,64}$/, 'a bulk run id is lower-case letters, digits and "-"')
          .optional(),
        format: z.enum(['csv', 'json']).optional(),
      })
      .strict()
      .superRefine((a, ctx) => {
        if (a.kind !== 'bulk') return;
        for (const field of ['id', 'format'] as const)
          if (a[field] === undefined)
            ctx.addIssue({ code: 'custom', path: [field], message: `a bulk export needs ${field}` });
      }),
    z.object({ path: z.string().nullable() }),
  ),
  /** The store chosen for the next start (Settings → Storage). */
  'desktop.getStore': verb(z.object({}).strict(), desktopStoreChoiceSchema),
  /**
   * Chooses the store for the next start (the running one does not change): a PostgreSQL URL, or null for SQLite
   * in the data folder. `password` replaces the sealed one; null removes it; absent keeps it (for the same URL).
   */
  'desktop.setStore': verb(
    z.object({ url: storeUrl.nullable(), password: z.string().max(1024).nullable().optional() }).strict(),
    desktopStoreChoiceSchema,
  ),
} as const;

type DesktopVerbs = typeof desktopVerbs;

/** Argument schemas of the desktop verbs (the Electron dispatcher validates with them). */
export const desktopCallArgs = Object.fromEntries(Object.entries(desktopVerbs).map(([n, v]) => [n, v.args])) as {
  [K in keyof DesktopVerbs]: DesktopVerbs[K]['args'];
};

export type DesktopCallResults = { [K in keyof DesktopVerbs]: z.output<DesktopVerbs[K]['result']> };
