// Attachment names from hostile mail: cleaning rules, and writes that must stay inside the chosen folder.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { extractAttachment, parseDetail, safeFilename, safeJoin } from '../../../src-main/message/index.js';
import { MAX_FILENAME_BYTES } from '../../../src-main/message/filenames.js';
import { base, corpus, envelope } from './helpers.js';

describe('safeFilename', () => {
  it.each([
    ['../../../../etc/passwd', 'passwd'],
    ['..\\..\\Windows\\System32\\evil.dll', 'evil.dll'],
    ['C:\\Users\\me\\report.pdf', 'report.pdf'],
    ['C:evil.exe', 'C_evil.exe'],
    ['..', 'fallback.bin'],
    ['.bashrc', 'bashrc'],
    ['...hidden...', 'hidden'],
    ['name. . .', 'name'],
    ['  spaced  ', 'spaced'],
    ['a\u0000b\u0001c\u007f.txt', 'a_b_c_.txt'],
    ['\u202ecod.exe', 'cod.exe'],
    ['invoice\u202egpj.exe', 'invoicegpj.exe'],
    ['x\u2066y\u2069z\u200e\u200f.txt', 'xyz.txt'],
    ['CON', '_CON'],
    ['con.txt', '_con.txt'],
    ['Com1.tar.gz', '_Com1.tar.gz'],
    ['lpt9', '_lpt9'],
    ['NUL .txt', '_NUL .txt'],
    ['console.txt', 'console.txt'],
    ['a<b>c:d"e|f?g*h.txt', 'a_b_c_d_e_f_g_h.txt'],
    ['', 'fallback.bin'],
    ['///', 'fallback.bin'],
    ['résumé ✔.pdf', 'résumé ✔.pdf'],
    ['half\ud800pair.txt', 'half_pair.txt'],
    ['🔒.txt', '🔒.txt'],
  ])('%j -> %j', (input, expected) => {
    expect(safeFilename(input, 'fallback.bin')).toBe(expected);
    // callers (desktop save-all) clean an already clean name again; that must not change it
    expect(safeFilename(expected, 'other.bin')).toBe(expected);
  });

  it('caps the length in UTF-8 bytes and keeps the extension', () => {
    const name = `${'é'.repeat(300)}.pdf`;
    const safe = safeFilename(name);
    expect(Buffer.byteLength(safe)).toBeLessThanOrEqual(MAX_FILENAME_BYTES);
    expect(safe.endsWith('.pdf')).toBe(true);
    expect(safe).not.toContain('\ufffd');
    const emoji = safeFilename('🔒'.repeat(100));
    expect(Buffer.byteLength(emoji)).toBeLessThanOrEqual(MAX_FILENAME_BYTES);
    expect([...emoji].every((c) => c === '🔒')).toBe(true);
  });

  it('uses a safe fallback even when the fallback is hostile', () => {
    expect(safeFilename('', '../x')).toBe('x');
    expect(safeFilename('', '..')).toBe('attachment');
  });
});

describe('safeJoin', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const tempDir = (): string => {
    const d = mkdtempSync(path.join(os.tmpdir(), 'mw-names-'));
    dirs.push(d);
    return d;
  };

  it('de-duplicates names case-insensitively and stays inside the folder', () => {
    const folder = tempDir();
    const used = new Set<string>();
    const a = safeJoin(folder, 'a.txt', used);
    const b = safeJoin(folder, 'A.txt', used);
    const c = safeJoin(folder, '../a.txt', used);
    const d = safeJoin(folder, 'noext', used);
    const e = safeJoin(folder, 'noext', used);
    expect([a, b, c, d, e].map((p) => path.basename(p))).toEqual([
      'a.txt',
      'A (1).txt',
      'a (2).txt',
      'noext',
      'noext (1)',
    ]);
    for (const p of [a, b, c, d, e]) expect(path.dirname(p)).toBe(path.resolve(folder));
  });

  it('writes every attachment of evil-filenames.eml inside the chosen folder and nowhere else', async () => {
    const raw = corpus('hostile/evil-filenames.eml');
    const parent = tempDir();
    const folder = path.join(parent, 'inbox-save');
    const sibling = path.join(parent, 'etc');
    rmSync(sibling, { recursive: true, force: true });
    mkdirSync(folder);
    const detail = await parseDetail(raw, base, envelope);
    expect(detail.attachments.length).toBe(3);
    const used = new Set<string>();
    for (const att of detail.attachments) {
      const target = safeJoin(folder, att.filename, used);
      const rel = path.relative(folder, target);
      expect(rel.startsWith('..') || path.isAbsolute(rel) || rel.includes(path.sep)).toBe(false);
      writeFileSync(target, (await extractAttachment(raw, att.partId)).content, { flag: 'wx' });
    }
    expect(readdirSync(parent).sort()).toEqual(['inbox-save']);
    expect(readdirSync(folder).sort()).toEqual(['_CON.txt', 'cod.exe_.txt', 'passwd']);
    expect(existsSync(sibling)).toBe(false);
  });
});
