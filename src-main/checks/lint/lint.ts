// The built-in deliverability lint: offline rules of thumb that mailbox providers publish or that bulk senders
// learn the hard way. It is lint, not a spam score: each finding says why it matters and how to fix it.
// Must not import electron, serve/ or another capability's folder.
import type { LintFinding } from '../../../src-shared/contract/checks.js';
import { scanHtml } from '../../message/html-scan.js';
import { stripHtml } from '../../message/index.js';
import { aligned } from '../auth/alignment.js';
import type { ParsedForChecks } from '../parsed.js';

/** Gmail clips an HTML body past ~102 KB behind "View entire message" (and hides what follows, unsubscribe included). */
const GMAIL_CLIP_BYTES = 102 * 1024;
/** Many providers refuse messages over 10-25 MB; past 10 MB a test message is worth a second look. */
const HUGE_MESSAGE_BYTES = 10 * 1024 * 1024;
/** Fewer visible characters per image than this reads as an image-only mail to filters. */
const MIN_TEXT_CHARS_PER_IMAGE = 100;
/** Text and HTML sharing less than this share of words say different things. */
const MIN_TEXT_HTML_OVERLAP = 0.3;
/** A subject needs this many letters before its case says anything. */
const MIN_SUBJECT_LETTERS = 10;
/** Share of capitals above which a subject reads as shouting. */
const SHOUTING_SHARE = 0.6;
/** Anchors looked at for mismatched text; a newsletter has dozens, not thousands. */
const MAX_ANCHORS = 2000;

const SHORTENERS = new Set([
  'bit.ly',
  'tinyurl.com',
  't.co',
  'goo.gl',
  'ow.ly',
  'is.gd',
  'buff.ly',
  'rebrand.ly',
  'cutt.ly',
  'shorturl.at',
  'tiny.cc',
  'rb.gy',
  'bl.ink',
  't.ly',
  's.id',
]);

export interface LintContext {
  /** d= of every DKIM signature that passed (from the authentication check). */
  dkimPassDomains: string[];
}

