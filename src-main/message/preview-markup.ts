// Renames the few names in a sender's HTML that make the preview fetch or navigate where CSP does not reach.
// Plain text passes, not a parser: browsers and htmlparser2 disagree on edge cases (`<svg><title><link>`,
// `<![CDATA[>`, `<!-->`, `--!>`), so a tag scan misses what a browser sees. Tag and attribute names cannot be
// entity-encoded, so matching their text finds every spelling a browser honours, wherever the parsers disagree.
// The price: prose that looks like an attribute (` rel=x`) is renamed too, which is rare and visible, not unsafe.

// Attributes taken away whatever the user allowed:
// - http-equiv: <meta http-equiv=refresh> loads another page into the frame, and CSP does not govern navigation.
// - target: a link with target=_self (or a frame name) would navigate the preview frame itself, so it could show a
//   page other than the preview the UI describes. Every link gets our target="_blank" instead (LINK_TAGS), so it
//   opens a new window, as in a mail client.
const ALWAYS_RENAMED_ATTRIBUTES = ['http-equiv', 'target'];

// While remote content is blocked, rel goes too: resource hints (preconnect, dns-prefetch) open connections without
// a CSP check, and prefetch, preload, prerender, modulepreload, icon and manifest are fetches nobody asked for.
// Once the user allows remote content the sender's <link rel=stylesheet> must work, so rel stays then.
const RENAMED_WHILE_BLOCKED = ['rel'];

// Links get an explicit target="_blank" (the sender's own target is renamed above, so ours is the only one): an SVG
// <a> ignores <base target> in Chromium 156 and would navigate the preview frame to the sender's page.
const LINK_TAGS = ['a', 'area'];

// Chromium 156 opens a TCP connection to an <iframe>'s src before frame-src 'none' refuses the frame (a "read
// receipt" without a request), and srcdoc holds entity-encoded markup no text pass can read. Mail clients do
// not show frames either, so they become unknown elements; their fallback content then shows.
const FRAME_TAGS = ['iframe', 'frame'];

/** The prefix that keeps a renamed attribute readable in the DOM (and in a test) without any effect. */
const RENAMED_PREFIX = 'data-mailwright-';

/** The sender's HTML with frames and the attributes above renamed and links sent to a new window; the rest as sent. */
export function disarmMarkup(html: string, allowRemote: boolean): string {
  const attributes = allowRemote ? ALWAYS_RENAMED_ATTRIBUTES : [...ALWAYS_RENAMED_ATTRIBUTES, ...RENAMED_WHILE_BLOCKED];
  return targetNewWindow(renameFrameTags(renameAttributes(html, attributes)));
}

/**
 * An attribute name starts after whitespace, a `/` or the closing quote of the previous value, and a value follows
 * its `=` after optional whitespace. A name without `=` has an empty value, which none of these can use.
 */
function renameAttributes(html: string, names: readonly string[]): string {
  // The names are the plain words above; none holds a character special to a regular expression.
  // The separator is captured rather than looked behind for: same matches (a match ends on a letter, so it never
  // eats the next name's separator), at less than half the cost on a large newsletter.
  const pattern = new RegExp(`([\\s/"'])(${names.join('|')})(?=\\s*=)`, 'gi');
  return html.replace(pattern, `$1${RENAMED_PREFIX}$2`);
}

/** `<iframe` and `</iframe` become `<mailwright-iframe`: a tag name ends at whitespace, `/` or `>`. */
function renameFrameTags(html: string): string {
  const pattern = new RegExp(`(<\\/?)(${FRAME_TAGS.join('|')})(?=[\\s/>])`, 'gi');
  return html.replace(pattern, '$1mailwright-$2');
}

/** `<a ` becomes `<a target="_blank" `: the tag name ends at whitespace, `/` or `>`, and attributes follow it. */
function targetNewWindow(html: string): string {
  const pattern = new RegExp(`<(${LINK_TAGS.join('|')})(?=[\\s/>])`, 'gi');
  return html.replace(pattern, '<$1 target="_blank"');
}
