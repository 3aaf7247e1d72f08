// disarmMarkup: the plain-text renames that take away what acts outside CSP, whatever spelling the sender chose.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { disarmMarkup } from '../../../src-main/message/preview-markup.js';

/** What a browser would still read as one of the attributes or frame tags; disarmMarkup must leave none. */
const LIVE_ATTRIBUTE = (names: string) => new RegExp(`[\\s/"'](?:${names})\\s*=`, 'i');
const LIVE_FRAME = /<\/?i?frame[\s/>]/i;
/** The target disarmMarkup itself gives every link, right after the tag name. */
const OUR_TARGET = /(<(?:a|area)) target="_blank"/gi;
const withoutOurTargets = (html: string) => html.replace(OUR_TARGET, '$1');

describe('disarmMarkup', () => {
  it('renames every separator and whitespace spelling a browser accepts', () => {
    const html = [
      '<link\trel\n=\fpreconnect href=//x.test>',
      '<link/rel=preconnect href=//x.test>',
      '<link href="//x.test"rel=preconnect>',
      "<link href='//x.test'REL='dns-prefetch'>",
      '<a href=?remote=1 TARGET = _self>go</a>',
      '<meta\r\nhttp-equiv=refresh content="0;url=//x.test">',
      '<IFRAME/src=//x.test></IFRAME >',
      '<frameset><frame src=//x.test></frameset>',
    ].join('');
    const out = disarmMarkup(html, false);
    expect(withoutOurTargets(out)).not.toMatch(LIVE_ATTRIBUTE('rel|target|http-equiv'));
    expect(out).not.toMatch(LIVE_FRAME);
    expect(out).toContain('<link\tdata-mailwright-rel\n=\fpreconnect');
    expect(out).toContain('<mailwright-IFRAME/src=//x.test></mailwright-IFRAME >');
    expect(out).toContain('<frameset><mailwright-frame src=//x.test></frameset>');
  });

  it('sends every link, HTML or SVG, to a new window', () => {
    expect(
      disarmMarkup('<A href=x>1</A><a/href=y><svg><a href=z><text>3</text></a></svg><map><area href=w></map>', false),
    ).toBe(
      '<A target="_blank" href=x>1</A><a target="_blank"/href=y><svg><a target="_blank" href=z><text>3</text></a></svg><map><area target="_blank" href=w></map>',
    );
  });

  it('leaves words that are not attribute names alone', () => {
    const html = '<p data-rel="a" coral=1>the rel of it, a target, http-equiv</p><iframes><framed><abbr><address>';
    expect(disarmMarkup(html, false)).toBe(html);
  });

  it('keeps rel once remote content is allowed, and renames target, http-equiv and frames still', () => {
    const out = disarmMarkup(
      '<link rel=stylesheet href=//x.test/a.css><a target=_top><meta http-equiv=refresh><iframe>',
      true,
    );
    expect(out).toBe(
      '<link rel=stylesheet href=//x.test/a.css><a target="_blank" data-mailwright-target=_top><meta data-mailwright-http-equiv=refresh><mailwright-iframe>',
    );
  });

  it('leaves no live rel, target, http-equiv or frame in any mix of the pieces they are spelled with', () => {
    const piece = fc.constantFrom(
      '<',
      '</',
      '>',
      '/',
      '=',
      ' ',
      '\t',
      '\n',
      '"',
      "'",
      'rel',
      'REL',
      'target',
      'http-equiv',
      'iframe',
      'Frame',
      'link',
      'a',
      'area',
      'data-',
      'mailwright-',
      '-',
      'x',
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }), fc.boolean(), (pieces, allowRemote) => {
        const out = disarmMarkup(pieces.join(''), allowRemote);
        // Every link start tag gets our target first, and no other live target (or the rest) survives.
        for (const link of out.matchAll(/<(?:a|area)(?=[\s/>])/gi))
          expect(out.startsWith(' target="_blank"', link.index + link[0].length)).toBe(true);
        expect(withoutOurTargets(out)).not.toMatch(
          LIVE_ATTRIBUTE(allowRemote ? 'target|http-equiv' : 'rel|target|http-equiv'),
        );
        expect(out).not.toMatch(LIVE_FRAME);
      }),
      { numRuns: 5000 },
    );
  });
});
