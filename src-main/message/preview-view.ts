// The designer preview's views of one document: the template's own dark CSS applied, a forced colour inversion, and
// images blocked. The preview frame is a sandboxed cross-origin document, so the app cannot set its media features
// (Chromium gives such a frame the app's own prefers-color-scheme, whatever the frame element's color-scheme says);
// the dark view is therefore served as a variant where `(prefers-color-scheme: dark)` holds and `light` does not.
// Screenshots need none of this: Playwright emulates the media feature itself (render/chromium.ts).
import type { PreviewView } from '../../src-shared/index.js';

// Always true and always false media features, valid wherever a `(prefers-color-scheme: …)` feature can stand:
// inside `not`, `and`, `or` and comma lists alike.
const ALWAYS = '(min-width: 0px)';
const NEVER = '(max-width: -1px)';

/**
 * A plain-text pass, like preview-markup.ts: the feature is found wherever a browser reads it (<style>, media=
 * on <source> and <link>, @import). Prose that spells the feature in parentheses would change too, which is rare
 * and visible, not unsafe.
 */
export function emulateDarkScheme(html: string): string {
  return html.replace(/\(\s*prefers-color-scheme\s*:\s*(dark|light)\s*\)/gi, (_m, scheme: string) =>
    scheme.toLowerCase() === 'dark' ? ALWAYS : NEVER,
  );
}

/** A template that declares it supports dark (`color-scheme: light dark`, in a meta or in CSS). */
function declaresDark(html: string): boolean {
  return /color-scheme["']?\s*(?:content\s*=\s*["']|:)[^"';>}]*\bdark\b/i.test(html);
}

/**
 * Styles and policy changes for a view, put into the preview's head before the sender's markup. The inversion is
 * on <body> over a black root rather than on the root itself: Chromium paints the root's background on the
 * canvas, outside any filter on the root, so a white page would stay white under inverted text; a black root
 * reads as an inverted white page, and any background of the body is inverted with it. Images and video are
 * inverted back, so they keep their colours, as clients that force dark do; close, not exact, since each
 * hue-rotate clamps saturated colours (a red of 220,20,20 comes back as about 166,60,60).
 */
export function viewStyles(html: string, view: PreviewView): string {
  const rules: string[] = [];
  if (view.scheme === 'dark' && declaresDark(html)) rules.push(':root{color-scheme:dark!important}');
  if (view.scheme === 'inverted')
    rules.push(
      'html{background-color:#000!important}',
      'body{filter:invert(1) hue-rotate(180deg)!important}',
      'img,video{filter:invert(1) hue-rotate(180deg)!important}',
    );
  // The outline shows where each blocked image sits; Chromium draws the alt text inside the box.
  if (view.images === 'off') rules.push('img{outline:1px dashed #9aa0a6!important;outline-offset:-1px}');
  return rules.length ? `<style data-mailwright-view="${view.scheme}-${view.images}">${rules.join('')}</style>` : '';
}

/** With images off, no image loads at all (inline ones and CSS backgrounds included), so the alt text shows. */
export function imagesOffPolicy(csp: string): string {
  return csp.replace(/img-src [^;]*/, "img-src 'none'");
}
