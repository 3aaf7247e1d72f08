// HTML to plain words: what the full-text index and the text diff read of an HTML body.
// One linear pass (no parser), so hostile markup costs time in proportion to its length.
// Must not import electron, the store or any binding.

const INLINE_TAG = /^<\/?(a|b|i|u|s|em|strong|span|font|small|big|sub|sup|code|mark|abbr|tt|q|cite)[\s/>]/i;

/** Cheap HTML-to-text for the index: drops tags, scripts, styles and comments in one linear pass. */
export function stripHtml(html: string): string {
  const out: string[] = [];
  let i = 0;
  while (i < html.length) {
    const lt = html.indexOf('<', i);
    if (lt < 0) {
      out.push(html.slice(i));
      break;
    }
    // Inline tags join their text ("<b>ba</b>r" is one word); every other tag separates words.
    out.push(html.slice(i, lt), INLINE_TAG.test(html.slice(lt, lt + 10)) ? '' : ' ');
    let end: number;
    if (html.startsWith('<!--', lt)) {
      end = html.indexOf('-->', lt + 4);
      end = end < 0 ? html.length : end + 3;
    } else {
      const tag = /^<(script|style)\b/i.exec(html.slice(lt, lt + 8));
      const close = html.indexOf('>', lt);
      if (close < 0) break;
      end = close + 1;
      if (tag) {
        // A regex from lastIndex keeps the pass linear even with thousands of unclosed <script tags.
        const closingTag = tag[1]!.toLowerCase() === 'script' ? /<\/script/gi : /<\/style/gi;
        closingTag.lastIndex = end;
        const closing = closingTag.exec(html)?.index ?? -1;
        end = closing < 0 ? html.length : html.indexOf('>', closing) + 1 || html.length;
      }
    }
    i = end;
  }
  return decodeEntities(out.join('')).replace(/\s+/g, ' ').trim();
}

/** The entities real mail uses most; the index only needs words, so a rare one may stay as written. */
const NAMED_ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  shy: '',
  copy: '©',
  reg: '®',
  trade: '™',
  euro: '€',
  pound: '£',
  ndash: '–',
  mdash: '—',
  hellip: '…',
  lsquo: '‘',
  rsquo: '’',
  ldquo: '“',
  rdquo: '”',
  bdquo: '„',
  laquo: '«',
  raquo: '»',
  auml: 'ä',
  ouml: 'ö',
  uuml: 'ü',
  Auml: 'Ä',
  Ouml: 'Ö',
  Uuml: 'Ü',
  szlig: 'ß',
  eacute: 'é',
  egrave: 'è',
  agrave: 'à',
  ccedil: 'ç',
  ntilde: 'ñ',
  aacute: 'á',
  oacute: 'ó',
  iacute: 'í',
  uacute: 'ú',
};

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z]{2,6});/gi, (m, e: string) => {
    if (e[0] === '#') {
      const code = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : ' ';
    }
    return NAMED_ENTITIES[e] ?? NAMED_ENTITIES[e.toLowerCase()] ?? m;
  });
}
