// renderPreview: the CSP, the head we insert, cid: inlining and the tags neutralised outside CSP.
import { describe, expect, it } from 'vitest';
import { renderPreview } from '../../../src-main/message/index.js';
import { countRemoteResources } from '../../../src-main/message/html-scan.js';
import { previewPolicy } from '../../../src-main/message/preview.js';
import { corpus, corpusFiles, fixture } from './helpers.js';

function directives(csp: string): Map<string, string[]> {
  return new Map(
    csp.split(';').map((d) => {
      const [name = '', ...values] = d.trim().split(/\s+/);
      return [name, values];
    }),
  );
}

function remoteFixture(host: string): Buffer {
  return Buffer.from(fixture('remote-resources.eml').toString('latin1').replaceAll('REMOTE', host), 'latin1');
}

describe('preview CSP', () => {
  it.each([false, true])('locks scripts, forms, frames and connections (allowRemote=%s)', (allowRemote) => {
    const d = directives(previewPolicy(allowRemote));
    expect(d.get('sandbox')).toEqual(['allow-popups', 'allow-popups-to-escape-sandbox']);
    expect(d.get('default-src')).toEqual(["'none'"]);
    expect(d.get('script-src')).toEqual(["'none'"]);
    for (const name of ['form-action', 'base-uri', 'frame-src', 'connect-src', 'object-src'])
      expect(d.get(name), name).toEqual(["'none'"]);
    expect(d.get('style-src')).toContain("'unsafe-inline'");
    const csp = previewPolicy(allowRemote);
    expect(csp).not.toMatch(/allow-scripts|allow-same-origin|unsafe-eval|script-src[^;]*unsafe-inline/);
  });

  it('allows remote images and fonts only when asked', () => {
    const off = directives(previewPolicy(false));
    const on = directives(previewPolicy(true));
    for (const name of ['img-src', 'font-src', 'media-src']) {
      expect(off.get(name), name).toEqual(['data:']);
      expect(on.get(name), name).toEqual(['data:', 'http:', 'https:']);
    }
    expect(off.get('style-src')).toEqual(["'unsafe-inline'", 'data:']);
  });
});

