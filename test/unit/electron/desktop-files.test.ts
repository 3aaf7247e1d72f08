// Saving attachments never leaves the picked folder nor overwrites a file; importing sums per-file results within bounds.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ImportResult } from '../../../src-shared/index.js';
import { MAX_IMPORT_RESULT_FAILURES, MAX_IMPORT_RESULT_IDS, MailwrightError } from '../../../src-shared/index.js';
import { safeFilename } from '../../../src-main/message/filenames.js';
import { importMailFiles, saveAttachments, type AttachmentSource } from '../../../src-main/electron/desktop-files.js';

let root: string;
let folder: string;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'mw-desktop-files-'));
  folder = path.join(root, 'picked');
  fs.mkdirSync(folder);
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

// Names as hostile messages give them (see corpus/hostile/evil-filenames.eml), made safe the way the core does.
const HOSTILE = [
  '../../outside.txt',
  '..\\..\\outside.bat',
  'CON.txt',
  'report.pdf',
  'REPORT.pdf',
  '',
  '.bashrc',
  'a/b/c.txt',
];
const source: AttachmentSource = {
  async attachment(_id, partId) {
    const index = Number(partId) - 1;
    const name = HOSTILE[index];
    if (name === undefined) throw new MailwrightError('not_found', `no part ${partId}`);
    return { safeFilename: safeFilename(name), content: Buffer.from(`part ${partId}`) };
  },
};

describe('saveAttachments', () => {
  it('writes every part inside the folder, de-duplicated, and nothing outside', async () => {
    const partIds = HOSTILE.map((_, i) => String(i + 1));
    const written = await saveAttachments(folder, 1, partIds, source);
    expect(written).toHaveLength(HOSTILE.length);
    for (const file of written) expect(path.dirname(file)).toBe(folder);
    expect(new Set(written.map((f) => f.toLowerCase())).size).toBe(written.length);
    expect(fs.readdirSync(root)).toEqual(['picked']);
    expect(fs.readdirSync(folder)).toHaveLength(HOSTILE.length);
  });

  it('never overwrites a file already in the folder', async () => {
    fs.writeFileSync(path.join(folder, 'report.pdf'), 'precious');
    const [file] = await saveAttachments(folder, 1, ['4'], source);
    expect(file).not.toBe(path.join(folder, 'report.pdf'));
    expect(fs.readFileSync(path.join(folder, 'report.pdf'), 'utf8')).toBe('precious');
    expect(fs.readFileSync(file!, 'utf8')).toBe('part 4');
  });

  it('writes a repeated part id once and stops at the first unknown part', async () => {
    expect(await saveAttachments(folder, 1, ['4', '4'], source)).toHaveLength(1);
    await expect(saveAttachments(folder, 1, ['99'], source)).rejects.toMatchObject({ code: 'not_found' });
  });
});

describe('importMailFiles', () => {
  const ok = (
    imported: number,
    ids: number[],
    failed: ImportResult['failed'] = [],
    failedCount = failed.length,
  ): ImportResult => ({ imported, ids, failed, failedCount, bytesRead: 10 });

  it('imports each file in turn and sums the results; a file that fails does not stop the rest', async () => {
    const seen: string[] = [];
    const result = await importMailFiles(['/in/a.eml', '/in/b.mbox', '/in/missing.eml'], async (file) => {
      seen.push(file);
      if (file.endsWith('missing.eml')) throw new Error("ENOENT: no such file or directory, stat '/in/missing.eml'");
      if (file.endsWith('b.mbox')) return ok(2, [2, 3], [{ index: 2, offset: 120, error: 'no headers' }]);
      return ok(1, [1]);
    });
    expect(seen).toEqual(['/in/a.eml', '/in/b.mbox', '/in/missing.eml']);
    expect(result).toMatchObject({ imported: 3, ids: [1, 2, 3], failedCount: 2, bytesRead: 20 });
    expect(result.failed).toEqual([
      { index: 2, offset: 120, error: 'b.mbox: no headers' },
      { index: 2, error: expect.stringMatching(/^missing\.eml: ENOENT/) },
    ]);
  });

  it('keeps the summed lists within the result bounds and counts what they leave out', async () => {
    const many = Array.from({ length: MAX_IMPORT_RESULT_IDS }, (_, i) => i + 1);
    const failures = Array.from({ length: MAX_IMPORT_RESULT_FAILURES }, (_, i) => ({
      index: i,
      offset: i,
      error: 'bad',
    }));
    const result = await importMailFiles(['/in/a.mbox', '/in/b.mbox'], async () =>
      ok(many.length, many, failures, 500),
    );
    expect(result.ids).toHaveLength(MAX_IMPORT_RESULT_IDS);
    expect(result.failed).toHaveLength(MAX_IMPORT_RESULT_FAILURES);
    expect(result.failedCount).toBe(1000);
    expect(result.imported).toBe(2 * MAX_IMPORT_RESULT_IDS);
  });

  it('reports a refused import as a failure of that file', async () => {
    const result = await importMailFiles(['/in/a.eml'], async () => {
      throw new MailwrightError('invalid_argument', 'a.eml: not an .eml or mbox file');
    });
    expect(result).toEqual({
      imported: 0,
      ids: [],
      failed: [{ index: 0, error: 'a.eml: not an .eml or mbox file' }],
      failedCount: 1,
      bytesRead: 0,
    });
  });
});
