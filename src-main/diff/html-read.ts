// One htmlparser2 pass over a message's HTML that yields what the diff compares: the source normalised (one tag
// or text run per line, attributes sorted, whitespace collapsed, so a reformatted template compares equal), the
// text a reader sees (one line per block), and the links and images.
// htmlparser2 is a streaming tokenizer: its cost is linear in the input, so hostile markup costs only its length.
import { Parser } from 'htmlparser2';

export interface HtmlLink {
  href: string;
  /** The link's visible text (or the alt text of an image inside it), whitespace collapsed. */
  text: string;
}

export interface HtmlImage {
  src: string;
  alt: string | null;
}

export interface HtmlReading {
  normalized: string;
  text: string;
  links: HtmlLink[];
  images: HtmlImage[];
}

/** Indentation stops deepening here: hostile nesting thousands deep would otherwise square the output size. */
const MAX_INDENT_DEPTH = 32;
/** Links and images kept per message: a newsletter has a few hundred; more is a list no one reads item by item. */
const MAX_ITEMS = 5000;

// Elements that never have content: htmlparser2 still reports a close for them, which the normalised view leaves out.
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
  'param',
  'source',
  'track',
  'wbr',
]);
// Inline elements continue the current line of reader text; every other element starts a new one.
const INLINE_ELEMENTS = new Set([
  'a',
  'abbr',
  'b',
  'bdi',
  'bdo',
  'big',
  'cite',
  'code',
  'del',
  'dfn',
  'em',
  'font',
  'i',
  'img',
  'ins',
  'kbd',
  'label',
  'mark',
  'q',
  's',
  'samp',
  'small',
  'span',
  'strike',
  'strong',
  'sub',
  'sup',
  'time',
  'tt',
  'u',
  'var',
]);
// Content a reader never sees as text.
const HIDDEN_ELEMENTS = new Set(['head', 'script', 'style', 'template', 'noscript', 'title']);

/**
 * `url` rewrites href and src values in the normalised source (the diff drops tracking parameters with it, so the
 * source view agrees with the links section); links and images keep the values as written.
 */
export function readHtml(html: string, url: (value: string) => string = (v) => v): HtmlReading {
  const normalized: string[] = [];
  const textLines: string[] = [];
  const links: HtmlLink[] = [];
  const images: HtmlImage[] = [];
  let depth = 0;
  let hidden = 0;
  let block = '';
  let link: { href: string; text: string } | null = null;
  const indent = (): string => '  '.repeat(Math.min(depth, MAX_INDENT_DEPTH));
  const flushBlock = (): void => {
    const line = collapse(block);
    if (line) textLines.push(line);
    block = '';
  };

  const parser = new Parser(
    {
      onopentag(name, attribs) {
        normalized.push(`${indent()}<${name}${formatAttributes(attribs, url)}>`);
        if (!VOID_ELEMENTS.has(name)) depth++;
        if (HIDDEN_ELEMENTS.has(name)) hidden++;
        if (!INLINE_ELEMENTS.has(name) || name === 'br') flushBlock();
        if (name === 'a' && attribs.href !== undefined) {
          link = { href: attribs.href.trim(), text: '' };
        } else if (name === 'img' && images.length < MAX_ITEMS) {
          images.push({
            src: (attribs.src ?? '').trim(),
            alt: attribs.alt !== undefined ? collapse(attribs.alt) : null,
          });
          if (link && attribs.alt) link.text += ` ${attribs.alt}`;
        }
      },
      ontext(data) {
        const text = collapse(data);
        if (text) normalized.push(`${indent()}${text}`);
        if (hidden === 0) {
          block += data;
          if (link) link.text += data;
        }
      },
      onclosetag(name) {
        if (VOID_ELEMENTS.has(name)) return;
        depth = Math.max(0, depth - 1);
        normalized.push(`${indent()}</${name}>`);
        if (HIDDEN_ELEMENTS.has(name)) hidden = Math.max(0, hidden - 1);
        if (!INLINE_ELEMENTS.has(name)) flushBlock();
        if (name === 'a' && link) {
          if (links.length < MAX_ITEMS) links.push({ href: link.href, text: collapse(link.text) });
          link = null;
        }
      },
      oncomment(data) {
        normalized.push(`${indent()}<!-- ${collapse(data)} -->`);
      },
      onprocessinginstruction(_name, data) {
        normalized.push(`${indent()}<${collapse(data).toLowerCase()}>`);
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true, recognizeSelfClosing: true },
  );
  parser.write(html);
  parser.end();
  flushBlock();
  return { normalized: normalized.join('\n'), text: textLines.join('\n'), links, images };
}

function formatAttributes(attribs: Record<string, string>, url: (value: string) => string): string {
  const names = Object.keys(attribs).sort();
  return names
    .map((name) => {
      const value = normalizeAttribute(name, attribs[name]!);
      return ` ${name}="${name === 'href' || name === 'src' ? url(value) : value}"`;
    })
    .join('');
}

/** Whitespace inside attribute values carries no meaning, and `style` declarations differ only in spacing and case. */
function normalizeAttribute(name: string, value: string): string {
  if (name !== 'style') return collapse(value);
  return value
    .split(';')
    .map((declaration) => {
      const colon = declaration.indexOf(':');
      if (colon < 0) return collapse(declaration);
      return `${declaration.slice(0, colon).trim().toLowerCase()}: ${collapse(declaration.slice(colon + 1))}`;
    })
    .filter((d) => d !== '')
    .join('; ');
}

function collapse(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
