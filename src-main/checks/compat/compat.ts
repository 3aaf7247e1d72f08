// HTML client compatibility from caniemail's bundled data (offline): each unsupported or partly supported feature
// per client, with its place in the HTML source, caniemail's notes and the feature's page; and a score.
// Must not import electron, serve/ or another capability's folder.
import { caniemail, rawData } from 'caniemail';
import { ElementType, parseDocument } from 'htmlparser2';
import type { CompatFinding, CompatReport } from '../../../src-shared/contract/checks.js';

/** What the score counts a partly supported feature as: it works, with caveats the notes list. */
const PARTIAL_WEIGHT = 0.5;

export const SCORE_EXPLAINED =
  'For each chosen client: the features this HTML uses that some chosen client lacks are counted; each one the client ' +
  `does not support costs a full share and each partly supported one costs ${PARTIAL_WEIGHT} of a share. ` +
  'The score is the average over the chosen clients of 100 × (1 − cost ÷ features), so 100 means every client ' +
  'supports everything the message uses.';

const FEATURES = (
  rawData as unknown as { data: { title: string; url: string; stats: Record<string, Record<string, unknown>> }[] }
).data;
const FEATURE_URLS = new Map<string, string>(FEATURES.map((f) => [f.title.toLowerCase(), f.url]));

/** Every `family.platform` caniemail has test results for, sorted. */
export const CLIENT_NAMES: readonly string[] = [
  ...new Set(
    FEATURES.flatMap((f) =>
      Object.entries(f.stats).flatMap(([family, p]) => Object.keys(p).map((x) => `${family}.${x}`)),
    ),
  ),
].sort();

/**
 * Every finding for the given clients (caniemail names, see expandClients).
 *
 * caniemail checks every element against every client on its own, so a 100 KB newsletter (hundreds of rows built
 * from the same few tags and inline styles) cost it ~150 ms. What it finds for an element depends only on that
 * element's tag and attributes, so each distinct element is checked once: the HTML is parsed here, once, every
 * distinct start tag goes on its own line of a small document that caniemail checks in one call, and each of its
 * findings is copied to every place that element occurs. Each distinct `<style>` sheet is checked once as CSS,
 * and its findings are placed in the HTML source (caniemail alone counts from the start of the sheet).
 */
export function compatFindings(html: string, clients: readonly string[]): CompatFinding[] {
  if (clients.length === 0) return [];
  const globs = [...clients] as CaniemailClients;
  const scan = distinctElements(html);
  // A tag or attribute name that cannot be written back as it was read: caniemail checks the HTML as it is.
  if (!scan) return sorted(fromIssues(caniemail({ clients: globs, html }).issues), clients);
  const lines = lineStarts(html);
  const out: CompatFinding[] = [];
  if (scan.fragments.length) {
    // Line 1 opens the wrapper (so caniemail walks every fragment, <style> too); fragment i is on line i + 2.
    const doc = `<${WRAPPER}>\n${scan.fragments.join('\n')}\n</${WRAPPER}>`;
    const byLine = new Map<number, CompatFinding[]>();
    for (const f of fromIssues(caniemail({ clients: globs, html: doc }).issues)) {
      if (f.line === null || f.line < 2) continue;
      const list = byLine.get(f.line) ?? [];
      list.push(f);
      byLine.set(f.line, list);
    }
    for (const { fragment, start } of scan.occurrences) {
      const found = byLine.get(fragment + 2);
      if (!found) continue;
      const at = position(lines, start);
      for (const f of found) out.push({ ...f, line: at.line, column: at.column });
    }
  }
  const sheets = new Map<string, CompatFinding[]>();
  for (const { css, start } of scan.sheets) {
    let found = sheets.get(css);
    if (!found) {
      found = fromIssues(caniemail({ clients: globs, css }).issues);
      sheets.set(css, found);
    }
    const at = position(lines, start);
    for (const f of found)
      out.push(
        f.line === null || f.column === null
          ? f
          : { ...f, line: at.line + f.line - 1, column: f.line === 1 ? at.column + f.column - 1 : f.column },
      );
  }
  return sorted(out, clients);
}

type CaniemailClients = Parameters<typeof caniemail>[0]['clients'];
type Issues = ReturnType<typeof caniemail>['issues'];

function fromIssues(issues: Issues): CompatFinding[] {
  const out: CompatFinding[] = [];
  const add = (kind: 'none' | 'partial', map: Issues['errors']): void => {
    for (const [client, list] of map) {
      for (const issue of list)
        out.push({
          client,
          feature: issue.title,
          support: kind,
          line: issue.position?.start.line ?? null,
          column: issue.position?.start.column ?? null,
          notes: issue.notes,
          url: FEATURE_URLS.get(issue.title.toLowerCase()) ?? null,
        });
    }
  };
  add('none', issues.errors);
  add('partial', issues.warnings);
  return out;
}

/** Unsupported before partial, then by client (in the order asked), then by place in the source. */
function sorted(findings: CompatFinding[], clients: readonly string[]): CompatFinding[] {
  const rank = new Map(clients.map((c, i) => [c, i]));
  const key = (f: CompatFinding): number[] => [
    f.support === 'none' ? 0 : 1,
    rank.get(f.client) ?? clients.length,
    f.line ?? 0,
    f.column ?? 0,
  ];
  return findings
    .map((f) => ({ f, k: key(f) }))
    .sort((a, b) => cmp(a.k, b.k))
    .map(({ f }) => f);
}

