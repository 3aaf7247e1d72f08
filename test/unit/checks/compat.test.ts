// The compatibility scan checks each distinct element once and copies its findings to every place it occurs:
// the findings must be the ones caniemail gives for the whole HTML, at the places in the source.
import { caniemail } from 'caniemail';
import { describe, expect, it } from 'vitest';
import { compatFindings } from '../../../src-main/checks/compat/compat.js';

const ROW = '<tr><td style="border-radius:4px;display:flex"><a href="#top">top</a></td></tr>\n';
const HTML =
  '<html><head>\n<title>t</title>\n<style>\n  .a { display: flex; }\n</style></head><body><table>\n' +
  ROW.repeat(3) +
  '<tr><td style="border-radius:4px;display:flex" width="1"><a href="mailto:x@example.com">mail</a></td></tr>\n' +
  '</table></body></html>';

describe('compatFindings', () => {
  it("gives caniemail's findings for every occurrence of a repeated element", () => {
    const mine = compatFindings(HTML, ['outlook.windows', 'gmail.android']);
    const theirs = caniemail({ clients: ['outlook.windows', 'gmail.android'], html: HTML });
    const count = (list: { client: string; feature: string }[]) => list.map((f) => `${f.client}|${f.feature}`).sort();
    const expected = [...theirs.issues.errors, ...theirs.issues.warnings].flatMap(([client, issues]) =>
      issues.map((i) => ({ client, feature: i.title })),
    );
    expect(count(mine)).toEqual(count(expected));
    // Each row's td is on its own line (6 to 9), at column 5.
    const radius = mine.filter((f) => f.client === 'outlook.windows' && f.feature === 'border-radius');
    expect(radius.map((f) => [f.line, f.column])).toEqual([
      [6, 5],
      [7, 5],
      [8, 5],
      [9, 5],
    ]);
  });

  it('places style sheet findings in the HTML source, not from the start of the sheet', () => {
    const flex = compatFindings(HTML, ['outlook.windows']).filter(
      (f) => f.feature === 'display:flex' && f.line !== null && f.line < 6,
    );
    // `  .a { display: flex; }` is line 4 of the HTML; the declaration starts at column 8.
    expect(flex.map((f) => [f.line, f.column])).toEqual([[4, 8]]);
  });

  it('survives nesting deeper than the call stack allows recursion', () => {
    const deep = '<div>'.repeat(20_000) + '<td style="border-radius:2px">x</td>' + '</div>'.repeat(20_000);
    const found = compatFindings(deep, ['outlook.windows']);
    expect(found.some((f) => f.feature === 'border-radius')).toBe(true);
  });
});
