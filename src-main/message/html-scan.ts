// A linear scan of message HTML for the tags and CSS that make a browser fetch something.
// Used to count remote resources for the UI; it never rebuilds the HTML. The preview does not rely on it:
// a browser and htmlparser2 disagree on edge cases, so preview-markup.ts renames by plain text instead.
import { Tokenizer, type QuoteType, type TokenizerCallbacks } from 'htmlparser2';

export interface HtmlTag {
  /** Lower-case tag name. */
  name: string;
  /** Lower-case attribute names, entity-decoded values; the first of a repeated attribute wins, as in browsers. */
  attribs: Map<string, string>;
  /** Offsets of the whole start tag in the scanned string: html.slice(start, end) is "<...>". */
  start: number;
  end: number;
}

export interface HtmlVisitor {
  tag?(tag: HtmlTag): void;
  /** The text of a <style> element. */
  style?(css: string): void;
}

/**
 * Walks start tags and <style> text. htmlparser2's Tokenizer is used rather than its Parser: the Parser keeps
 * open elements in an array it unshifts, which is quadratic on deeply nested hostile markup; the Tokenizer
 * keeps no stack, so the scan is linear in the length of the HTML.
 */
export function scanHtml(html: string, visitor: HtmlVisitor): void {
  let name = '';
  let start = 0;
  let attribs = new Map<string, string>();
  let attrName = '';
  let attrValue = '';
  let inStyle = false;
  let styleText: string[] = [];

  const endTag = (endIndex: number): void => {
    visitor.tag?.({ name, attribs, start, end: endIndex + 1 });
    if (name === 'style') {
      inStyle = true;
      styleText = [];
    }
  };
  const callbacks: TokenizerCallbacks = {
    onopentagname(s, e) {
      name = html.slice(s, e).toLowerCase();
      start = s - 1;
      attribs = new Map();
    },
    onattribname(s, e) {
      attrName = html.slice(s, e).toLowerCase();
      attrValue = '';
    },
    onattribdata(s, e) {
      attrValue += html.slice(s, e);
    },
    onattribentity(codepoint) {
      attrValue += String.fromCodePoint(codepoint);
    },
    onattribend(_quote: QuoteType) {
      if (!attribs.has(attrName)) attribs.set(attrName, attrValue);
    },
    onopentagend: endTag,
    onselfclosingtag: endTag,
    onclosetag(s, e) {
      if (inStyle && html.slice(s, e).toLowerCase() === 'style') {
        visitor.style?.(styleText.join(''));
        inStyle = false;
      }
    },
    ontext(s, e) {
      if (inStyle) styleText.push(html.slice(s, e));
    },
    ontextentity(codepoint) {
      if (inStyle) styleText.push(String.fromCodePoint(codepoint));
    },
    oncdata() {},
    oncomment() {},
    ondeclaration() {},
    onprocessinginstruction() {},
    onend() {
      // An unclosed <style> still applies to the rest of the document in a browser.
      if (inStyle) visitor.style?.(styleText.join(''));
    },
  };
  const tokenizer = new Tokenizer({ xmlMode: false, decodeEntities: true }, callbacks);
  tokenizer.write(html);
  tokenizer.end();
}

/** http:, https: and protocol-relative URLs, read the way a browser reads them (tabs, newlines, backslashes). */
export function isRemoteUrl(url: string): boolean {
  const u = url.replace(/[\u0000-\u0020]/g, '');
  return /^(?:https?:)?[/\\]{2}/i.test(u);
}

/**
 * Every URL a stylesheet would fetch: url(...) and @import "...". A hand scanner rather than a pattern:
 * `url\(\s*([^)]*)\s*\)` and its kin backtrack through every split of a whitespace run between the two `\s*`,
 * so `url(` and 100,000 spaces took seconds (issue 7). Here every character is looked at a bounded number of
 * times: a failed url( resumes the search right after its own "url(", and what it skipped holds no other one.
 */
