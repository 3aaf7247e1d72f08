// Saving attachments never leaves the picked folder nor overwrites a file; importing sums per-file results.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ImportResult, Result } from '../../../src-shared/index.js';
import { MailwrightError } from '../../../src-shared/index.js';
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
const HOSTILE = ['../../outside.txt', '..\\..\\outside.bat', 'CON.txt', 'report.pdf', 'REPORT.pdf', '', '.bashrc', 'a/b/c.txt'];
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
  it('imports each file through the contract call and sums the results', async () => {
    const a = path.join(root, 'a.eml');
    const b = path.join(root, 'b.mbox');
    fs.writeFileSync(a, 'Subject: a\r\n\r\nbody\r\n');
    fs.writeFileSync(b, 'From x\nSubject: b\n\n');
    const seen: { filename: string; bytes: string }[] = [];
    let next = 1;
    const result = await importMailFiles([a, b, path.join(root, 'missing.eml')], async ({ filename, data }): Promise<Result<ImportResult>> => {
      seen.push({ filename, bytes: Buffer.from(data, 'base64').toString('utf8') });
      if (filename === 'b.mbox') return { ok: true, value: { imported: 2, ids: [next++, next++], failed: [{ index: 2, error: 'no headers' }] } };
      return { ok: true, value: { imported: 1, ids: [next++], failed: [] } };
    });
    expect(seen).toEqual([
      { filename: 'a.eml', bytes: 'Subject: a\r\n\r\nbody\r\n' },
      { filename: 'b.mbox', bytes: 'From x\nSubject: b\n\n' },
    ]);
    expect(result.imported).toBe(3);
    expect(result.ids).toEqual([1, 2, 3]);
    expect(result.failed.map((f) => f.error)).toEqual([
      'b.mbox: no headers',
      expect.stringMatching(/^missing\.eml: .*ENOENT/),
    ]);
  });

  it('reports a refused import as a failure of that file', async () => {
    const a = path.join(root, 'a.eml');
    fs.writeFileSync(a, 'x');
    const result = await importMailFiles([a], async () => ({ ok: false, error: { code: 'too_large', message: 'too big' } }));
    expect(result).toEqual({ imported: 0, ids: [], failed: [{ index: 0, error: 'a.eml: too big' }] });
  });
});
