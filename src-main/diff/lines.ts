// Line diffs with word-level highlights, built on jsdiff's structuredPatch (hunks with context) and
// diffWordsWithSpace (inside a removed line paired with its added replacement).
import { diffWordsWithSpace, structuredPatch } from 'diff';
import type { DiffHunk, DiffLine, WordSegment } from '../../src-shared/index.js';

/** Unchanged lines shown around each change, as `diff -u` does. */
const CONTEXT_LINES = 3;
/**
 * jsdiff's Myers diff costs O(N·D): two large, very different texts could take minutes. Past this many edits
 * (far more than any two versions of one template differ by) the section says it is too different instead.
 */
const MAX_EDIT_LENGTH = 5000;
/** A second guard on the same cost, for inputs that stay under the edit budget but are huge. */
const DIFF_TIMEOUT_MS = 2000;
/** Text compared per side. A 50 MB text part is not a template; its first 2 MB are. */
export const MAX_DIFF_CHARS = 2 * 1024 * 1024;
/** Word highlights only for lines a reader can take in; a 100 KB minified line gets the line view only. */
const MAX_WORD_DIFF_CHARS = 4000;

export interface LineDiff {
  hunks: DiffHunk[];
  /** Changed lines: a removed line replaced by an added one counts once. */
  changes: number;
  /** Set when the texts were cut or too different to compare line by line. */
  note: string | null;
}

export function diffLines(a: string, b: string): LineDiff {
  const notes: string[] = [];
  const cut = (text: string): string => {
    if (text.length <= MAX_DIFF_CHARS) return text;
    notes.push(`only the first ${MAX_DIFF_CHARS} characters of each side are compared`);
    return text.slice(0, MAX_DIFF_CHARS);
  };
  const left = withFinalNewline(cut(a));
  const right = withFinalNewline(cut(b));
  if (left === right) return { hunks: [], changes: 0, note: notes[0] ?? null };
  const patch = structuredPatch('a', 'b', left, right, undefined, undefined, {
    context: CONTEXT_LINES,
    maxEditLength: MAX_EDIT_LENGTH,
    timeout: DIFF_TIMEOUT_MS,
  });
  if (!patch) {
    return {
      hunks: [],
      changes: Math.max(countLines(left), countLines(right)),
      note: 'the two sides are too different to compare line by line',
    };
  }
  const hunks = patch.hunks.map(toHunk);
  const changes = hunks.reduce((sum, h) => sum + countChanges(h.lines), 0);
  return { hunks, changes, note: [...new Set(notes)].join('; ') || null };
}

function toHunk(h: {
  oldStart: number;
  oldLines: number;
  newStart: number;
  newLines: number;
  lines: string[];
}): DiffHunk {
  let aLine = h.oldStart;
  let bLine = h.newStart;
  const lines: DiffLine[] = [];
  for (const raw of h.lines) {
    const mark = raw[0];
    const text = raw.slice(1);
    if (mark === ' ') lines.push({ op: 'context', text, aLine: aLine++, bLine: bLine++, words: null });
    else if (mark === '-') lines.push({ op: 'removed', text, aLine: aLine++, bLine: null, words: null });
    else if (mark === '+') lines.push({ op: 'added', text, aLine: null, bLine: bLine++, words: null });
    // "\ No newline at end of file" cannot occur: both sides end with a newline.
  }
  addWordHighlights(lines);
  return { aStart: h.oldStart, aLines: h.oldLines, bStart: h.newStart, bLines: h.newLines, lines };
}

/** Pairs the k-th removed line of a run with its k-th added line and marks the words that differ. */
function addWordHighlights(lines: DiffLine[]): void {
  let i = 0;
  while (i < lines.length) {
    if (lines[i]!.op !== 'removed') {
      i++;
      continue;
    }
    const removedStart = i;
    while (i < lines.length && lines[i]!.op === 'removed') i++;
    const addedStart = i;
    while (i < lines.length && lines[i]!.op === 'added') i++;
    const pairs = Math.min(addedStart - removedStart, i - addedStart);
    for (let k = 0; k < pairs; k++) {
      const removed = lines[removedStart + k]!;
      const added = lines[addedStart + k]!;
      if (removed.text.length > MAX_WORD_DIFF_CHARS || added.text.length > MAX_WORD_DIFF_CHARS) continue;
      const parts = diffWordsWithSpace(removed.text, added.text);
      removed.words = parts.filter((p) => !p.added).map((p) => segment(p.removed ? 'removed' : 'same', p.value));
      added.words = parts.filter((p) => !p.removed).map((p) => segment(p.added ? 'added' : 'same', p.value));
    }
  }
}

function segment(op: WordSegment['op'], text: string): WordSegment {
  return { op, text };
}

/** Per run of changes, the larger of removed and added lines: one line replaced is one change. */
export function countChanges(lines: readonly DiffLine[]): number {
  let total = 0;
  let removed = 0;
  let added = 0;
  for (const line of lines) {
    if (line.op === 'removed') removed++;
    else if (line.op === 'added') added++;
    else {
      total += Math.max(removed, added);
      removed = added = 0;
    }
  }
  return total + Math.max(removed, added);
}

function withFinalNewline(text: string): string {
  if (text === '') return text;
  const unified = text.replace(/\r\n?/g, '\n');
  return unified.endsWith('\n') ? unified : `${unified}\n`;
}

function countLines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return n;
}
