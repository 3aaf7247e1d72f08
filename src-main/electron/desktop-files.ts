// File work behind the desktop verbs, after the user has picked a place: writing attachments and raw
// messages, reading files to import. Dialogs live in desktop.ts; this file must not import electron.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { ImportResult, Result } from '../../src-shared/index.js';
import { MAX_IMPORT_BYTES, MailwrightError } from '../../src-shared/index.js';
import { safeJoin } from '../message/filenames.js';

export interface AttachmentSource {
  attachment(id: number, partId: string): Promise<{ safeFilename: string; content: Buffer }>;
}

/**
 * Writes each attachment into `folder` under its safe name, de-duplicated against the folder's files and
 * each other. Never overwrites: 'wx' fails if a file appeared meanwhile. Returns the paths written.
 */
export async function saveAttachments(folder: string, id: number, partIds: string[], source: AttachmentSource): Promise<string[]> {
  const root = path.resolve(folder);
  const used = new Set(await fs.readdir(root));
  const written: string[] = [];
  for (const partId of new Set(partIds)) {
    const att = await source.attachment(id, partId);
    const target = safeJoin(root, att.safeFilename, used);
    if (path.dirname(target) !== root) throw new MailwrightError('invalid_argument', `refusing to write outside ${root}`);
    await fs.writeFile(target, att.content, { flag: 'wx' });
    written.push(target);
  }
  return written;
}

/** Writes the raw message; the user chose the path in a save dialog, which already confirmed any overwrite. */
export async function saveRaw(filePath: string, raw: Buffer): Promise<void> {
  await fs.writeFile(filePath, raw);
}

export type ImportCall = (args: { filename: string; data: string }) => Promise<Result<ImportResult>>;

/** A multi-select dialog can return thousands of files; one import action stops here. */
export const MAX_IMPORT_FILES = 1000;

/** Imports each file through the contract's messages.import and sums the results; one bad file does not stop the rest. */
export async function importMailFiles(paths: string[], importFile: ImportCall): Promise<ImportResult> {
  const total: ImportResult = { imported: 0, ids: [], failed: [] };
  const files = paths.slice(0, MAX_IMPORT_FILES);
  for (const [index, file] of files.entries()) {
    const name = path.basename(file);
    try {
      const { size } = await fs.stat(file);
      if (size > MAX_IMPORT_BYTES) throw new Error(`larger than ${MAX_IMPORT_BYTES} bytes`);
      const data = (await fs.readFile(file)).toString('base64');
      const result = await importFile({ filename: name, data });
      if (!result.ok) throw new Error(result.error.message);
      total.imported += result.value.imported;
      total.ids.push(...result.value.ids);
      for (const f of result.value.failed) total.failed.push({ index: f.index, error: `${name}: ${f.error}` });
    } catch (err) {
      total.failed.push({ index, error: `${name}: ${err instanceof Error ? err.message : String(err)}` });
    }
  }
  if (paths.length > files.length) {
    total.failed.push({ index: files.length, error: `only the first ${MAX_IMPORT_FILES} files were imported` });
  }
  return total;
}