export function lintMessage(m: ParsedForChecks, ctx: LintContext): LintFinding[] {
  const out: LintFinding[] = [];
  const add = (f: LintFinding): void => void out.push(f);

  if (m.problem)
    add({
      id: 'unparseable-mime',
      severity: 'error',
      title: 'The MIME structure is broken',
      reason: m.problem,
      fix: 'Build the message with a MIME library (nodemailer, Python email) instead of by hand.',
    });
  if (!m.header('date'))
    add({
      id: 'missing-date',
      severity: 'error',
      title: 'No Date header',
      reason:
        'RFC 5322 requires a Date; Gmail and others score undated mail as suspicious and some servers add a wrong one.',
      fix: 'Set Date to the time of sending (most mail libraries do this by default).',
    });
  if (!m.header('message-id'))
    add({
      id: 'missing-message-id',
      severity: 'error',
      title: 'No Message-ID header',
      reason: 'Gmail rejects or files mail without a Message-ID; threading and bounce matching rely on it.',
      fix: 'Generate a unique Message-ID on your own domain: <random@your-domain>.',
    });
  if (!m.header('mime-version') && (m.header('content-type') || m.html))
    add({
      id: 'missing-mime-version',
      severity: 'warning',
      title: 'No MIME-Version header',
      reason: 'A MIME message without "MIME-Version: 1.0" may be shown as raw text and is a common spam-filter rule.',
      fix: 'Add "MIME-Version: 1.0".',
    });
  if (m.headerCount('from') === 0 || m.fromAddresses.length === 0)
    add({
      id: 'missing-from',
      severity: 'error',
      title: 'No From address',
      reason: 'Every provider rejects or spam-folders mail without a From address, and DMARC cannot apply.',
      fix: 'Set From to an address on a domain you authenticate.',
    });
  else if (m.fromAddresses.length > 1)
    add({
      id: 'multiple-from',
      severity: 'error',
      title: 'More than one From address',
      reason: 'Gmail rejects messages whose From names several mailboxes (DMARC cannot pick a domain).',
      fix: 'Use one From address; put the others in Reply-To or Cc.',
    });
  if (!m.subject.trim())
    add({
      id: 'missing-subject',
      severity: 'warning',
      title: 'Empty subject',
      reason: 'Mail without a subject is more often filed as spam and is hard to find for the reader.',
      fix: 'Give the message a short, specific subject.',
    });
  lintSubject(m.subject, add);

  const html = m.html;
  const text = m.text?.trim() ? m.text : null;
  if (html && !text)
    add({
      id: 'html-without-text',
      severity: 'warning',
      title: 'HTML with no text alternative',
      reason: 'Filters score HTML-only mail higher, and text-only clients and screen readers show nothing useful.',
      fix: 'Send multipart/alternative with a text/plain version of the same content.',
    });
  const visible = html ? stripHtml(html).replace(/\s+/g, ' ').trim() : '';
  if (html && text) {
    const overlap = wordOverlap(text, visible);
    if (overlap < MIN_TEXT_HTML_OVERLAP)
      add({
        id: 'text-html-mismatch',
        severity: 'warning',
        title: 'The text and HTML versions disagree',
        reason: `Only ${Math.round(overlap * 100)}% of their words are shared; filters treat a text part that says something else as a disguise.`,
        fix: 'Generate the text part from the same content as the HTML.',
      });
  }
  if (html) lintHtml(html, visible, add);

  const size = m.raw.length;
  if (size > HUGE_MESSAGE_BYTES)
    add({
      id: 'huge-message',
      severity: 'warning',
      title: `The message is ${(size / 1024 / 1024).toFixed(1)} MB`,
      reason: 'Many servers refuse messages over 10-25 MB, and large mail is slow on mobile connections.',
      fix: 'Link to large files instead of attaching them.',
    });
  if (html && Buffer.byteLength(html) > GMAIL_CLIP_BYTES)
    add({
      id: 'gmail-clipping',
      severity: 'warning',
      title: `The HTML is ${Math.round(Buffer.byteLength(html) / 1024)} KB`,
      reason:
        'Gmail clips HTML past about 102 KB behind "View entire message", hiding the end (often the unsubscribe link).',
      fix: 'Trim the markup: inline CSS once, drop comments and unused styles, or shorten the content.',
    });

  lintBulk(m, html, text, add);

  const fromDomain = domainOf(m.fromAddresses[0] ?? '');
  if (
    fromDomain &&
    ctx.dkimPassDomains.length > 0 &&
    !ctx.dkimPassDomains.some((d) => aligned(fromDomain, d, 'relaxed'))
  )
    add({
      id: 'from-dkim-misaligned',
      severity: 'warning',
      title: 'The From domain is not the DKIM signing domain',
      reason: `DKIM is signed by ${ctx.dkimPassDomains.join(', ')}, not ${fromDomain}; DMARC then depends on SPF alone and fails through forwarding.`,
      fix: `Sign with d=${fromDomain} (or a subdomain of it).`,
    });
  else if (fromDomain && ctx.dkimPassDomains.length === 0)
    add({
      id: 'no-dkim',
      severity: 'warning',
      title: 'No valid DKIM signature',
      reason:
        'Gmail and Yahoo require bulk senders to sign with DKIM; unsigned mail loses reputation and fails DMARC on forwarding.',
      fix: `Sign outgoing mail with a key published under a selector at ${fromDomain}.`,
    });

  const replyTo = m.header('reply-to');
  const replyDomain = replyTo ? domainOf(/[^\s<>,"]+@[^\s<>,"]+/.exec(replyTo)?.[0] ?? '') : '';
  if (fromDomain && replyDomain && !aligned(fromDomain, replyDomain, 'relaxed'))
    add({
      id: 'reply-to-other-domain',
      severity: 'info',
      title: 'Reply-To is on another domain',
      reason: `Replies go to ${replyDomain}, not ${fromDomain}: legitimate for help desks, but a classic phishing pattern too.`,
      fix: 'Make sure this is intended.',
    });
  return out;
}