function cmp(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

/** An element name caniemail knows nothing of, to hold the fragments. */
const WRAPPER = 'mailwright-fragments';
/** htmlparser2's void elements: their end tag would be read as another element (`</br>` is a `<br>`). */
const VOID = new Set([
  'area',
  'base',
  'basefont',
  'br',
  'col',
  'command',
  'embed',
  'frame',
  'hr',
  'img',
  'input',
  'isindex',
  'keygen',
  'link',
  'meta',
  'param',
  'source',
  'track',
  'wbr',
]);
/** Names that can be written back into a start tag unchanged. */
const NAME = /^[^\s"'>/=\u0000]+$/;

interface Scan {
  /** Each distinct element as a one-line start tag (and its end tag). */
  fragments: string[];
  /** Every element caniemail would visit: which fragment it is and where its start tag begins. */
  occurrences: { fragment: number; start: number }[];
  /** Every <style> sheet, with where its text begins. */
  sheets: { css: string; start: number }[];
}

type DomNode = ReturnType<typeof parseDocument>['children'][number];
type DomElement = Extract<DomNode, { attribs: Record<string, string> }>;

/**
 * The elements caniemail visits (top-level tags, and the tags and <style> elements inside them) and every <style>
 * sheet, parsed with caniemail's own options; null when a name could not be written back.
 */
function distinctElements(html: string): Scan | null {
  const document = parseDocument(html, { withStartIndices: true, withEndIndices: true });
  const index = new Map<string, number>();
  const scan: Scan = { fragments: [], occurrences: [], sheets: [] };
  // Depth-first, in document order, without recursion (deeply nested markup must not overflow the stack).
  const stack: { node: DomNode; visit: boolean }[] = [];
  for (let i = document.children.length - 1; i >= 0; i--)
    stack.push({ node: document.children[i]!, visit: document.children[i]!.type === ElementType.Tag });
  while (stack.length) {
    const { node, visit } = stack.pop()!;
    if (node.type === ElementType.Style) {
      const text = node.children[0];
      if (text && 'data' in text && text.data && text.startIndex !== null)
        scan.sheets.push({ css: text.data, start: text.startIndex });
    }
    if (visit) {
      const el = node as DomElement;
      if (!NAME.test(el.name)) return null;
      let tag = `<${el.name}`;
      for (const [name, value] of Object.entries(el.attribs)) {
        if (!NAME.test(name)) return null;
        tag += ` ${name}="${value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;')}"`;
      }
      tag += VOID.has(el.name) ? '>' : `></${el.name}>`;
      let fragment = index.get(tag);
      if (fragment === undefined) {
        fragment = scan.fragments.push(tag) - 1;
        index.set(tag, fragment);
      }
      scan.occurrences.push({ fragment, start: el.startIndex ?? 0 });
    }
    if ('children' in node) {
      const children = node.children;
      for (let i = children.length - 1; i >= 0; i--) {
        const child = children[i]!;
        // caniemail walks into tags and <style> below the top level; it finds sheets anywhere.
        const walks = visit && (child.type === ElementType.Tag || child.type === ElementType.Style);
        if (walks || 'children' in child) stack.push({ node: child, visit: walks });
      }
    }
  }
  return scan;
}

/** Offsets where each line starts (caniemail counts lines at \n, \r\n included). */
function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/** 1-based line and column of an offset. */
function position(starts: number[], offset: number): { line: number; column: number } {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - starts[lo]! + 1 };
}

/** caniemail's client names matching the globs; an unknown glob matches nothing. */
export function expandClients(globs: readonly string[]): string[] {
  const patterns = globs.map(
    (g) =>
      new RegExp(
        `^${g
          .toLowerCase()
          .replace(/[.+?^${}()|[\]\\]/g, '\\$&')
          .replace(/\*/g, '[^.]*')}$`,
      ),
  );
  return CLIENT_NAMES.filter((c) => patterns.some((p) => p.test(c)));
}

export function compatReport(findings: CompatFinding[] | null, globs: readonly string[]): CompatReport {
  const clients = expandClients(globs);
  if (findings === null)
    return {
      checked: false,
      clients,
      score: null,
      scoreExplained: 'The message has no HTML part.',
      perClient: [],
      findings: [],
    };
  const chosen = new Set(clients);
  const mine = findings.filter((f) => chosen.has(f.client));
  // Only the chosen clients count, so the score does not depend on which other clients a cached run covered.
  const features = new Set(mine.map((f) => f.feature));
  const perClient = clients.map((client) => {
    const own = mine.filter((f) => f.client === client);
    const unsupported = new Set(own.filter((f) => f.support === 'none').map((f) => f.feature));
    const partial = new Set(
      own.filter((f) => f.support === 'partial' && !unsupported.has(f.feature)).map((f) => f.feature),
    );
    const cost = unsupported.size + PARTIAL_WEIGHT * partial.size;
    const score = features.size === 0 ? 100 : Math.round(100 * (1 - cost / features.size));
    return { client, score, unsupported: unsupported.size, partial: partial.size };
  });
  const score = perClient.length ? Math.round(perClient.reduce((sum, c) => sum + c.score, 0) / perClient.length) : null;
  return {
    checked: true,
    clients,
    score,
    scoreExplained: SCORE_EXPLAINED,
    perClient,
    findings: mine,
  };
}