export function cssUrls(css: string): string[] {
  const urls: string[] = [];
  // Literal patterns only find where to start; lower-casing instead could shift offsets ("İ" becomes two units).
  const urlStart = /url\(/gi;
  for (let m = urlStart.exec(css); m; m = urlStart.exec(css)) {
    const found = readUrlArgument(css, urlStart.lastIndex);
    if (!found) continue;
    urls.push(found.url);
    // Like a global regex, the next search starts after this match: "url(x)" inside a quoted URL is not a second URL.
    urlStart.lastIndex = found.end;
  }
  const importStart = /@import/gi;
  for (let m = importStart.exec(css); m; m = importStart.exec(css)) {
    const found = readImportString(css, importStart.lastIndex);
    if (!found) continue;
    urls.push(found.url);
    importStart.lastIndex = found.end;
  }
  return urls;
}

const WHITESPACE = /\s/;

function skipSpaces(css: string, i: number): number {
  while (i < css.length && WHITESPACE.test(css[i]!)) i++;
  return i;
}

// Characters that end a bare url( argument, as in the old `[^()'"\s]*`.
const URL_STOP = new Set(['(', ')', "'", '"']);

/** The argument of `url(` starting at `i` (a quoted string or a bare URL, then `)`) and the offset past the `)`. */
function readUrlArgument(css: string, i: number): { url: string; end: number } | null {
  i = skipSpaces(css, i);
  const quote = css[i];
  let url: string;
  if (quote === '"' || quote === "'") {
    const close = css.indexOf(quote, i + 1);
    if (close < 0) return null;
    url = css.slice(i + 1, close);
    i = close + 1;
  } else {
    const start = i;
    while (i < css.length && !WHITESPACE.test(css[i]!) && !URL_STOP.has(css[i]!)) i++;
    url = css.slice(start, i);
  }
  i = skipSpaces(css, i);
  return css[i] === ')' ? { url, end: i + 1 } : null;
}

/** The quoted string of `@import` starting at `i` (at least one space first) and the offset past its quote. */
function readImportString(css: string, i: number): { url: string; end: number } | null {
  const afterSpaces = skipSpaces(css, i);
  if (afterSpaces === i) return null;
  const quote = css[afterSpaces];
  if (quote !== '"' && quote !== "'") return null;
  const close = css.indexOf(quote, afterSpaces + 1);
  return close < 0 ? null : { url: css.slice(afterSpaces + 1, close), end: close + 1 };
}

// Attributes that load a resource on their own, without a click.
const RESOURCE_ATTRS = ['src', 'background', 'poster', 'lowsrc', 'dynsrc', 'data', 'profile'];
const SRCSET_ATTRS = ['srcset', 'imagesrcset'];
// Elements whose href is fetched rather than followed (<link> in HTML, <image>/<use>/<feImage> in SVG).
const HREF_FETCH_TAGS = new Set(['link', 'image', 'use', 'feimage']);

/** The URLs a tag would make the browser fetch as it renders. */
export function tagUrls(tag: HtmlTag): string[] {
  const urls: string[] = [];
  const a = tag.attribs;
  for (const name of RESOURCE_ATTRS) {
    const v = a.get(name);
    if (v) urls.push(v);
  }
  for (const name of SRCSET_ATTRS) {
    const v = a.get(name);
    if (v) for (const candidate of v.split(',')) urls.push(candidate.trim().split(/\s+/)[0] ?? '');
  }
  if (HREF_FETCH_TAGS.has(tag.name)) {
    for (const name of ['href', 'xlink:href']) {
      const v = a.get(name);
      if (v) urls.push(v);
    }
  }
  const style = a.get('style');
  if (style) urls.push(...cssUrls(style));
  if (tag.name === 'meta' && a.get('http-equiv')?.toLowerCase() === 'refresh') {
    const target = /url\s*=\s*['"]?([^'";]+)/i.exec(a.get('content') ?? '');
    if (target?.[1]) urls.push(target[1]);
  }
  return urls;
}

/** Distinct remote URLs the HTML would load when shown (images, CSS, fonts, media, frames). */
export function countRemoteResources(html: string): number {
  const remote = new Set<string>();
  const add = (urls: string[]): void => {
    for (const url of urls) if (isRemoteUrl(url)) remote.add(url.trim());
  };
  scanHtml(html, { tag: (t) => add(tagUrls(t)), style: (css) => add(cssUrls(css)) });
  return remote.size;
}