function lintSubject(subject: string, add: (f: LintFinding) => void): void {
  const letters = subject.replace(/[^\p{L}]/gu, '');
  const upper = subject.replace(/[^\p{Lu}]/gu, '');
  if (letters.length >= MIN_SUBJECT_LETTERS && upper.length / letters.length > SHOUTING_SHARE)
    add({
      id: 'shouting-subject',
      severity: 'warning',
      title: 'The subject is in capitals',
      reason:
        'A subject mostly in capitals is a long-standing spam rule (SpamAssassin SUBJ_ALL_CAPS) and reads as shouting.',
      fix: 'Write the subject in sentence case.',
    });
  if (/[!?]{3,}|\$\$\$/.test(subject))
    add({
      id: 'subject-punctuation',
      severity: 'info',
      title: 'Runs of !, ? or $ in the subject',
      reason: 'Repeated punctuation in subjects is a common spam-filter rule.',
      fix: 'Use at most one exclamation mark.',
    });
}

function lintHtml(html: string, visible: string, add: (f: LintFinding) => void): void {
  let images = 0;
  let imagesWithoutAlt = 0;
  let scripts = 0;
  let forms = 0;
  let insecure = 0;
  const shortened = new Set<string>();
  scanHtml(html, {
    tag(tag) {
      if (tag.name === 'img') {
        images++;
        if (!tag.attribs.has('alt')) imagesWithoutAlt++;
        if (/^\s*http:\/\//i.test(tag.attribs.get('src') ?? '')) insecure++;
      } else if (tag.name === 'script') scripts++;
      else if (tag.name === 'form') forms++;
      else if (tag.name === 'a') {
        const host = hostOf(tag.attribs.get('href') ?? '');
        if (host && SHORTENERS.has(host)) shortened.add(host);
      }
    },
  });
  if (images > 0 && visible.length / images < MIN_TEXT_CHARS_PER_IMAGE)
    add({
      id: 'image-heavy',
      severity: 'warning',
      title: `${images} image${images === 1 ? '' : 's'} and ${visible.length} characters of text`,
      reason:
        'Mail that is mostly images is a spam signal, and with images off (the default in many clients) it shows nothing.',
      fix: 'Put the message in live text; keep images for illustration.',
    });
  if (imagesWithoutAlt > 0)
    add({
      id: 'image-without-alt',
      severity: 'info',
      title: `${imagesWithoutAlt} image${imagesWithoutAlt === 1 ? '' : 's'} without alt text`,
      reason: 'With images blocked or a screen reader, an image without alt says nothing.',
      fix: 'Give every image an alt attribute (alt="" for decoration).',
    });
  if (insecure > 0)
    add({
      id: 'insecure-images',
      severity: 'info',
      title: `${insecure} image${insecure === 1 ? '' : 's'} over plain http`,
      reason: 'Some clients refuse or warn about http images; the image host sees the reader unencrypted.',
      fix: 'Serve images over https.',
    });
  if (scripts > 0 || forms > 0)
    add({
      id: 'script-or-form',
      severity: 'warning',
      title: scripts > 0 ? 'The HTML contains <script>' : 'The HTML contains a <form>',
      reason: 'No mail client runs scripts, and filters score scripts and forms as phishing signals.',
      fix: 'Remove scripts; link to a web page instead of embedding a form.',
    });
  if (shortened.size > 0)
    add({
      id: 'url-shortener',
      severity: 'warning',
      title: `Links through ${[...shortened].join(', ')}`,
      reason: 'Shortened links hide the destination and are shared with spammers, so their domains sit on blocklists.',
      fix: 'Link to your own domain (with your own redirect if you need tracking).',
    });
  const mismatched = mismatchedLinks(html);
  if (mismatched.length > 0)
    add({
      id: 'link-text-domain',
      severity: 'warning',
      title: 'Link text shows a different domain than the link goes to',
      reason: `${mismatched.slice(0, 3).join('; ')}${mismatched.length > 3 ? ` and ${mismatched.length - 3} more` : ''}. This is the signature of phishing and filters score it.`,
      fix: 'Make the visible URL the real destination, or use words instead of a URL as link text.',
    });
}

/** Anchors whose text looks like a URL or domain on another organizational domain than the href. */
function mismatchedLinks(html: string): string[] {
  const out: string[] = [];
  const anchor = /<a\b([^>]{0,4000})>([^<]{0,500})<\/a\s*>/gi;
  let match: RegExpExecArray | null;
  let seen = 0;
  while ((match = anchor.exec(html)) !== null && seen++ < MAX_ANCHORS) {
    const href = /\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/i.exec(match[1] ?? '');
    const target = hostOf(href?.[1] ?? href?.[2] ?? href?.[3] ?? '');
    const text = (match[2] ?? '').trim();
    const shown = /^(?:https?:\/\/)?((?:[a-z0-9-]+\.)+[a-z]{2,})(?:[/:?#]\S*)?$/i.exec(text)?.[1]?.toLowerCase();
    if (target && shown && !aligned(shown, target, 'relaxed')) out.push(`"${text.slice(0, 60)}" goes to ${target}`);
  }
  return out;
}

function lintBulk(m: ParsedForChecks, html: string | null, text: string | null, add: (f: LintFinding) => void): void {
  const precedence = (m.header('precedence') ?? '').toLowerCase();
  const mentionsUnsubscribe = /unsubscribe|abmelden|désinscri|desinscri/i.test(`${html ?? ''}\n${text ?? ''}`);
  const bulk = Boolean(m.header('list-id')) || /bulk|list/.test(precedence) || mentionsUnsubscribe;
  if (!bulk) return;
  const listUnsubscribe = m.header('list-unsubscribe');
  if (!listUnsubscribe)
    add({
      id: 'missing-list-unsubscribe',
      severity: 'error',
      title: 'Bulk-looking mail without List-Unsubscribe',
      reason:
        'Gmail and Yahoo require bulk senders (since 2024) to offer one-click unsubscribe in the headers, not only in the body.',
      fix: 'Add List-Unsubscribe: <https://…/unsubscribe?id=…>, <mailto:…> and List-Unsubscribe-Post: List-Unsubscribe=One-Click.',
    });
  else if (!/one-click/i.test(m.header('list-unsubscribe-post') ?? ''))
    add({
      id: 'missing-list-unsubscribe-post',
      severity: 'warning',
      title: 'List-Unsubscribe without List-Unsubscribe-Post',
      reason:
        'One-click unsubscribe (RFC 8058) needs "List-Unsubscribe-Post: List-Unsubscribe=One-Click" and an https URL.',
      fix: 'Add List-Unsubscribe-Post: List-Unsubscribe=One-Click and answer POST on the https URL.',
    });
  else if (!/<https:/i.test(listUnsubscribe))
    add({
      id: 'list-unsubscribe-no-https',
      severity: 'warning',
      title: 'List-Unsubscribe has no https URL',
      reason: 'One-click unsubscribe (RFC 8058) works only with an https URL.',
      fix: 'Add <https://…> to List-Unsubscribe.',
    });
}

/** Share of the smaller text's distinct words that also occur in the other. */
function wordOverlap(a: string, b: string): number {
  const words = (s: string): Set<string> => new Set(s.toLowerCase().match(/[\p{L}\p{N}]{3,}/gu) ?? []);
  const wa = words(a);
  const wb = words(b);
  const [small, large] = wa.size <= wb.size ? [wa, wb] : [wb, wa];
  if (small.size === 0) return large.size === 0 ? 1 : 0;
  let shared = 0;
  for (const w of small) if (large.has(w)) shared++;
  return shared / small.size;
}

function hostOf(url: string): string | null {
  try {
    const u = new URL(url.trim());
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.hostname.toLowerCase() : null;
  } catch {
    return null;
  }
}

function domainOf(address: string): string {
  const at = address.lastIndexOf('@');
  return at >= 0 ? address.slice(at + 1).toLowerCase() : '';
}
