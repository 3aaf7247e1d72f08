// Item-by-item comparisons: header fields, envelope fields, links, images and attachments. Each pairs the items
// of side A with those of side B and reports what was added, removed or changed.
import type { Envelope, HeaderField, ItemChange } from '../../src-shared/index.js';
import type { HtmlImage, HtmlLink } from './html-read.js';

/** Headers that differ on every send of the same message: left out unless the user asks to see them. */
const VOLATILE_HEADERS = new Set(['date', 'message-id', 'received', 'x-received']);

/**
 * Header values as compared: with volatile parts ignored, the DKIM signature's b= value (it signs the Date and
 * Message-ID) and MIME boundary parameters (random per send) are blanked; the rest of those fields still counts.
 */
export function comparableHeader(key: string, value: string, ignoreVolatile: boolean): string | null {
  const name = key.toLowerCase();
  if (!ignoreVolatile) return value;
  if (VOLATILE_HEADERS.has(name)) return null;
  if (name === 'dkim-signature') return value.replace(/(^|;)(\s*b\s*=)[^;]*/i, '$1$2…');
  if (name === 'content-type') return value.replace(/(;\s*boundary\s*=\s*)("[^"]*"|[^;\s]*)/i, '$1…');
  return value;
}

export function diffHeaders(
  a: readonly HeaderField[],
  b: readonly HeaderField[],
  ignoreVolatile: boolean,
): ItemChange[] {
  const group = (fields: readonly HeaderField[]): Map<string, { key: string; values: string[] }> => {
    const out = new Map<string, { key: string; values: string[] }>();
    for (const f of fields) {
      const value = comparableHeader(f.key, f.value, ignoreVolatile);
      if (value === null) continue;
      const name = f.key.toLowerCase();
      const entry = out.get(name) ?? { key: f.key, values: [] };
      entry.values.push(value);
      out.set(name, entry);
    }
    return out;
  };
  const left = group(a);
  const right = group(b);
  const changes: ItemChange[] = [];
  for (const name of new Set([...left.keys(), ...right.keys()])) {
    const l = left.get(name);
    const r = right.get(name);
    const label = l?.key ?? r!.key;
    const lv = l?.values ?? [];
    const rv = r?.values ?? [];
    for (let i = 0; i < Math.max(lv.length, rv.length); i++) {
      const x = lv[i] ?? null;
      const y = rv[i] ?? null;
      if (x === y) continue;
      changes.push({ kind: x === null ? 'added' : y === null ? 'removed' : 'changed', label, a: x, b: y });
    }
  }
  return changes;
}

export function diffEnvelopes(a: Envelope, b: Envelope, ignoreVolatile: boolean): ItemChange[] {
  const fields: Array<[string, (e: Envelope) => string]> = [
    ['MAIL FROM', (e) => e.mailFrom || '<>'],
    ['RCPT TO', (e) => e.rcptTo.join(', ')],
    ['HELO', (e) => e.heloName],
    ['Client address', (e) => e.clientAddress],
    ['TLS', (e) => (e.tls ? `${e.tls.protocol} ${e.tls.cipher}` : 'none')],
    ['AUTH user', (e) => e.authUser ?? 'none'],
    ['Listener', (e) => e.listener],
  ];
  // A new connection gets a new source port every time.
  if (!ignoreVolatile) fields.push(['Client port', (e) => String(e.clientPort)]);
  return fields.flatMap(([label, read]) => {
    const x = read(a);
    const y = read(b);
    return x === y ? [] : [{ kind: 'changed' as const, label, a: x, b: y }];
  });
}

// Parameters that only say which campaign, click or recipient a link came from; the destination is the same.
const TRACKING_PARAMS =
  /^(utm_.*|gclid|gbraid|wbraid|fbclid|dclid|msclkid|yclid|igshid|mc_cid|mc_eid|_hsenc|_hsmi|mkt_tok|_ga|_gl|vero_id|vero_conv|oly_enc_id|oly_anon_id|rb_clickid|s_cid|ck_subscriber_id)$/i;

/** The URL as compared: tracking parameters removed when asked. A string that is not a URL stays as written. */
export function comparableUrl(href: string, ignoreTracking: boolean): string {
  if (!ignoreTracking || !href.includes('?')) return href;
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return href;
  }
  for (const name of [...url.searchParams.keys()]) if (TRACKING_PARAMS.test(name)) url.searchParams.delete(name);
  return url.toString();
}

/**
 * Pairs links by their text (the k-th "Shop now" of A with the k-th of B), then by destination, then by position
 * among what is left. A pair is a change when its destination differs; text alone shows in the text sections.
 */
