// The accessibility lint of a message's HTML: one htmlparser2 pass that keeps each element's position, so every
// finding names the element (its start tag as written) and the line and column in the HTML part.
// Rules: img without alt, no lang, layout tables without role="presentation", text below 14 px, contrast under
// WCAG AA where both colours are in inline styles (or bgcolor), and link text that says nothing ("click here").
// What a <style> block does is not seen: the contrast and size rules read inline styles only, and say so.
import { Parser } from 'htmlparser2';
import type { AccessibilityFinding, AccessibilityRule } from '../../src-shared/index.js';
import { contrastRatio, parseCssColor, type Rgb } from './colors.js';

/** Findings kept per message: past this a template has one problem repeated, and the list says it was cut. */
export const MAX_FINDINGS = 500;
/** How much of a start tag a finding quotes: enough to find it in the source. */
const MAX_ELEMENT_CHARS = 120;
/** Nesting tracked for inherited colours and open tables; deeper markup is hostile and inherits from this depth. */
const MAX_DEPTH = 256;
/** Below this a reader on a phone squints; 14 px is the common floor in email accessibility guides. */
export const MIN_FONT_PX = 14;
/** WCAG 2 AA: 4.5:1 for body text, 3:1 for large text (24 px, or 18.66 px bold). */
const AA_NORMAL = 4.5;
const AA_LARGE = 3;

/** Link text that says nothing out of context (WCAG 2.4.4), compared lowercased without punctuation. */
const VAGUE_LINK_TEXT = new Set([
  'click here',
  'click',
  'here',
  'click this',
  'this',
  'this link',
  'link',
  'more',
  'read more',
  'learn more',
  'see more',
  'more info',
  'go',
  'tap here',
]);

const VOID_ELEMENTS = new Set([
  'area',
  'base',
  'br',
  'col',
  'embed',
  'hr',
  'img',
  'input',
  'link',
  'meta',
  'source',
  'wbr',
]);

interface Frame {
  tag: string;
  color: Rgb | null;
  background: Rgb | null;
  fontPx: number | null;
  bold: boolean;
  /** display:none or hidden, here or above: its text is not read or seen. */
  hidden: boolean;
  /** Its text was judged once: later text runs of the same element add no finding. */
  judged: boolean;
}

interface OpenTable {
  element: string;
  offset: number;
  presentation: boolean;
  hasHeader: boolean;
}

interface OpenLink {
  element: string;
  offset: number;
  text: string;
  alts: string[];
  label: string | null;
}

export interface AccessibilityLint {
  findings: AccessibilityFinding[];
  truncated: boolean;
}

