// The checks capability: authentication, deliverability lint, SpamAssassin, client compatibility and DSN reading
// of captured messages, and the domain tool. Every lookup goes through one resolver (dns/); offline results are
// cached per message (repository.ts) so the inbox badges never run a check.
// Must not import electron, serve/ or another capability's folder.
import { MailwrightError, type ChecksSettings, type MessageChecks, type checksVerbs } from '../../src-shared/index.js';
import { MAX_LINKS, type LinkReport } from '../../src-shared/contract/checks.js';
import type { CompatFinding } from '../../src-shared/contract/checks.js';
import type { Capability, CapabilityDeps } from '../core/capability.js';
import { authenticateMessage, type AuthInput } from './auth/authenticate.js';
import { checkDomain } from './auth/domain-check.js';
import { verifyAddress } from './address/address.js';
import { checkBlocklists, linkDomains, lookupTarget } from './blocklists/blocklists.js';
import { CLIENT_NAMES, compatFindings, compatReport, expandClients } from './compat/compat.js';
import { DnsResolver, parseServer } from './dns/resolver.js';
import { readDsn } from './dsn/dsn.js';
import { lintMessage } from './lint/lint.js';
import { checkLinks } from './links/check.js';
import { extractUrls } from './links/extract.js';
import { VERSION } from '../core/version.js';
import { parseForChecks } from './parsed.js';
import { ChecksRepository, CHECKS_MIGRATIONS, type StoredBadges } from './repository.js';
import { checksRoutes } from './routes.js';
import { parseSpamdAddress, spamReport } from './spam/spamc.js';

/** What is cached per message: compatibility for the clients it was run for (the setting's, when cached). */
interface CachedChecks extends Omit<MessageChecks, 'compat'> {
  compatFindings: CompatFinding[] | null;
  /** caniemail client names the findings cover. */
  compatClients: string[];
}

/** Candidates read when linking a DSN to its original by subject; more is a mailing-list storm, not a bounce. */
const MAX_ORIGINAL_CANDIDATES = 50;

