// File work behind the desktop verbs, after the user has picked a place: writing attachments and raw
// messages, importing picked files one after another. Dialogs live in desktop.ts; this file must not import electron.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { ImportFailure, ImportResult } from '../../src-shared/index.js';
import { MAX_IMPORT_RESULT_FAILURES, MAX_IMPORT_RESULT_IDS, MailwrightError } from '../../src-shared/index.js';
import { safeJoin } from '../message/filenames.js';

export interface AttachmentSource {
  attachment(id: number, partId: string): Promise<{ safeFilename: string; content: Buffer }>;
}

/**
 * Writes each attachment into `folder` under its safe name, de-duplicated against the folder's files and
 * each other. Never overwrites: 'wx' fails if a file appeared meanwhile. Returns the paths written.
 */
export async function saveAttachments(
  folder: string,
  id: number,
  partIds: string[],
  source: AttachmentSource,
): Promise<string[]> {
  const root = path.resolve(folder);
  const used = new Set(await fs.readdir(root));
  const written: string[] = [];
  for (const partId of new Set(partIds)) {
    const att = await source.attachment(id, partId);
    const target = safeJoin(root, att.safeFilename, used);
    if (path.dirname(target) !== root)
      throw new MailwrightError('invalid_argument', `refusing to write outside ${root}`);
    await fs.writeFile(target, att.content, { flag: 'wx' });
    written.push(target);
  }
  return written;
}

/** Writes the raw message; the user chose the path in a save dialog, which already confirmed any overwrite. */
export async function saveRaw(filePath: string, raw: Buffer): Promise<void> {
  await fs.writeFile(filePath, raw);
}

/** Imports one file from disk (Core.importFile: streamed, so any size). */
export type ImportFile = (filePath: string) => Promise<ImportResult>;

/** A multi-select dialog can return thousands of files; one import action stops here. */
export const MAX_IMPORT_FILES = 1000;

/** Imports each file in turn and sums the results; one bad file does not stop the rest. */
export async function importMailFiles(paths: string[], importFile: ImportFile): Promise<ImportResult> {
  const total: ImportResult = { imported: 0, ids: [], failed: [], failedCount: 0, bytesRead: 0 };
  const fail = (failure: ImportFailure): void => {
    total.failedCount++;
    if (total.failed.length < MAX_IMPORT_RESULT_FAILURES) total.failed.push(failure);
  };
  const files = paths.slice(0, MAX_IMPORT_FILES);
  for (const [index, file] of files.entries()) {
    const name = path.basename(file);
    try {
      const result = await importFile(file);
      total.imported += result.imported;
      total.bytesRead += result.bytesRead;
      total.ids.push(...result.ids.slice(0, MAX_IMPORT_RESULT_IDS - total.ids.length));
      for (const f of result.failed) fail({ ...f, error: `${name}: ${f.error}` });
      // Failures past the file's own list were counted there, not listed.
      total.failedCount += result.failedCount - result.failed.length;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      // The core names the file in its own errors; a read error of the file system does not.
      fail({ index, error: message.startsWith(`${name}: `) ? message : `${name}: ${message}` });
    }
  }
  if (paths.length > files.length) {
    fail({ index: files.length, error: `only the first ${MAX_IMPORT_FILES} files were imported` });
  }
  return total;
}
