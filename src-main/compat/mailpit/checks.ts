// Mailpit's link-check and html-check shapes (internal/linkcheck and internal/htmlcheck structs in Mailpit v1.30),
// mapped from the checks capability's link report and compatibility report. Shape mapping only.
import { Parser } from 'htmlparser2';
import type { CompatReport, LinkReport } from '../../../src-shared/contract/checks.js';

export interface MailpitLinkCheck {
  Errors: number;
  Links: { URL: string; StatusCode: number; Status: string }[];
}

/**
 * Mailpit counts a link as an error when its status is 0 or 400 and above. A one-time link Mailwright would not
 * fetch has status 0 with the reason, but is not an error: it was not checked, so nothing is known to be wrong.
 */
export function linkCheckShape(report: LinkReport): MailpitLinkCheck {
  const Links = report.links.map((l) => ({
    URL: l.url,
    StatusCode: l.status !== null && l.state !== 'confirm' && l.state !== 'refused' ? l.status : 0,
    Status:
      l.state === 'ok' || l.state === 'broken'
        ? (l.statusText ?? '')
        : l.state === 'confirm'
          ? `Not checked: ${l.oneTime ?? 'looks one-time'} (confirm it in Mailwright's Links tab)`
          : (l.detail ?? l.state),
  }));
  return {
    Errors: report.links.filter((l) => l.state === 'broken' || l.state === 'error' || l.state === 'refused').length,
    Links,
  };
}

type Support = 'yes' | 'no' | 'partial';

export interface MailpitHtmlCheck {
  Platforms: Record<string, string[]>;
  Total: { Nodes: number; Partial: number; Supported: number; Tests: number; Unsupported: number };
  Warnings: {
    Slug: string;
    Title: string;
    Description: string;
    URL: string;
    Category: 'css' | 'html';
    Tags: string[];
    Keywords: string;
    Results: {
      Name: string;
      Platform: string;
      Family: string;
      Version: string;
      Support: Support;
      NoteNumber: string;
    }[];
    NotesByNumber: Record<string, string>;
    Score: { Found: number; Supported: number; Partial: number; Unsupported: number };
  }[];
}

/** Elements Mailpit counts as the document's nodes (`*:not(html):not(head):not(meta)`). */
export function countNodes(html: string): number {
  let nodes = 0;
  const parser = new Parser({
    onopentag(name) {
      if (name !== 'html' && name !== 'head' && name !== 'meta') nodes++;
    },
  });
  parser.write(html);
  parser.end();
  return nodes;
}

/**
 * One warning per caniemail feature the HTML uses that some client lacks, with a result per client checked
 * (Mailwright's data is per client and platform, so Version is empty). The totals are Mailpit's: each warning
 * weighs its share of unsupported and partial clients by how often it occurs among the document's nodes, and the
 * worst weight of each kind is the total.
 */
export function htmlCheckShape(report: CompatReport, nodes: number): MailpitHtmlCheck {
  const Platforms: Record<string, string[]> = {};
  for (const client of report.clients) {
    const [family = client, platform = ''] = client.split('.');
    (Platforms[family] ??= []).push(platform);
  }
  const byFeature = new Map<string, typeof report.findings>();
  for (const f of report.findings) byFeature.set(f.feature, [...(byFeature.get(f.feature) ?? []), f]);
  const round = (n: number): number => Math.round(n * 100) / 100;
  let partialTotal = 0;
  let unsupportedTotal = 0;
  const Warnings: MailpitHtmlCheck['Warnings'] = [];
  for (const [feature, findings] of byFeature) {
    const url = findings.find((f) => f.url)?.url ?? '';
    const slug = /\/features\/([^/]+)\/?$/.exec(url)?.[1] ?? feature.toLowerCase().replace(/[^a-z0-9]+/g, '-');
    const notes = [...new Set(findings.flatMap((f) => f.notes))];
    const NotesByNumber = Object.fromEntries(notes.map((n, i) => [String(i + 1), n]));
    const Results = report.clients.map((client) => {
      const [family = client, platform = ''] = client.split('.');
      const mine = findings.filter((f) => f.client === client);
      const support: Support = mine.some((f) => f.support === 'none') ? 'no' : mine.length ? 'partial' : 'yes';
      const note = mine.flatMap((f) => f.notes)[0];
      return {
        Name: `${family} ${platform}`.trim(),
        Platform: platform,
        Family: family,
        Version: '',
        Support: support,
        NoteNumber: support === 'partial' && note ? String(notes.indexOf(note) + 1) : '',
      };
    });
    const count = (s: Support) => Results.filter((r) => r.Support === s).length;
    const total = Results.length || 1;
    const found = new Set(findings.map((f) => `${f.line ?? ''}:${f.column ?? ''}`)).size;
    const Score = {
      Found: found,
      Supported: round((count('yes') / total) * 100),
      Partial: round((count('partial') / total) * 100),
      Unsupported: round((count('no') / total) * 100),
    };
    if (nodes > 0) {
      partialTotal = Math.max(partialTotal, (Score.Partial * found) / nodes);
      unsupportedTotal = Math.max(unsupportedTotal, (Score.Unsupported * found) / nodes);
    }
    Warnings.push({
      Slug: slug,
      Title: feature,
      Description: '',
      URL: url,
      Category: slug.startsWith('css-') ? 'css' : 'html',
      Tags: [],
      Keywords: '',
      Results,
      NotesByNumber,
      Score,
    });
  }
  const weight = (w: MailpitHtmlCheck['Warnings'][number]): number =>
    nodes > 0 ? ((w.Score.Unsupported + w.Score.Partial) * w.Score.Found) / nodes : 0;
  Warnings.sort((a, b) => weight(b) - weight(a));
  return {
    Platforms,
    Total: {
      Nodes: nodes,
      Tests: Warnings.length,
      Supported: round(100 - partialTotal - unsupportedTotal),
      Partial: round(partialTotal),
      Unsupported: round(unsupportedTotal),
    },
    Warnings,
  };
}