export function diffLinks(a: readonly HtmlLink[], b: readonly HtmlLink[], ignoreTracking: boolean): ItemChange[] {
  const href = (l: HtmlLink): string => comparableUrl(l.href, ignoreTracking);
  const pairs = pairItems(a, b, [(l, k) => `${l.text}\u0000${k}`, (l, k) => `${href(l)}\u0000${k}`]);
  const label = (l: HtmlLink): string => l.text || '(no text)';
  return pairs.flatMap(([x, y]): ItemChange[] => {
    if (x && y) {
      if (href(x) === href(y)) return [];
      return [
        { kind: 'changed', label: x.text === y.text ? label(x) : `${label(x)} → ${label(y)}`, a: x.href, b: y.href },
      ];
    }
    if (x) return [{ kind: 'removed', label: label(x), a: x.href, b: null }];
    return [{ kind: 'added', label: label(y!), a: null, b: y!.href }];
  });
}

/** Images pair by source, then by alt text, then by position; a pair is a change when its source or alt differs. */
export function diffImages(a: readonly HtmlImage[], b: readonly HtmlImage[]): ItemChange[] {
  const pairs = pairItems(a, b, [(i, k) => `${i.src}\u0000${k}`, (i, k) => `${i.alt ?? ''}\u0000${k}`]);
  const show = (i: HtmlImage): string => `${i.src} (alt: ${i.alt === null ? 'none' : JSON.stringify(i.alt)})`;
  const label = (i: HtmlImage): string => (i.alt ? `image "${i.alt}"` : 'image');
  return pairs.flatMap(([x, y]): ItemChange[] => {
    if (x && y)
      return x.src === y.src && x.alt === y.alt ? [] : [{ kind: 'changed', label: label(x), a: show(x), b: show(y) }];
    if (x) return [{ kind: 'removed', label: label(x), a: show(x), b: null }];
    return [{ kind: 'added', label: label(y!), a: null, b: show(y!) }];
  });
}

export interface AttachmentFacts {
  name: string;
  contentType: string;
  size: number;
  sha256: string;
}

export function diffAttachments(a: readonly AttachmentFacts[], b: readonly AttachmentFacts[]): ItemChange[] {
  const pairs = pairItems(a, b, [(x, k) => `${x.name}\u0000${k}`, (x, k) => `${x.sha256}\u0000${k}`]);
  const show = (x: AttachmentFacts): string => `${x.contentType}, ${x.size} bytes, sha256 ${x.sha256}`;
  return pairs.flatMap(([x, y]): ItemChange[] => {
    if (x && y) {
      if (show(x) === show(y) && x.name === y.name) return [];
      return [{ kind: 'changed', label: x.name === y.name ? x.name : `${x.name} → ${y.name}`, a: show(x), b: show(y) }];
    }
    if (x) return [{ kind: 'removed', label: x.name, a: show(x), b: null }];
    return [{ kind: 'added', label: y!.name, a: null, b: show(y!) }];
  });
}

type KeyOf<T> = (item: T, occurrence: number) => string;

/**
 * Pairs items of two lists in rounds: each round keys the items still unpaired (with the occurrence number of
 * that key, so repeated items pair in order) and pairs equal keys; what is left pairs by position. The result
 * keeps B's order, with A's unpaired items where they stood.
 */
function pairItems<T>(a: readonly T[], b: readonly T[], rounds: ReadonlyArray<KeyOf<T>>): Array<[T | null, T | null]> {
  const partnerOfB = new Array<number>(b.length).fill(-1);
  const pairedA = new Array<boolean>(a.length).fill(false);
  const keyed = (list: readonly T[], taken: (i: number) => boolean, key: KeyOf<T>): Map<string, number> => {
    const seen = new Map<string, number>();
    const out = new Map<string, number>();
    list.forEach((item, i) => {
      if (taken(i)) return;
      const base = key(item, 0);
      const n = seen.get(base) ?? 0;
      seen.set(base, n + 1);
      out.set(key(item, n), i);
    });
    return out;
  };
  for (const key of rounds) {
    const left = keyed(a, (i) => pairedA[i]!, key);
    const right = keyed(b, (i) => partnerOfB[i]! >= 0, key);
    for (const [k, j] of right) {
      const i = left.get(k);
      if (i === undefined) continue;
      partnerOfB[j] = i;
      pairedA[i] = true;
    }
  }
  const restA = a.map((_, i) => i).filter((i) => !pairedA[i]);
  const restB = b.map((_, j) => j).filter((j) => partnerOfB[j]! < 0);
  for (let k = 0; k < Math.min(restA.length, restB.length); k++) {
    partnerOfB[restB[k]!] = restA[k]!;
    pairedA[restA[k]!] = true;
  }
  const out: Array<[T | null, T | null]> = [];
  let nextA = 0;
  const flushA = (upTo: number): void => {
    for (; nextA < upTo; nextA++) if (!pairedA[nextA]) out.push([a[nextA]!, null]);
  };
  b.forEach((item, j) => {
    const i = partnerOfB[j]!;
    if (i >= 0) flushA(i);
    out.push([i >= 0 ? a[i]! : null, item]);
  });
  flushA(a.length);
  return out;
}
