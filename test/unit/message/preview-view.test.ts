// The designer preview's views: the template's dark CSS made to apply, the forced inversion's styles, images off
// in the policy, and the default preview unchanged.
import { describe, expect, it } from 'vitest';
import { renderPreview } from '../../../src-main/message/preview.js';
import { emulateDarkScheme, viewStyles } from '../../../src-main/message/preview-view.js';

const message = (html: string): Buffer =>
  Buffer.from(`Subject: t\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n${html}\r\n`);

describe('preview views', () => {
  it('makes prefers-color-scheme: dark hold and light fail, wherever a media query is written', () => {
    const css =
      '<style>@media (prefers-color-scheme: dark){a{}} @media screen and ( Prefers-Color-Scheme : LIGHT ){b{}}</style>' +
      '<picture><source srcset="d.png" media="(prefers-color-scheme: dark)"><img src="l.png" alt=""></picture>';
    expect(emulateDarkScheme(css)).toBe(
      '<style>@media (min-width: 0px){a{}} @media screen and (max-width: -1px){b{}}</style>' +
        '<picture><source srcset="d.png" media="(min-width: 0px)"><img src="l.png" alt=""></picture>',
    );
  });

  it('gives a template that declares dark support the dark canvas, and no other', () => {
    expect(viewStyles('<meta name="color-scheme" content="light dark">', { scheme: 'dark', images: 'on' })).toContain(
      ':root{color-scheme:dark!important}',
    );
    expect(viewStyles(':root { color-scheme: light dark; }', { scheme: 'dark', images: 'on' })).toContain(
      'color-scheme:dark',
    );
    expect(viewStyles('<p>plain</p>', { scheme: 'dark', images: 'on' })).toBe('');
    expect(viewStyles('<p>plain</p>', { scheme: 'light', images: 'on' })).toBe('');
  });

  it('inverts the body over a black root and inverts images back', () => {
    const styles = viewStyles('<p>x</p>', { scheme: 'inverted', images: 'on' });
    expect(styles).toContain('html{background-color:#000!important}');
    expect(styles).toContain('body{filter:invert(1) hue-rotate(180deg)!important}');
    expect(styles).toContain('img,video{filter:invert(1) hue-rotate(180deg)!important}');
  });

  it('serves the view: dark variant, inversion and images off in the policy; the plain preview as before', async () => {
    const raw = message(
      '<html><head><style>@media (prefers-color-scheme: dark){body{color:#fff}}</style></head><body><img src="data:image/png;base64,AA==" alt="Logo"></body></html>',
    );
    const plain = await renderPreview(raw, { allowRemote: false });
    expect(plain.html).toContain('prefers-color-scheme: dark');
    expect(plain.html).not.toContain('data-mailwright-view');
    expect(plain.csp).toContain('img-src data:');

    const dark = await renderPreview(raw, { allowRemote: false, view: { scheme: 'dark', images: 'off' } });
    expect(dark.html).toContain('@media (min-width: 0px){body{color:#fff}}');
    expect(dark.csp).toContain("img-src 'none'");
    expect(dark.html).toContain('data-mailwright-view="dark-off"');
    // The view's style comes after the CSP meta, before anything the sender wrote.
    expect(dark.html.indexOf('Content-Security-Policy')).toBeLessThan(dark.html.indexOf('data-mailwright-view'));
    expect(dark.html.indexOf('data-mailwright-view')).toBeLessThan(dark.html.indexOf('<html>'));

    const inverted = await renderPreview(raw, { allowRemote: false, view: { scheme: 'inverted', images: 'on' } });
    expect(inverted.html).toContain('prefers-color-scheme: dark');
    expect(inverted.html).toContain('hue-rotate(180deg)');
    expect(inverted.csp).toBe(plain.csp);
  });
});
