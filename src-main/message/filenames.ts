// Attachment names are hostile input: these turn them into names that cannot leave the folder the user picked.
// Rules cover Windows, macOS and Linux at once, because a message saved on one may be copied to another.
import path from 'node:path';
import { MailwrightError } from '../../src-shared/index.js';

/**
 * Longest name we produce, in UTF-8 bytes. ext4, APFS and NTFS allow 255 units; 200 leaves room for the
 * " (12)" de-duplication suffix and for filesystems that count UTF-16 units or bytes differently.
 */
export const MAX_FILENAME_BYTES = 200;

/** Longest extension we try to keep when shortening; anything longer is part of the name, not a type. */
const MAX_EXTENSION_CHARS = 16;

/** How many "name (n).ext" variants safeJoin tries before giving up: a message holds at most a few hundred parts. */
const MAX_DEDUP_ATTEMPTS = 10_000;

// C0/C1 controls, DEL, and the characters Windows forbids in names (<>:"/\|?*).
const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f<>:"/\\|?*]/g;
// Bidi overrides and isolates turn "cod.exe" into something that reads as ".exe.doc"; zero-width and BOM hide characters.
const INVISIBLE = /[\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;
// Half a surrogate pair cannot be written as UTF-8; Node would silently turn it into U+FFFD.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
// Windows opens the device, not a file, for these names whatever the extension (CON.txt, com1.tar.gz).
const RESERVED_DEVICE = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$)$/i;

/** A file name that is safe to create inside a folder the user picked. */
export function safeFilename(name: string, fallback = 'attachment'): string {
  const cleaned = clean(typeof name === 'string' ? name : '');
  if (cleaned) return cleaned;
  const fromFallback = clean(fallback);
  return fromFallback || 'attachment';
}

function clean(input: string): string {
  // Only the last path segment counts: "../../etc/passwd" and "C:\\x\\evil.exe" name a file, not a place.
  const segments = input.normalize('NFC').split(/[/\\]/);
  let name = segments[segments.length - 1] ?? '';
  name = name.replace(INVISIBLE, '').replace(FORBIDDEN, '_').replace(LONE_SURROGATE, '_');
  // Leading dots hide files (and ".." is traversal); trailing dots and spaces are silently dropped by Windows.
  name = trimDotsAndSpacesEnd(name.replace(/^[\s.]+/, ''));
  if (!name || /^_+$/.test(name)) return '';
  const stem = name.split('.')[0] ?? '';
  if (RESERVED_DEVICE.test(stem.trim())) name = `_${name}`;
  return truncateUtf8(name, MAX_FILENAME_BYTES);
}

/** Shortens to `maxBytes` of UTF-8 without splitting a character, keeping a short extension. */
function truncateUtf8(name: string, maxBytes: number): string {
  if (Buffer.byteLength(name) <= maxBytes) return name;
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 && name.length - dot <= MAX_EXTENSION_CHARS ? name.slice(dot) : '';
  const budget = maxBytes - Buffer.byteLength(ext);
  let stem = '';
  let used = 0;
  // Iterating by code point keeps surrogate pairs together.
  for (const ch of ext ? name.slice(0, dot) : name) {
    const size = Buffer.byteLength(ch);
    if (used + size > budget) break;
    stem += ch;
    used += size;
  }
  return trimDotsAndSpacesEnd(stem) + ext;
}

/**
 * Drops trailing dots and white space. A loop, not `/[\s.]+$/`: that pattern retries from every space of a
 * run that does not reach the end, so a name of a word, 100,000 spaces and ".txt" took seconds (issue 7).
 */
function trimDotsAndSpacesEnd(name: string): string {
  let end = name.length;
  while (end > 0 && (name[end - 1] === '.' || /\s/.test(name[end - 1]!))) end--;
  return name.slice(0, end);
}

/**
 * An absolute path for `name` inside `folder`, never outside it. `existing` holds names already used
 * (compared case-insensitively, as Windows and macOS do); the chosen name is added to it.
 */
export function safeJoin(folder: string, name: string, existing: Set<string> = new Set()): string {
  const root = path.resolve(folder);
  const base = safeFilename(name);
  const dot = base.lastIndexOf('.');
  const stem = dot > 0 ? base.slice(0, dot) : base;
  const ext = dot > 0 ? base.slice(dot) : '';
  const taken = new Set([...existing].map((n) => n.toLowerCase()));
  for (let n = 0; n < MAX_DEDUP_ATTEMPTS; n++) {
    const candidate = n === 0 ? base : truncateUtf8(`${stem} (${n})${ext}`, MAX_FILENAME_BYTES + 8);
    if (taken.has(candidate.toLowerCase())) continue;
    const full = path.resolve(root, candidate);
    const rel = path.relative(root, full);
    // The name is already cleaned; this check is the last line in case a rule above is ever loosened.
    if (!rel || rel.startsWith('..') || path.isAbsolute(rel) || rel.includes(path.sep)) {
      throw new MailwrightError(
        'invalid_argument',
        `refusing attachment name that leaves the folder: ${JSON.stringify(name)}`,
      );
    }
    existing.add(candidate);
    return full;
  }
  throw new MailwrightError('conflict', `too many attachments named ${JSON.stringify(base)}`);
}
