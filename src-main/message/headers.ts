// Header fields of one message for display: every field in order, duplicates kept, values decoded.
import type { HeaderLine } from '@zone-eu/mailsplit';
import libmime from 'libmime';
import type { HeaderField } from '../../src-shared/index.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Unfolds and decodes the header lines mailsplit read. Size needs no budget of its own here: mailsplit
 * refuses a header block above 1 MiB (its maxHeadSize), and a 200 KB field is shown whole.
 */
export function decodeHeaderLines(lines: readonly HeaderLine[]): HeaderField[] {
  const fields: HeaderField[] = [];
  for (const { line } of lines) {
    // mailsplit reports an empty header block (a message that starts with a blank line) as one empty line.
    if (!line.trim()) continue;
    const colon = line.indexOf(':');
    const key = (colon >= 0 ? line.slice(0, colon) : line).trim();
    const folded = colon >= 0 ? line.slice(colon + 1) : '';
    fields.push({ key, value: decodeWords(fromRawBytes(folded.replace(/\r?\n(?=[ \t])/g, '').trim())) });
  }
  return fields;
}

/**
 * mailsplit keeps header bytes as a latin1 string. Raw 8-bit headers are usually UTF-8 (RFC 6532);
 * when they are not valid UTF-8 the latin1 reading shows every byte one-for-one instead of U+FFFD.
 */
export function fromRawBytes(latin1: string): string {
  if (!/[^\x00-\x7f]/.test(latin1)) return latin1;
  try {
    return utf8.decode(Buffer.from(latin1, 'latin1'));
  } catch {
    return latin1;
  }
}

/** RFC 2047 encoded words to text; a value libmime cannot decode is shown as it stands. */
export function decodeWords(value: string): string {
  if (!value.includes('=?')) return value;
  try {
    return libmime.decodeWords(value);
  } catch {
    return value;
  }
}