describe('renderPreview', () => {
  it('puts the CSP meta and <base target=_blank> first and keeps the hostile document otherwise as sent (xss-script.eml)', async () => {
    const doc = await renderPreview(corpus('hostile/xss-script.eml'), { allowRemote: false });
    expect(doc.csp).toBe(previewPolicy(false));
    expect(doc.html.startsWith('<meta http-equiv="Content-Security-Policy" content="sandbox ')).toBe(true);
    expect(doc.html.indexOf('<meta charset="utf-8">')).toBeLessThan(1024);
    const metaContent = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/
      .exec(doc.html)?.[1]
      ?.replaceAll('&#39;', "'");
    expect(metaContent).toBe(doc.csp);
    expect(doc.html.indexOf('<base target="_blank">')).toBeLessThan(doc.html.indexOf('<html>'));
    // faithful: the CSP is the defence, not regex surgery
    expect(doc.html).toContain("<script>window.parent.postMessage('pwned-script','*')");
  });

  it('rewrites cid: images to data: URLs of the inline part (inline-attachment.eml)', async () => {
    const doc = await renderPreview(corpus('mailpit/inline-attachment.eml'), { allowRemote: false });
    expect(doc.html).not.toContain('cid:');
    expect(doc.html).toContain('<img src="data:image/png;base64,iVBORw0KGgo');
  });

  it('rewrites cid: in CSS url() and resolves %-encoded and differently-cased ids', async () => {
    const raw = Buffer.from(
      [
        'Subject: cid forms',
        'Content-Type: multipart/related; boundary="r"',
        '',
        '--r',
        'Content-Type: text/html',
        '',
        '<div style="background:url(cid:Logo%40Example.test)"></div><table background="cid:logo@example.test"></table><img src="cid:missing@x">',
        '--r',
        'Content-Type: image/gif',
        'Content-ID: <logo@example.test>',
        'Content-Transfer-Encoding: base64',
        '',
        'R0lGODlhAQABAAAAACw=',
        '--r--',
        '',
      ].join('\r\n'),
    );
    const doc = await renderPreview(raw, { allowRemote: false });
    expect(doc.html).toContain('url(data:image/gif;base64,R0lGODlhAQABAAAAACw=)');
    expect(doc.html).toContain('background="data:image/gif;base64,R0lGODlhAQABAAAAACw="');
    expect(doc.html).toContain('src="cid:missing@x"');
  });

  it('keeps a doctype first so the page does not drop into quirks mode', async () => {
    const doc = await renderPreview(remoteFixture('tracker.example.test'), { allowRemote: true });
    expect(doc.html.startsWith('<!DOCTYPE html><meta http-equiv="Content-Security-Policy"')).toBe(true);
  });

  it('neutralises meta refresh always and link relations unless remote content is allowed', async () => {
    const raw = remoteFixture('tracker.example.test');
    const blocked = await renderPreview(raw, { allowRemote: false });
    expect(blocked.html).not.toMatch(/\shttp-equiv="refresh"/i);
    expect(blocked.html).toContain(
      '<meta data-mailwright-http-equiv="refresh" content="0; url=http://tracker.example.test/refresh">',
    );
    expect(blocked.html).not.toContain(' rel="dns-prefetch"');
    expect(blocked.html).toContain('<link data-mailwright-rel="dns-prefetch" href="//tracker.example.test/">');
    expect(blocked.html).toContain('src="data:image/png;base64,');
    // what is left for CSP to block is everything the scanner still counts (it counts any <link href>), minus refresh
    expect(countRemoteResources(blocked.html)).toBe(12);
    expect(countRemoteResources(raw.toString('latin1'))).toBe(13);
    const allowed = await renderPreview(raw, { allowRemote: true });
    expect(allowed.html).not.toMatch(/\shttp-equiv="refresh"/i);
    expect(allowed.html).toContain('rel="dns-prefetch"');
    expect(directives(allowed.csp).get('img-src')).toContain('https:');
  });

  it('blocks refresh and prefetch hidden where a tag scanner and a browser disagree', async () => {
    const html = [
      '<!-- a --!><meta HTTP-EQUIV = "Refresh" content="0;url=http://x.test/1">',
      '<svg><title><meta http-equiv=refresh content="0;url=http://x.test/2"></title></svg>',
      '<!-- b --!><link rel="dns&#45;prefetch" href="//x.test/">',
      '<p>text that says http-equiv stays</p>',
    ].join('\n');
    const raw = Buffer.from(`Content-Type: text/html\r\n\r\n${html}\r\n`);
    const doc = await renderPreview(raw, { allowRemote: false });
    const body = doc.html.slice(doc.html.indexOf('<base target="_blank">'));
    expect(body).not.toMatch(/\shttp-equiv\s*=/i);
    expect(body).toContain('<meta data-mailwright-HTTP-EQUIV = "Refresh"');
    expect(body).not.toMatch(/\srel\s*=/i);
    expect(body).toContain('<link data-mailwright-rel="dns&#45;prefetch" href="//x.test/">');
    expect(body).toContain('<p>text that says http-equiv stays</p>');
  });

  it('takes every rel, target and frame out of remote-hints.eml, however the markup hides them', async () => {
    const raw = fixture('remote-hints.eml');
    const sent = raw.toString('utf8');
    const blocked = await renderPreview(raw, { allowRemote: false });
    const body = blocked.html.slice(blocked.html.indexOf('<base target="_blank">') + '<base target="_blank">'.length);
    // Attribute and tag names cannot be entity-encoded: no spelling of these is left for a browser to honour.
    expect(body).not.toMatch(/[\s/"']rel\s*=/i);
    expect(body.replaceAll('<a target="_blank"', '<a')).not.toMatch(/[\s/"']target\s*=/i);
    expect(body).not.toMatch(/[\s/"']http-equiv\s*=/i);
    expect(body).not.toMatch(/<\/?i?frame[\s/>]/i);
    expect(body).toContain(
      '<svg><title><link data-mailwright-rel=preconnect href="http://REMOTE/svg-title"></title></svg>',
    );
    expect(body).toContain('<!--><link data-mailwright-rel=prefetch');
    expect(body).toContain('<link data-mailwright-REL = "icon"');
    expect(body).toContain('<a target="_blank" href="?remote=1" data-mailwright-target="_self">');
    expect(body).toContain('<svg width="200" height="30"><a target="_blank" href="http://REMOTE/svg-link">');
    expect(body).toContain('<mailwright-iframe src="http://REMOTE/iframe"></mailwright-iframe>');
    // Only names changed: the text is the sender's, character for character, once the renames are undone.
    const undone = body
      .replace(/data-mailwright-(?=rel|target|http-equiv)/gi, '')
      .replace(/(<a) target="_blank"/g, '$1')
      .replace(/(<\/?)mailwright-(?=iframe)/gi, '$1')
      .trimEnd();
    expect(undone).toBe(
      sent
        .slice(sent.indexOf('<!DOCTYPE html>') + '<!DOCTYPE html>'.length)
        .replace(/\r\n/g, '\n')
        .trimEnd(),
    );

    // With remote content allowed the sender's links and hints stay (stylesheets need rel); frames and targets never do.
    const allowed = await renderPreview(raw, { allowRemote: true });
    expect(allowed.html).toContain('<link rel=preconnect href="http://REMOTE/svg-title">');
    expect(allowed.html).toContain('<a target="_blank" href="?remote=1" data-mailwright-target="_self">');
    expect(allowed.html).not.toMatch(/<iframe[\s/>]/i);
  });

  it('finds a doctype behind comments, and survives thousands of unclosed comments before one', async () => {
    const html = (body: string): Buffer => Buffer.from(`Content-Type: text/html\r\n\r\n${body}\r\n`);
    const behindComments = await renderPreview(html('\uFEFF <!-- a --> <!--> <!DOCTYPE html><p>x'), {
      allowRemote: false,
    });
    expect(behindComments.html).toMatch(
      /^\uFEFF <!-- a --> <!--> <!DOCTYPE html><meta http-equiv="Content-Security-Policy"/,
    );
    const hostile = await renderPreview(html(`${'<!--'.repeat(5000)}<!doctype html>`), { allowRemote: false });
    expect(hostile.html.startsWith('<meta http-equiv="Content-Security-Policy"')).toBe(true);
  });

  it('renders a text-only message as escaped <pre> in a minimal document', async () => {
    const raw = Buffer.from('Subject: t\r\n\r\n<script>alert(1)</script> & "quotes"\r\n');
    const doc = await renderPreview(raw, { allowRemote: false });
    expect(doc.html).toMatch(
      /^<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" content="sandbox [^"]*"><meta charset="utf-8">/,
    );
    expect(doc.html).toContain('<pre>&#60;script&#62;alert(1)&#60;/script&#62; &#38; &#34;quotes&#34;\n</pre>');
    expect(doc.html).not.toContain('<script>');
  });

  it('renders every corpus message with a CSP that forbids scripts', async () => {
    for (const [name, raw] of corpusFiles()) {
      for (const allowRemote of [false, true]) {
        const doc = await renderPreview(raw, { allowRemote });
        const d = directives(doc.csp);
        expect(d.has('sandbox'), name).toBe(true);
        expect(d.get('script-src'), name).toEqual(["'none'"]);
        expect(doc.html, name).toContain('<meta http-equiv="Content-Security-Policy"');
        expect(doc.html, name).toContain('<base target="_blank">');
      }
    }
  });

  it('bounds the data: URLs written for one image referenced many times', async () => {
    const big = Buffer.alloc(256 * 1024, 1).toString('base64');
    const refs = '<img src="cid:a@x">'.repeat(200);
    const raw = Buffer.from(
      `Content-Type: multipart/related; boundary="r"\r\n\r\n--r\r\nContent-Type: text/html\r\n\r\n${refs}\r\n--r\r\nContent-Type: image/png\r\nContent-ID: <a@x>\r\nContent-Transfer-Encoding: base64\r\n\r\n${big}\r\n--r--\r\n`,
    );
    const doc = await renderPreview(raw, { allowRemote: false });
    const inlined = doc.html.split('data:image/png;base64,').length - 1;
    expect(inlined).toBeGreaterThan(0);
    expect(inlined).toBeLessThan(200);
    expect(doc.html.length).toBeLessThan(21 * 1024 * 1024 + refs.length);
  });
});
