// HTML client compatibility from caniemail's bundled data (offline): each unsupported or partly supported feature
// per client, with its place in the HTML source, caniemail's notes and the feature's page; and a score.
// Must not import electron, serve/ or another capability's folder.
import { caniemail, rawData } from 'caniemail';
import type { CompatFinding, CompatReport } from '../../../src-shared/contract/checks.js';

/** What the score counts a partly supported feature as: it works, with caveats the notes list. */
const PARTIAL_WEIGHT = 0.5;

export const SCORE_EXPLAINED =
  'For each chosen client: the features this HTML uses that some client lacks are counted; each one the client ' +
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

/** Every finding for every client; the chosen clients are applied later, so one cached run serves any choice. */
export function compatFindings(html: string): CompatFinding[] {
  const result = caniemail({ clients: ['*'], html });
  const out: CompatFinding[] = [];
  type Issues = (typeof result.issues)['errors'];
  const add = (kind: 'none' | 'partial', map: Issues): void => {
    for (const [client, issues] of map) {
      for (const issue of issues)
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
  add('none', result.issues.errors);
  add('partial', result.issues.warnings);
  return out;
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
  const features = new Set(findings.map((f) => f.feature));
  const chosen = new Set(clients);
  const perClient = clients.map((client) => {
    const mine = findings.filter((f) => f.client === client);
    const unsupported = new Set(mine.filter((f) => f.support === 'none').map((f) => f.feature));
    const partial = new Set(
      mine.filter((f) => f.support === 'partial' && !unsupported.has(f.feature)).map((f) => f.feature),
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
    findings: findings.filter((f) => chosen.has(f.client)),
  };
}
