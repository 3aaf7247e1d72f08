// Baselines as a folder a team commits to its own repository: one sub-folder per key with the approved message
// (`message.eml`), a PNG per width, and `baseline.json`; and the same folder read back. Reading treats the folder
// as untrusted: symlinks are refused, every file has a size cap, and one bad entry does not stop the rest.
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { MailwrightError, MAX_BASELINE_KEY_LENGTH, MAX_BASELINE_WIDTHS } from '../../../src-shared/index.js';
import { safeJoin } from '../../message/filenames.js';
import type { Baselines } from './baselines.js';
import type { StoredBaseline } from './repository.js';

const MANIFEST = 'baseline.json';
const MESSAGE = 'message.eml';
/** A baseline is one template; 50 MB is the SMTP size limit's default, so no real message is larger. */
const MAX_MESSAGE_BYTES = 50 * 1024 * 1024;
/** A full-height screenshot at the widest width is a few MB; 64 MB is far past any real one. */
const MAX_PNG_BYTES = 64 * 1024 * 1024;
const MAX_MANIFEST_BYTES = 64 * 1024;
/** Sub-folders read per import: far more templates than any product has. */
const MAX_ENTRIES = 10_000;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const manifestSchema = z.object({
  key: z.string().min(1).max(MAX_BASELINE_KEY_LENGTH),
  messageId: z.number().int().nonnegative(),
  subject: z.string().max(10_000),
  widths: z.array(z.number().int().positive()).min(1).max(MAX_BASELINE_WIDTHS),
  screenshots: z.array(z.number().int().positive()).max(MAX_BASELINE_WIDTHS),
  approvedAt: z.string().max(100),
  envelope: z.object({
    mailFrom: z.string(),
    rcptTo: z.array(z.string()),
    heloName: z.string(),
    clientAddress: z.string(),
    clientPort: z.number().int(),
    tls: z.object({ protocol: z.string(), cipher: z.string() }).nullable(),
    authUser: z.string().nullable(),
    listener: z.string(),
  }),
});

function absolute(folder: string): string {
  if (!path.isAbsolute(folder))
    throw new MailwrightError('invalid_argument', 'the folder must be an absolute path', 'folder');
  return path.resolve(folder);
}

export async function exportBaselines(
  baselines: Baselines,
  folder: string,
): Promise<{ exported: number; folder: string }> {
  const root = absolute(folder);
  await fs.mkdir(root, { recursive: true });
  const used = new Set<string>();
  let exported = 0;
  for (const { key } of await baselines.list()) {
    const b = await baselines.get(key);
    if (!b) continue;
    const dir = safeJoin(root, key, used);
    await fs.mkdir(dir, { recursive: true });
    await fs.writeFile(path.join(dir, MESSAGE), b.raw);
    for (const [width, png] of b.screenshots) await fs.writeFile(path.join(dir, `${width}.png`), png);
    const manifest: z.infer<typeof manifestSchema> = {
      key: b.key,
      messageId: b.messageId,
      subject: b.subject,
      widths: b.widths,
      screenshots: [...b.screenshots.keys()].sort((x, y) => x - y),
      approvedAt: b.approvedAt,
      envelope: b.envelope,
    };
    await fs.writeFile(path.join(dir, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
    exported++;
  }
  return { exported, folder: root };
}

export async function importBaselines(
  baselines: Baselines,
  folder: string,
): Promise<{ imported: number; failed: Array<{ entry: string; error: string }> }> {
  const root = absolute(folder);
  const entries = await fs.readdir(root, { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
    throw new MailwrightError('not_found', `cannot read the folder ${root}: ${err.code ?? err.message}`, 'folder');
  });
  const failed: Array<{ entry: string; error: string }> = [];
  let imported = 0;
  for (const entry of entries.slice(0, MAX_ENTRIES)) {
    if (!entry.isDirectory()) {
      if (entry.isSymbolicLink()) failed.push({ entry: entry.name, error: 'a symlink: refused' });
      continue;
    }
    try {
      await baselines.put(await readEntry(path.join(root, entry.name)));
      imported++;
    } catch (err) {
      failed.push({ entry: entry.name, error: err instanceof Error ? err.message : String(err) });
    }
  }
  return { imported, failed };
}

async function readEntry(dir: string): Promise<StoredBaseline> {
  let manifest: z.infer<typeof manifestSchema>;
  try {
    manifest = manifestSchema.parse(JSON.parse((await readCapped(dir, MANIFEST, MAX_MANIFEST_BYTES)).toString('utf8')));
  } catch (err) {
    if (err instanceof z.ZodError) {
      const issue = err.issues[0]!;
      throw new Error(`${MANIFEST}: ${issue.path.join('.') || 'value'}: ${issue.message}`, { cause: err });
    }
    throw err instanceof SyntaxError ? new Error(`${MANIFEST}: ${err.message}`, { cause: err }) : err;
  }
  const raw = await readCapped(dir, MESSAGE, MAX_MESSAGE_BYTES);
  const screenshots = new Map<number, Buffer>();
  for (const width of manifest.screenshots) {
    const png = await readCapped(dir, `${width}.png`, MAX_PNG_BYTES);
    if (!png.subarray(0, 8).equals(PNG_SIGNATURE)) throw new Error(`${width}.png is not a PNG`);
    screenshots.set(width, png);
  }
  return { ...manifest, raw, screenshots };
}

/** A regular file of the entry, never a symlink, refused past `limit` bytes before it is read. */
async function readCapped(dir: string, name: string, limit: number): Promise<Buffer> {
  const file = path.join(dir, name);
  const stat = await fs.lstat(file).catch(() => null);
  if (!stat) throw new Error(`${name} is missing`);
  if (!stat.isFile()) throw new Error(`${name} is not a regular file (symlinks are refused)`);
  if (stat.size > limit) throw new Error(`${name} is larger than ${limit} bytes`);
  return fs.readFile(file);
}