export function setupChecks(deps: CapabilityDeps): Capability<keyof typeof checksVerbs> {
  const repo = new ChecksRepository(deps.sql);
  const current = (): ChecksSettings => deps.settings.section('checks');
  const resolvers = new Map<string, DnsResolver>();
  const unsubscribe: (() => void)[] = [];
  /** Tidying started by delete events: badge reads wait for it, failures are reported. */
  const background = new Set<Promise<void>>();

  function inBackground(what: string, work: () => Promise<void>): void {
    const done: Promise<void> = work()
      .catch((err: unknown) => deps.reportProblem(`[checks] ${what}: ${(err as Error).message}`))
      .finally(() => background.delete(done));
    background.add(done);
  }

  /** One resolver (and so one cache) per server list and timeout. */
  function resolverFor(servers = current().dnsServers, timeoutMs = current().dnsTimeoutMs): DnsResolver {
    const key = `${servers.join(',')}|${timeoutMs}`;
    let r = resolvers.get(key);
    if (!r) {
      try {
        r = new DnsResolver({ servers, timeoutMs });
      } catch (err) {
        throw new MailwrightError('invalid_argument', (err as Error).message, 'dnsServers');
      }
      resolvers.set(key, r);
    }
    return r;
  }

  /** The message's bytes, or not_found naming the id. */
  async function raw(id: number): Promise<Buffer> {
    try {
      return await deps.store.raw(id);
    } catch {
      throw new MailwrightError('not_found', `message ${id} not found`, 'id');
    }
  }

  /** Badges of the messages, after the tidying of deletes started before the call (a deleted one has none). */
  async function badges(ids: readonly number[]): Promise<StoredBadges[]> {
    await Promise.all([...background]);
    return repo.badges(ids);
  }

  async function findOriginal(messageId: string, subject: string | null): Promise<number | null> {
    if (!subject) return null;
    const page = await deps.invoke('messages.list', {
      query: `subject:"${subject.replace(/"/g, ' ').slice(0, 200)}"`,
      limit: MAX_ORIGINAL_CANDIDATES,
    });
    if (!page.ok) return null;
    for (const m of page.value.messages) {
      const head = (await raw(m.id)).subarray(0, 64 * 1024).toString('latin1');
      const end = head.search(/\r?\n\r?\n/);
      const unfolded = (end >= 0 ? head.slice(0, end) : head).replace(/\r?\n[ \t]+/g, ' ');
      if (new RegExp(`^message-id:\\s*${escape(messageId)}`, 'im').test(unfolded)) return m.id;
    }
    return null;
  }

  async function runChecks(
    id: number,
    auth: Partial<AuthInput>,
    resolver: DnsResolver,
    clients: readonly string[],
  ): Promise<CachedChecks> {
    const bytes = await raw(id);
    const detail = await deps.store.get(id);
    const env = detail.envelope;
    const input: AuthInput = {
      ip: auth.ip ?? env.clientAddress ?? '127.0.0.1',
      helo: auth.helo ?? env.heloName ?? '',
      mailFrom: auth.mailFrom ?? env.mailFrom ?? '',
    };
    const parsed = await parseForChecks(bytes);
    const authReport = await authenticateMessage(bytes, input, resolver.recorder());
    const lint = lintMessage(parsed, {
      dkimPassDomains: authReport.dkim.filter((s) => s.result === 'pass').map((s) => s.domain),
    });
    const dsn = readDsn(parsed);
    if (dsn?.originalMessageId) {
      const original = parsed.attachments.find((a) =>
        /^(message\/(global|rfc822)|text\/rfc822-headers)$/i.test(a.contentType),
      );
      const dsnSubject = original
        ? (/^subject:[ \t]*(.{1,500})$/im.exec(original.content.subarray(0, 64 * 1024).toString('utf8'))?.[1]?.trim() ??
          null)
        : null;
      dsn.originalId = await findOriginal(dsn.originalMessageId, dsnSubject);
      if (dsn.originalId === id) dsn.originalId = null;
    }
    return {
      id,
      checkedAt: new Date().toISOString(),
      parseProblem: parsed.problem,
      auth: authReport,
      lint,
      compatFindings: parsed.html ? compatFindings(parsed.html, clients) : null,
      compatClients: [...clients],
      dsn,
    };
  }

  /** The checks for the chosen clients: from the cached findings when they cover them, else compatibility alone again. */
  async function view(id: number, c: CachedChecks, globs: readonly string[]): Promise<MessageChecks> {
    const { compatFindings: cachedFindings, compatClients: covered, ...rest } = c;
    const wanted = expandClients(globs);
    let findings = cachedFindings;
    if (findings !== null && !wanted.every((client) => covered.includes(client))) {
      const parsed = await parseForChecks(await raw(id));
      findings = parsed.html ? compatFindings(parsed.html, wanted) : null;
    }
    return { ...rest, compat: compatReport(findings, globs) };
  }

  return {
    name: 'checks',
    migrations: CHECKS_MIGRATIONS,
    settings: {
      key: 'checks',
      validate(value) {
        value.dnsServers.forEach((server, i) => {
          try {
            parseServer(server);
          } catch (err) {
            throw new MailwrightError('invalid_argument', (err as Error).message, `checks.dnsServers.${i}`);
          }
        });
        try {
          parseSpamdAddress(value.spamd);
        } catch (err) {
          throw new MailwrightError('invalid_argument', (err as Error).message, 'checks.spamd');
        }
      },
      // New servers or timeout: the next check builds its resolver (and cache) afresh.
      apply: () => resolvers.clear(),
    },
    routes: checksRoutes,
    handlers: {
      'checks.message': async (a) => {
        const whatIf = a.ip !== undefined || a.helo !== undefined || a.mailFrom !== undefined;
        const customDns = a.dnsServers !== undefined || a.dnsTimeoutMs !== undefined;
        const clients = a.clients ?? current().compatClients;
        const cached = !a.refresh && !whatIf && !customDns ? await repo.read(a.id) : null;
        if (cached?.result) {
          await raw(a.id); // a deleted message's leftover row must not answer
          const stored = JSON.parse(cached.result) as Partial<CachedChecks>;
          // Rows from before compatClients was recorded covered every client.
          return view(a.id, { compatClients: CLIENT_NAMES as string[], ...stored } as CachedChecks, clients);
        }
        // A run that is cached covers the setting's clients (the badge's); a one-off run only those asked for.
        const covered = expandClients(
          whatIf || customDns ? clients : [...new Set([...current().compatClients, ...clients])],
        );
        const result = await runChecks(a.id, a, resolverFor(a.dnsServers, a.dnsTimeoutMs), covered);
        if (!whatIf && !customDns) {
          const dkim = result.auth.dkim.some((s) => s.result === 'pass')
            ? 'pass'
            : result.auth.dkim.length
              ? 'fail'
              : 'none';
          await repo.write(a.id, result.checkedAt, JSON.stringify(result), {
            dkim,
            dmarc: result.auth.dmarc.result,
            compatScore: compatReport(result.compatFindings, current().compatClients).score,
            lintErrors: result.lint.filter((f) => f.severity === 'error').length,
          });
          deps.events.emit('checks.updated', { ids: [a.id] });
        }
        return view(a.id, result, clients);
      },
      'checks.badges': async (a) => ({
        badges: (await badges(a.ids)).map((b) => ({
          ...b,
          dkim: b.dkim === 'pass' || b.dkim === 'fail' ? b.dkim : 'none',
        })),
      }),
      'checks.spam': async (a) => {
        const report = await spamReport(await raw(a.id), a.spamd ?? current().spamd);
        if (report.score !== null) {
          await repo.writeSpamScore(a.id, report.score);
          deps.events.emit('checks.updated', { ids: [a.id] });
        }
        return report;
      },
      'checks.links': async (a): Promise<LinkReport> => {
        const parsed = await parseForChecks(await raw(a.id));
        let found = extractUrls(parsed.html, parsed.text);
        if (a.only) {
          const only = new Set(a.only);
          found = found.filter((f) => only.has(f.url));
        }
        const truncated = Math.max(0, found.length - MAX_LINKS);
        const settings = current();
        const allowPrivate = a.allowPrivate ?? settings.linksAllowPrivate;
        const followRedirects = a.followRedirects ?? true;
        const links = await checkLinks(found.slice(0, MAX_LINKS), {
          resolver: resolverFor(a.dnsServers, a.dnsTimeoutMs).recorder(),
          allowPrivate,
          followRedirects,
          timeoutMs: a.timeoutMs ?? settings.linkTimeoutMs,
          confirmed: new Set(a.confirm ?? []),
          userAgent: `Mailwright/${VERSION} (link check)`,
        });
        const counts = { ok: 0, broken: 0, error: 0, refused: 0, confirm: 0 };
        for (const l of links) counts[l.state]++;
        return {
          id: a.id,
          checkedAt: new Date().toISOString(),
          allowPrivate,
          followRedirects,
          links,
          truncated,
          counts,
        };
      },
      'checks.domain': (a) =>
        checkDomain(a.domain, a.selector ?? null, resolverFor(a.dnsServers, a.dnsTimeoutMs).recorder()),
      'checks.blocklists': async (a) => {
        const bytes = await raw(a.id);
        const detail = await deps.store.get(a.id);
        const parsed = await parseForChecks(bytes);
        return checkBlocklists(
          {
            ip: a.ip ?? detail.envelope.clientAddress ?? null,
            domains: linkDomains(parsed.html, parsed.text),
            ipZones: current().ipBlocklists,
            domainZones: current().domainBlocklists,
          },
          resolverFor(a.dnsServers, a.dnsTimeoutMs).recorder(),
        );
      },
      'checks.blocklistLookup': (a) => {
        let target: ReturnType<typeof lookupTarget>;
        try {
          target = lookupTarget(a.target);
        } catch (err) {
          throw new MailwrightError('invalid_argument', (err as Error).message, 'target');
        }
        return checkBlocklists(
          { ...target, ipZones: current().ipBlocklists, domainZones: current().domainBlocklists },
          resolverFor(a.dnsServers, a.dnsTimeoutMs).recorder(),
        );
      },
      'checks.address': (a) => verifyAddress(a.address, resolverFor(a.dnsServers, a.dnsTimeoutMs).recorder(), a.probe),
    },
    async start() {
      await repo.forgetOrphans();
      unsubscribe.push(
        deps.events.on('messages.deleted', ({ ids }) =>
          inBackground('forgetting deleted mail', () => repo.forget(ids)),
        ),
        deps.events.on('messages.pruned', ({ ids }) => inBackground('forgetting pruned mail', () => repo.forget(ids))),
        deps.events.on('messages.cleared', () => inBackground('forgetting cleared mail', () => repo.forgetOrphans())),
      );
    },
    async stop() {
      for (const off of unsubscribe.splice(0)) off();
      await Promise.all([...background]);
    },
  };
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
