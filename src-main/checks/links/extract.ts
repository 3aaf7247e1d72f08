// Every link and image URL of a message, from its HTML part (htmlparser2: href, src, srcset, background and CSS
// url() in style attributes and <style>) and its text part (bare http(s) URLs), in order of first appearance and
// without repeats. Addresses that are not web pages (mailto:, tel:, cid:, data:, #fragments) are left out.
// Must not import electron, serve/ or another capability's folder.
import { Parser } from 'htmlparser2';
import { cssUrls } from '../../message/html-scan.js';

export interface FoundUrl {
  url: string;
  kind: 'link' | 'image';
  sources: ('html' | 'text')[];
}

/** URLs gathered per message before the list stops growing: a crawl's worth, far past any real newsletter. */
const MAX_FOUND = 5000;
/** Schemes that name no web resource: never listed. */
const NOT_WEB = /^(?:mailto|tel|sms|cid|mid|data|about|callto|skype|geo|urn):/i;
/** A bare URL in text; trailing punctuation is trimmed after the match. */
const TEXT_URL = /\bhttps?:\/\/[^\s<>"'`{}|\\^]+/gi;

export function extractUrls(html: string | null, text: string | null): FoundUrl[] {
  const found = new Map<string, FoundUrl>();
  const add = (raw: string | undefined, kind: FoundUrl['kind'], source: 'html' | 'text'): void => {
    const url = (raw ?? '').trim();
    if (!url || url.startsWith('#') || NOT_WEB.test(url) || found.size >= MAX_FOUND) return;
    const seen = found.get(url);
    if (!seen) {
      found.set(url, { url, kind, sources: [source] });
      return;
    }
    if (kind === 'link') seen.kind = 'link';
    if (!seen.sources.includes(source)) seen.sources.push(source);
  };
  const css = (style: string): void => {
    // The preview's linear scanner: a pattern for url(...) backtracks quadratically on "url(url(url(…".
    for (const url of cssUrls(style)) add(url, 'image', 'html');
  };

  if (html) {
    let inStyle = false;
    const parser = new Parser(
      {
        onopentag(name, attribs) {
          if (name === 'style') inStyle = true;
          if ((name === 'a' || name === 'area') && attribs.href !== undefined) add(attribs.href, 'link', 'html');
          if (name === 'img' || (name === 'input' && attribs.type?.toLowerCase() === 'image'))
            add(attribs.src, 'image', 'html');
          if (attribs.srcset !== undefined)
            for (const candidate of attribs.srcset.split(',')) add(candidate.trim().split(/\s+/)[0], 'image', 'html');
          if (attribs.background !== undefined) add(attribs.background, 'image', 'html');
          if (name === 'video' && attribs.poster !== undefined) add(attribs.poster, 'image', 'html');
          if (attribs.style !== undefined) css(attribs.style);
        },
        ontext(data) {
          if (inStyle) css(data);
        },
        onclosetag(name) {
          if (name === 'style') inStyle = false;
        },
      },
      { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
    );
    parser.write(html);
    parser.end();
  }
  if (text) {
    for (const m of text.matchAll(TEXT_URL)) add(trimTrailing(m[0]), 'link', 'text');
  }
  return [...found.values()];
}

/** `https://x.test/a).` in prose: the closing punctuation is the sentence's, not the URL's (unless balanced). */
function trimTrailing(url: string): string {
  let end = url.length;
  let opens = 0;
  let closes = 0;
  for (const ch of url) {
    if (ch === '(') opens++;
    else if (ch === ')') closes++;
  }
  const hasBracket = url.includes('[');
  for (; end > 0; end--) {
    const last = url[end - 1]!;
    if (last === ')' && opens < closes) closes--;
    else if (!/[.,;:!?'">]/.test(last) && !(last === ']' && !hasBracket)) break;
  }
  return url.slice(0, end);
}

/** Words in a path or query that mark a link as acting on its first visit. */
const ONE_TIME_WORDS =
  /(?:^|[^a-z])(unsubscribe|unsub|opt-?out|optout|confirm(?:ation)?|verify|verification|validate|activate|activation|reset|password|passwd|magic-?link|one-?time|otp|login-?link|sign-?in-?link|invite|invitation|accept|approve|decline|reject|rsvp|cancel|revoke|delete|remove|subscribe|double-?opt-?in|claim|redeem|email-?change|change-?email|token)(?:$|[^a-z])/i;
/** Query parameters that carry a secret meant to be used once. */
const ONE_TIME_PARAMS =
  /^(?:token|access_token|auth|auth_token|code|key|otp|nonce|ticket|sig|signature|hash|secret|magic|verification|confirm|confirmation_token|reset_password_token|uid|k)$/i;
/** A path segment or value this long, of this alphabet, is almost surely a generated token (32 hex = 128 bits). */
const TOKEN_LIKE = /^[A-Za-z0-9_\-.~=+%]{32,}$/;

/**
 * Why a URL looks like it acts when visited (unsubscribes, confirms, signs in, resets), or null. Errs towards
 * asking: a false alarm costs the user one click, a false pass can unsubscribe them or burn a sign-in link.
 */
export function oneTimeReason(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  const path = decodeSafe(url.pathname);
  const word = ONE_TIME_WORDS.exec(path)?.[1];
  if (word) return `its path has "${word}"`;
  for (const [name, value] of url.searchParams) {
    if (ONE_TIME_PARAMS.test(name)) return `it carries a "${name}=" parameter`;
    const inName = ONE_TIME_WORDS.exec(name)?.[1];
    if (inName) return `its query has "${inName}"`;
    const inValue = ONE_TIME_WORDS.exec(value)?.[1];
    if (inValue && value.length <= 64) return `its query has "${inValue}"`;
    if (TOKEN_LIKE.test(value) && !/^https?:/i.test(value)) return `its "${name}=" looks like a generated token`;
  }
  const segment = path.split('/').find((s) => TOKEN_LIKE.test(s) && /\d/.test(s) && /[A-Za-z]/.test(s));
  if (segment) return 'a path segment looks like a generated token';
  return null;
}

function decodeSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