export function lintAccessibility(html: string): AccessibilityLint {
  const lineStarts = [0];
  for (let i = html.indexOf('\n'); i >= 0; i = html.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  const findings: AccessibilityFinding[] = [];
  let truncated = false;
  const where = (offset: number): { line: number; column: number } => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((lineStarts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - (lineStarts[lo] ?? 0) + 1 };
  };
  const report = (rule: AccessibilityRule, element: string, offset: number, message: string): void => {
    if (findings.length >= MAX_FINDINGS) {
      truncated = true;
      return;
    }
    findings.push({ rule, element, ...where(offset), message });
  };

  const root: Frame = {
    tag: '#root',
    color: null,
    background: null,
    fontPx: null,
    bold: false,
    hidden: false,
    judged: true,
  };
  const stack: Frame[] = [root];
  const tables: OpenTable[] = [];
  let link: OpenLink | null = null;
  let sawHtmlTag = false;
  let hasLang = false;
  let htmlTag: { element: string; offset: number } | null = null;
  let styleOrScript = 0;

  const parser = new Parser(
    {
      onopentag(name, attrs) {
        const offset = parser.startIndex;
        const element = elementText(html.slice(parser.startIndex, parser.endIndex + 1));
        const parent = stack[stack.length - 1] ?? root;
        const style = parseInlineStyle(attrs.style ?? '');
        if (name === 'style' || name === 'script' || name === 'title') styleOrScript++;
        if (name === 'html') {
          sawHtmlTag = true;
          htmlTag = { element, offset };
          if ((attrs.lang ?? '').trim() || (attrs['xml:lang'] ?? '').trim()) hasLang = true;
        }
        const hidden = /(^|;)\s*display\s*:\s*none/i.test(attrs.style ?? '') || 'hidden' in attrs;

        const color = parseCssColor(style.get('color') ?? attrs.color ?? '') ?? parent.color;
        const background =
          parseCssColor(
            style.get('background-color') ?? backgroundColor(style.get('background')) ?? attrs.bgcolor ?? '',
          ) ?? parent.background;
        const fontPx = fontSizePx(style.get('font-size'), parent.fontPx) ?? parent.fontPx;
        const weight = style.get('font-weight');
        const bold =
          weight !== undefined
            ? /^(bold|bolder|[6-9]00)$/i.test(weight.trim())
            : parent.bold || name === 'b' || name === 'strong' || /^h[1-6]$/.test(name) || name === 'th';
        const frame: Frame = {
          tag: name,
          color,
          background,
          fontPx,
          bold,
          hidden: parent.hidden || hidden,
          judged: false,
        };
        if (!VOID_ELEMENTS.has(name) && stack.length < MAX_DEPTH) stack.push(frame);

        if (name === 'img') {
          if (!('alt' in attrs))
            report(
              'img-alt',
              element,
              offset,
              'image without alt: a screen reader reads its file name; use alt="" if it is decorative',
            );
          if (link) link.alts.push(attrs.alt ?? '');
        } else if (name === 'table') {
          const role = (attrs.role ?? '').trim().toLowerCase();
          tables.push({ element, offset, presentation: role === 'presentation' || role === 'none', hasHeader: false });
        } else if (name === 'th' || name === 'caption') {
          const table = tables[tables.length - 1];
          if (table) table.hasHeader = true;
        } else if (name === 'a' && 'href' in attrs) {
          link = { element, offset, text: '', alts: [], label: attrs['aria-label'] ?? attrs.title ?? null };
        }
      },
      ontext(text) {
        if (styleOrScript > 0) return;
        if (link) link.text += text;
        const frame = stack[stack.length - 1] ?? root;
        if (frame.judged || frame.hidden || !text.trim()) return;
        frame.judged = true;
        const offset = parser.startIndex;
        const snippet = elementText(text.trim());
        if (frame.fontPx !== null && frame.fontPx < MIN_FONT_PX) {
          report(
            'small-text',
            `<${frame.tag}> "${snippet}"`,
            offset,
            `text at ${round(frame.fontPx)} px, below ${MIN_FONT_PX} px`,
          );
        }
        if (frame.color && frame.background) {
          const ratio = contrastRatio(frame.color, frame.background);
          const px = frame.fontPx ?? 16;
          const large = px >= 24 || (frame.bold && px >= 18.66);
          const needed = large ? AA_LARGE : AA_NORMAL;
          if (ratio < needed)
            report(
              'contrast',
              `<${frame.tag}> "${snippet}"`,
              offset,
              `contrast ${round(ratio)}:1 is under WCAG AA ${needed}:1 for ${large ? 'large' : 'normal'} text`,
            );
        }
      },
      onclosetag(name) {
        if (name === 'style' || name === 'script' || name === 'title') styleOrScript = Math.max(0, styleOrScript - 1);
        if (name === 'table') {
          const table = tables.pop();
          if (table) judgeTable(table);
        } else if (name === 'a' && link) {
          checkLink(link);
          link = null;
        }
        if (VOID_ELEMENTS.has(name)) return;
        // Pop to the matching element: htmlparser2 closes unclosed children first, so this is at most a few.
        for (let i = stack.length - 1; i > 0; i--) {
          if (stack[i]?.tag === name) {
            stack.length = i;
            break;
          }
        }
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true, recognizeSelfClosing: true },
  );

  const judgeTable = (t: OpenTable): void => {
    // A table with header cells or a caption holds data; one without either lays out the email.
    if (!t.presentation && !t.hasHeader)
      report(
        'layout-table',
        t.element,
        t.offset,
        'layout table without role="presentation": a screen reader announces its rows and columns',
      );
  };
  const checkLink = (l: OpenLink): void => {
    const text = collapse(l.text) || collapse(l.alts.join(' '));
    const label = l.label ? collapse(l.label) : '';
    if (!text && !label) {
      report('link-text', l.element, l.offset, 'link without text: a screen reader reads its address');
      return;
    }
    const words = (label || text)
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s]/gu, '')
      .replace(/\s+/g, ' ')
      .trim();
    if (VAGUE_LINK_TEXT.has(words))
      report(
        'link-text',
        l.element,
        l.offset,
        `link text "${label || text}" says nothing out of context; name the target`,
      );
  };

  parser.end(html);
  for (const table of tables) judgeTable(table);
  if (!hasLang) {
    const at = htmlTag as { element: string; offset: number } | null;
    findings.unshift({
      rule: 'lang',
      element: at ? at.element : '(no <html> element)',
      ...where(at ? at.offset : 0),
      message: sawHtmlTag
        ? 'no lang on <html>: a screen reader guesses the language to speak'
        : 'no <html lang>: a screen reader guesses the language to speak',
    });
  }
  findings.sort((x, y) => x.line - y.line || x.column - y.column);
  return { findings, truncated };
}

function parseInlineStyle(style: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const declaration of style.split(';')) {
    const colon = declaration.indexOf(':');
    if (colon < 0) continue;
    const name = declaration.slice(0, colon).trim().toLowerCase();
    const value = declaration
      .slice(colon + 1)
      .replace(/!important/i, '')
      .trim();
    if (name && value) out.set(name, value);
  }
  return out;
}

/** The colour in a `background` shorthand: the first token that parses as one. */
function backgroundColor(value: string | undefined): string | undefined {
  if (!value) return undefined;
  for (const token of value.split(/\s+(?![^(]*\))/)) if (parseCssColor(token)) return token;
  return undefined;
}

const KEYWORD_SIZES: Record<string, number> = {
  'xx-small': 9,
  'x-small': 10,
  small: 13,
  medium: 16,
  large: 18,
  'x-large': 24,
  'xx-large': 32,
};

/** A font-size in px: px, pt, em/% (of the inherited size, 16 px when unknown), rem (of 16 px) and keywords. */
export function fontSizePx(value: string | undefined, inherited: number | null): number | null {
  if (!value) return null;
  const v = value.trim().toLowerCase();
  if (v in KEYWORD_SIZES) return KEYWORD_SIZES[v] ?? null;
  const m = /^(\d*\.?\d+)(px|pt|em|rem|%)$/.exec(v);
  if (!m) return null;
  const n = Number(m[1]);
  switch (m[2]) {
    case 'px':
      return n;
    case 'pt':
      return (n * 4) / 3;
    case 'em':
      return n * (inherited ?? 16);
    case '%':
      return (n / 100) * (inherited ?? 16);
    default:
      return n * 16;
  }
}

function elementText(text: string): string {
  const one = text.replace(/\s+/g, ' ');
  return one.length > MAX_ELEMENT_CHARS ? `${one.slice(0, MAX_ELEMENT_CHARS - 1)}…` : one;
}

function collapse(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
