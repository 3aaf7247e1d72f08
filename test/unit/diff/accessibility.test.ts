// The accessibility lint: each rule on a small template, with the line and column of the element it names, each
// rule's passing case, and every corpus message linted without throwing.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { lintAccessibility, MAX_FINDINGS } from '../../../src-main/diff/accessibility.js';
import { contrastRatio, parseCssColor } from '../../../src-main/diff/colors.js';
import { parseBodies } from '../../../src-main/message/bodies.js';
import { CORPUS_DIR, corpusFiles } from '../../helpers/corpus.js';

const clean =
  '<!doctype html>\n<html lang="en">\n<body>\n' +
  '<table role="presentation"><tr><td style="font-size:16px;color:#222222;background-color:#ffffff">Hello</td></tr></table>\n' +
  '<img src="logo.png" alt="Shop logo">\n<img src="spacer.gif" alt="">\n' +
  '<a href="https://shop.example/orders/1">View your order</a>\n' +
  '<table><caption>Items</caption><tr><th>Item</th></tr><tr><td>Mug</td></tr></table>\n' +
  '</body>\n</html>\n';

function rules(html: string) {
  return lintAccessibility(html).findings.map((f) => ({ rule: f.rule, line: f.line, column: f.column }));
}

describe('accessibility lint', () => {
  it('finds nothing in a template that follows every rule', () => {
    expect(lintAccessibility(clean)).toEqual({ findings: [], truncated: false });
  });

  it('img without alt, with the start tag, line and column', () => {
    const html = clean.replace('<img src="spacer.gif" alt="">', '  <img src="spacer.gif" width="1">');
    const { findings } = lintAccessibility(html);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      rule: 'img-alt',
      element: '<img src="spacer.gif" width="1">',
      line: 6,
      column: 3,
    });
  });

  it('no lang on <html>, and no <html> at all', () => {
    expect(rules(clean.replace('<html lang="en">', '<html>'))).toEqual([{ rule: 'lang', line: 2, column: 1 }]);
    expect(rules('<p style="color:#000">Hi</p>')).toEqual([{ rule: 'lang', line: 1, column: 1 }]);
    expect(rules(clean.replace('<html lang="en">', '<html xml:lang="en">'))).toEqual([]);
  });

  it('layout tables without role="presentation"; data tables (th or caption) and role="none" pass', () => {
    const html = clean.replace('<table role="presentation">', '<table width="100%">');
    const { findings } = lintAccessibility(html);
    expect(findings).toMatchObject([{ rule: 'layout-table', element: '<table width="100%">', line: 4, column: 1 }]);
    expect(rules(clean.replace('role="presentation"', 'role="none"'))).toEqual([]);
    // A nested layout table inside a data table is judged on its own.
    const nested = clean.replace('<td>Mug</td>', '<td><table><tr><td>x</td></tr></table></td>');
    const line8 = nested.split('\n')[7] ?? '';
    expect(rules(nested)).toEqual([{ rule: 'layout-table', line: 8, column: line8.indexOf('<td><table>') + 5 }]);
  });

  it('text below 14 px, in px, pt, em and keywords; 14 px and up pass', () => {
    const html =
      '<html lang="en">\n<p style="font-size:12px">Tiny</p>\n<p style="font-size:14px">Fine</p>\n' +
      '<div style="font-size:9pt"><span>Nine points</span></div>\n<p style="font-size: x-small">Keyword</p>\n' +
      '<div style="font-size:20px"><span style="font-size:0.6em">Relative</span></div>\n</html>';
    const { findings } = lintAccessibility(html);
    expect(findings.map((f) => [f.rule, f.line])).toEqual([
      ['small-text', 2],
      ['small-text', 4],
      ['small-text', 5],
      ['small-text', 6],
    ]);
    expect(findings[0]?.message).toContain('12 px');
    expect(findings[1]?.element).toBe('<span> "Nine points"');
    expect(findings[3]?.message).toContain('12 px');
  });

  it('text hidden with display:none is not judged', () => {
    expect(rules('<html lang="en"><div style="display:none;font-size:1px">preheader</div></html>')).toEqual([]);
  });

  it('contrast under WCAG AA from inline colours, with inherited backgrounds and bgcolor', () => {
    const html =
      '<html lang="en">\n<td bgcolor="#ffffff"><span style="color:#aaaaaa">Pale grey</span></td>\n' +
      '<div style="background:#000 url(x.png) no-repeat"><p style="color:#333">Dark on black</p></div>\n' +
      '<div style="background-color:white"><p style="color:#767676">Just AA</p></div>\n' +
      '<div style="background-color:white"><p style="color:#949494;font-size:24px">Large text 3:1</p></div>\n' +
      '<p style="color:#aaaaaa">No background known</p>\n</html>';
    const { findings } = lintAccessibility(html);
    expect(findings.map((f) => [f.rule, f.line])).toEqual([
      ['contrast', 2],
      ['contrast', 3],
    ]);
    expect(findings[0]?.message).toMatch(/contrast 2\.3\d?:1 is under WCAG AA 4\.5:1/);
    expect(findings[0]?.element).toBe('<span> "Pale grey"');
  });

  it('link text that says nothing, and links with no text at all; alt text and aria-label count', () => {
    const html =
      '<html lang="en">\n<a href="/a">Click here</a>\n<a href="/b">Read more…</a>\n<a href="/c"><img src="x" alt=""></a>\n' +
      '<a href="/d"><img src="logo" alt="Shop home"></a>\n<a href="/e" aria-label="Read the privacy policy">here</a>\n' +
      '<p>Say <a href="/f">here</a></p>\n</html>';
    const { findings } = lintAccessibility(html);
    expect(findings.map((f) => [f.rule, f.line, f.element])).toEqual([
      ['link-text', 2, '<a href="/a">'],
      ['link-text', 3, '<a href="/b">'],
      ['link-text', 4, '<a href="/c">'],
      ['link-text', 7, '<a href="/f">'],
    ]);
    expect(findings[2]?.message).toContain('without text');
  });

  it('caps the findings and says so', () => {
    const html = '<html lang="en">' + '<img src="x">'.repeat(MAX_FINDINGS + 10) + '</html>';
    const out = lintAccessibility(html);
    expect(out.findings).toHaveLength(MAX_FINDINGS);
    expect(out.truncated).toBe(true);
  });

  it('reads colours as templates write them, and the WCAG ratio', () => {
    expect(parseCssColor('#FFF')).toEqual({ r: 255, g: 255, b: 255 });
    expect(parseCssColor('rgb(0, 128, 255)')).toEqual({ r: 0, g: 128, b: 255 });
    expect(parseCssColor('rgba(0,0,0,0.5)')).toBeNull();
    expect(parseCssColor('var(--x)')).toBeNull();
    expect(contrastRatio({ r: 0, g: 0, b: 0 }, { r: 255, g: 255, b: 255 })).toBeCloseTo(21, 5);
  });

  it.skipIf(!fs.existsSync(CORPUS_DIR))('lints every corpus message without throwing', async () => {
    for (const file of corpusFiles()) {
      const { html } = await parseBodies(fs.readFileSync(file));
      if (html === null) continue;
      const out = lintAccessibility(html);
      for (const f of out.findings) {
        expect(f.line).toBeGreaterThanOrEqual(1);
        expect(f.column).toBeGreaterThanOrEqual(1);
      }
    }
  });
});
