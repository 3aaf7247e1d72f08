// The HTML scanner behind remoteResources and the preview's tag edits, including hostile markup.
import { describe, expect, it } from 'vitest';
import {
  countRemoteResources,
  cssUrls,
  isRemoteUrl,
  scanHtml,
  type HtmlTag,
} from '../../../src-main/message/html-scan.js';

describe('isRemoteUrl', () => {
  it.each([
    ['http://x.test/a', true],
    ['HTTPS://x.test/a', true],
    ['//x.test/a', true],
    ['\\\\x.test/a', true],
    [' \thttp://x.test', true],
    ['ht\ntp://x.test', true],
    ['data:image/png;base64,AA', false],
    ['cid:a@b', false],
    ['/local.png', false],
    ['javascript:alert(1)', false],
  ])('%j -> %s', (url, remote) => {
    expect(isRemoteUrl(url)).toBe(remote);
  });
});

describe('scanHtml', () => {
  it('reports start tags with decoded attributes and exact offsets', () => {
    const html = '<p>x</p><IMG SRC="http://a.test/&amp;b" alt=1><br/>';
    const tags: HtmlTag[] = [];
    scanHtml(html, { tag: (t) => tags.push(t) });
    expect(tags.map((t) => t.name)).toEqual(['p', 'img', 'br']);
    const img = tags[1]!;
    expect(img.attribs.get('src')).toBe('http://a.test/&b');
    expect(html.slice(img.start, img.end)).toBe('<IMG SRC="http://a.test/&amp;b" alt=1>');
    expect(html.slice(tags[2]!.start, tags[2]!.end)).toBe('<br/>');
  });

  it('hands <style> text to the visitor, closed or not', () => {
    const seen: string[] = [];
    scanHtml('<style>a{background:url(x.png)}</style><style>b{}', { style: (css) => seen.push(css) });
    expect(seen).toEqual(['a{background:url(x.png)}', 'b{}']);
  });
});

describe('countRemoteResources', () => {
  it('finds remote URLs in every loading context and ignores links, data: and cid:', () => {
    const html = [
      '<img src="http://a.test/1"><img src="data:image/png;base64,AA"><img src="cid:x@y">',
      '<a href="http://a.test/link">not a resource</a>',
      '<svg><image href="https://a.test/2"/><use xlink:href="//a.test/3#i"/></svg>',
      '<audio src="http://a.test/4"></audio><iframe src="http://a.test/5"></iframe><object data="http://a.test/6"></object>',
      '<img srcset="http://a.test/7 1x, //a.test/8 2x">',
      `<style>@import url("http://a.test/9"); @import 'http://a.test/10';</style>`,
      '<img src="http://a.test/1">',
    ].join('');
    expect(countRemoteResources(html)).toBe(10);
  });

  it('stays correct on hostile, unclosed CSS and markup', () => {
    expect(cssUrls(`${'url('.repeat(100_000)}url(http://a.test/x)`)).toContain('http://a.test/x');
    expect(countRemoteResources(`<p style="${"url('".repeat(50_000)}">`)).toBe(0);
    expect(countRemoteResources(`${'<b>'.repeat(200_000)}<img src="http://a.test/deep">`)).toBe(1);
    expect(countRemoteResources(`<a${' a'.repeat(200_000)}`)).toBe(0);
  });
});
