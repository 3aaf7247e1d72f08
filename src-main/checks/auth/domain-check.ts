// The domain tool: fetches a domain's SPF, DMARC, DKIM key (for a selector) and MX records through the resolver
// and lints each: syntax, the SPF 10-lookup limit, permissive `all`, DMARC policy and reports, key size, t=y.
// A domain that does not exist is a finding, not an error.
// Must not import electron, serve/ or another capability's folder.
import crypto from 'node:crypto';
import net from 'node:net';
import type { DomainFinding, DomainReport } from '../../../src-shared/contract/checks.js';
import type { MxRecord, RecordingResolver } from '../dns/resolver.js';

/** RFC 7208 4.6.4: more DNS-querying terms than this make SPF a permerror at every receiver. */
export const SPF_LOOKUP_LIMIT = 10;
/** Includes followed while counting; a loop or a deeper chain already breaks the limit. */
const MAX_SPF_DEPTH = 10;
/** MX hosts whose addresses are looked up. */
const MAX_MX_CHECKED = 10;
/** Keys shorter than this are refused by Gmail and most verifiers (RFC 8301). */
const MIN_RSA_BITS = 1024;
/** What RFC 8301 and providers recommend now. */
const GOOD_RSA_BITS = 2048;

type Finding = DomainFinding;
const f = (severity: Finding['severity'], text: string): Finding => ({ severity, text });

export async function checkDomain(
  rawDomain: string,
  selector: string | null,
  dns: RecordingResolver,
): Promise<DomainReport> {
  const domain = rawDomain.trim().replace(/\.$/, '').toLowerCase();
  const [spf, dmarc, dkim, mx] = [
    await spfCheck(domain, dns),
    await dmarcCheck(domain, dns),
    selector ? await dkimCheck(domain, selector, dns) : null,
    await mxCheck(domain, dns),
  ];
  const exists = !dns.answers.filter((a) => a.name === domain).every((a) => a.status === 'nxdomain');
  if (!exists) {
    const gone = f('error', `${domain} does not exist in DNS (NXDOMAIN): no mail can be sent from or to it.`);
    spf.findings.unshift(gone);
  }
  return { domain, exists, spf, dmarc, dkim, mx, dns: [...dns.answers] };
}

async function txtOrFinding(name: string, dns: RecordingResolver, findings: Finding[]): Promise<string[] | null> {
  try {
    return await dns.txt(name);
  } catch (err) {
    findings.push(f('error', `temperror: ${(err as Error).message}`));
    return null;
  }
}

// ---- SPF ----

const SPF_MECHANISM = /^([+\-~?]?)(all|include|a|mx|ptr|ip4|ip6|exists)(?:([:/])(.*))?$/i;
const SPF_MODIFIER = /^([a-z][a-z0-9_.-]*)=(.*)$/i;

async function spfCheck(domain: string, dns: RecordingResolver): Promise<DomainReport['spf']> {
  const findings: Finding[] = [];
  const txt = await txtOrFinding(domain, dns, findings);
  if (txt === null) return { record: null, lookups: null, findings };
  const records = txt.filter((t) => /^v=spf1(\s|$)/i.test(t));
  if (records.length === 0) {
    findings.push(
      f('warning', `${domain} publishes no SPF record: receivers cannot tell which servers may send its mail.`),
    );
    return { record: null, lookups: null, findings };
  }
  if (records.length > 1)
    findings.push(
      f(
        'error',
        `${domain} publishes ${records.length} SPF records; RFC 7208 makes that a permerror. Merge them into one.`,
      ),
    );
  const record = records[0] ?? '';
  lintSpfTerms(record, findings, true);
  const lookups = await countLookups(domain, record, dns, new Set([domain]), 0, findings);
  if (lookups > SPF_LOOKUP_LIMIT)
    findings.push(
      f(
        'error',
        `The record needs ${lookups} DNS lookups; past ${SPF_LOOKUP_LIMIT} every receiver returns permerror. Flatten includes or drop unused ones.`,
      ),
    );
  else findings.push(f(lookups >= 8 ? 'warning' : 'ok', `${lookups} of ${SPF_LOOKUP_LIMIT} DNS lookups used.`));
  if (!findings.some((x) => x.severity === 'error' || x.severity === 'warning'))
    findings.push(f('ok', 'The SPF record is well-formed.'));
  return { record, lookups, findings };
}

function lintSpfTerms(record: string, findings: Finding[], top: boolean): void {
  const terms = record.trim().split(/\s+/).slice(1);
  let sawAll = false;
  let sawRedirect = false;
  for (const term of terms) {
    const mech = SPF_MECHANISM.exec(term);
    if (mech) {
      const [, qualifier = '', name = '', sep, value] = mech;
      const kind = name.toLowerCase();
      if (kind === 'all') {
        sawAll = true;
        if (top && (qualifier === '+' || qualifier === ''))
          findings.push(
            f('error', `"${term}" lets every server on the internet send as this domain. Use -all or ~all.`),
          );
        if (top && qualifier === '?')
          findings.push(
            f(
              'warning',
              '"?all" is neutral: receivers learn nothing from SPF. Use ~all or -all once the record is complete.',
            ),
          );
      } else if ((kind === 'ip4' || kind === 'ip6') && sep === ':') {
        const [addr = '', prefix] = (value ?? '').split('/');
        const okAddr = kind === 'ip4' ? net.isIPv4(addr) : net.isIPv6(addr);
        const max = kind === 'ip4' ? 32 : 128;
        if (!okAddr || (prefix !== undefined && !(Number(prefix) >= 0 && Number(prefix) <= max)))
          findings.push(f('error', `"${term}" is not a valid ${kind} address or network.`));
      } else if ((kind === 'ip4' || kind === 'ip6') && sep !== ':') {
        findings.push(f('error', `"${term}" needs an address (${kind}:…).`));
      } else if ((kind === 'include' || kind === 'exists') && (sep !== ':' || !value)) {
        findings.push(f('error', `"${term}" needs a domain (${kind}:domain).`));
      } else if (kind === 'ptr') {
        findings.push(
          f('warning', '"ptr" is deprecated (RFC 7208 5.5): slow, unreliable, and ignored by some receivers.'),
        );
      }
      continue;
    }
    const mod = SPF_MODIFIER.exec(term);
    if (mod) {
      if (mod[1]?.toLowerCase() === 'redirect') sawRedirect = true;
      continue;
    }
    findings.push(f('error', `"${term}" is not an SPF mechanism or modifier; the whole record is a permerror.`));
  }
  if (top && !sawAll && !sawRedirect)
    findings.push(
      f('warning', 'The record has no "all" term: anything unlisted is neutral. End it with ~all or -all.'),
    );
}

/** Terms that cost a DNS lookup (RFC 7208 4.6.4), following include: and redirect= to count theirs. */
async function countLookups(
  domain: string,
  record: string,
  dns: RecordingResolver,
  seen: Set<string>,
  depth: number,
  findings: Finding[],
): Promise<number> {
  let count = 0;
  for (const term of record.trim().split(/\s+/).slice(1)) {
    const mech = SPF_MECHANISM.exec(term);
    const mod = SPF_MODIFIER.exec(term);
    const kind = mech?.[2]?.toLowerCase() ?? (mod?.[1]?.toLowerCase() === 'redirect' ? 'redirect' : null);
    if (!kind || !['include', 'a', 'mx', 'ptr', 'exists', 'redirect'].includes(kind)) continue;
    count++;
    const target = kind === 'redirect' ? mod?.[2] : kind === 'include' ? mech?.[4] : null;
    if (!target) continue;
    if (seen.has(target.toLowerCase()) || depth >= MAX_SPF_DEPTH) {
      findings.push(f('error', `SPF include loop or chain too deep at ${target}.`));
      continue;
    }
    seen.add(target.toLowerCase());
    let txt: string[];
    try {
      txt = await dns.txt(target);
    } catch (err) {
      findings.push(f('error', `temperror: ${(err as Error).message}`));
      continue;
    }
    const inner = txt.find((t) => /^v=spf1(\s|$)/i.test(t));
    if (!inner) {
      findings.push(f('error', `${kind}:${target} has no SPF record, which makes ${domain}'s SPF a permerror.`));
      continue;
    }
    lintSpfTerms(inner, findings, false);
    count += await countLookups(target, inner, dns, seen, depth + 1, findings);
  }
  return count;
}

// ---- DMARC ----

const DMARC_TAGS = new Set(['v', 'p', 'sp', 'np', 'rua', 'ruf', 'adkim', 'aspf', 'pct', 'fo', 'rf', 'ri', 't', 'psd']);

async function dmarcCheck(domain: string, dns: RecordingResolver): Promise<DomainReport['dmarc']> {
  const findings: Finding[] = [];
  const txt = await txtOrFinding(`_dmarc.${domain}`, dns, findings);
  if (txt === null) return { record: null, findings };
  const records = txt.filter((t) => /^v=DMARC1\s*(;|$)/i.test(t.trim()));
  if (records.length === 0) {
    findings.push(
      f(
        'warning',
        `No DMARC record at _dmarc.${domain}: Gmail and Yahoo require one (p=none at least) from bulk senders.`,
      ),
    );
    return { record: null, findings };
  }
  if (records.length > 1)
    findings.push(f('error', `${records.length} DMARC records: receivers ignore them all. Keep one.`));
  const record = records[0] ?? '';
  const tags = new Map<string, string>();
  for (const part of record.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) {
      if (part.trim()) findings.push(f('error', `"${part.trim()}" is not a tag=value pair.`));
      continue;
    }
    const key = part.slice(0, eq).trim().toLowerCase();
    if (!DMARC_TAGS.has(key)) findings.push(f('warning', `Unknown tag "${key}" (ignored by receivers).`));
    tags.set(key, part.slice(eq + 1).trim());
  }
  const p = tags.get('p')?.toLowerCase();
  if (!p) findings.push(f('error', 'No p= tag: the record is invalid (RFC 7489 6.3).'));
  else if (!['none', 'quarantine', 'reject'].includes(p))
    findings.push(f('error', `p=${p} is not none, quarantine or reject.`));
  else if (p === 'none')
    findings.push(
      f(
        'warning',
        'p=none only monitors: failing mail is delivered as usual. Move to quarantine or reject when reports are clean.',
      ),
    );
  else findings.push(f('ok', `p=${p}: receivers ${p === 'reject' ? 'reject' : 'put in spam'} mail that fails DMARC.`));
  const sp = tags.get('sp')?.toLowerCase();
  if (sp && !['none', 'quarantine', 'reject'].includes(sp)) findings.push(f('error', `sp=${sp} is not a policy.`));
  for (const mode of ['adkim', 'aspf'] as const) {
    const v = tags.get(mode)?.toLowerCase();
    if (v && v !== 'r' && v !== 's') findings.push(f('error', `${mode}=${v} must be r or s.`));
  }
  const pct = tags.get('pct');
  if (pct !== undefined && !(/^\d{1,3}$/.test(pct) && Number(pct) <= 100))
    findings.push(f('error', `pct=${pct} must be 0-100.`));
  else if (pct !== undefined && Number(pct) < 100)
    findings.push(f('info', `pct=${pct}: the policy applies to ${pct}% of failing mail only.`));
  const rua = tags.get('rua');
  if (!rua)
    findings.push(f('warning', 'No rua=: you get no aggregate reports, so you cannot see who sends as your domain.'));
  else
    for (const uri of rua.split(',').map((u) => u.trim()))
      if (!/^mailto:[^@\s]+@[^@\s]+$/i.test(uri.replace(/!\d+[kmgt]?$/i, '')))
        findings.push(f('error', `rua entry "${uri}" is not a mailto: address.`));
  return { record, findings };
}

// ---- DKIM ----

async function dkimCheck(
  domain: string,
  selector: string,
  dns: RecordingResolver,
): Promise<NonNullable<DomainReport['dkim']>> {
  const findings: Finding[] = [];
  const name = `${selector}._domainkey.${domain}`;
  const empty = { selector, record: null, keyType: null, keyBits: null, testing: false };
  const txt = await txtOrFinding(name, dns, findings);
  if (txt === null) return { ...empty, findings };
  const record = txt.find((t) => /(^|;)\s*p\s*=/i.test(t)) ?? txt[0];
  if (!record) {
    findings.push(f('error', `No DKIM key at ${name}: signatures with s=${selector} fail.`));
    return { ...empty, findings };
  }
  const tags = new Map(
    record
      .split(';')
      .map((p) => p.split('='))
      .filter((kv) => kv.length >= 2)
      .map(([k = '', ...v]) => [k.trim().toLowerCase(), v.join('=').replace(/\s+/g, '')]),
  );
  const v = tags.get('v');
  if (v !== undefined && v !== 'DKIM1') findings.push(f('error', `v=${v}: must be DKIM1.`));
  const keyType = (tags.get('k') ?? 'rsa').toLowerCase();
  const testing = (tags.get('t') ?? '').split(':').includes('y');
  if (testing)
    findings.push(
      f('warning', 't=y: the domain says it is testing DKIM, so verifiers may ignore failures (and passes).'),
    );
  const p = tags.get('p') ?? '';
  if (!p) {
    findings.push(f('error', 'p= is empty: the key is revoked, every signature with it fails.'));
    return { selector, record, keyType, keyBits: null, testing, findings };
  }
  let keyBits: number | null;
  try {
    const der = Buffer.from(p, 'base64');
    if (keyType === 'ed25519') keyBits = der.length === 32 ? 256 : null;
    else {
      const key = crypto.createPublicKey({ key: der, format: 'der', type: 'spki' });
      keyBits = key.asymmetricKeyDetails?.modulusLength ?? null;
    }
  } catch {
    keyBits = null;
  }
  if (keyBits === null) findings.push(f('error', `p= does not hold a valid ${keyType} public key.`));
  else if (keyType === 'rsa' && keyBits < MIN_RSA_BITS)
    findings.push(
      f('error', `A ${keyBits}-bit RSA key is refused by Gmail and RFC 8301 verifiers. Use ${GOOD_RSA_BITS} bits.`),
    );
  else if (keyType === 'rsa' && keyBits < GOOD_RSA_BITS)
    findings.push(f('warning', `A ${keyBits}-bit RSA key still works but is weak; rotate to ${GOOD_RSA_BITS} bits.`));
  else findings.push(f('ok', `${keyType} key of ${keyBits} bits published.`));
  return { selector, record, keyType, keyBits, testing, findings };
}

// ---- MX ----

async function mxCheck(domain: string, dns: RecordingResolver): Promise<DomainReport['mx']> {
  const findings: Finding[] = [];
  const { answer, values } = await dns.lookup(domain, 'MX');
  if (
    answer.status === 'timeout' ||
    answer.status === 'servfail' ||
    answer.status === 'refused' ||
    answer.status === 'error'
  ) {
    findings.push(f('error', `temperror: ${answer.detail ?? answer.status}`));
    return { hosts: [], findings };
  }
  const hosts = (values as MxRecord[]).slice().sort((a, b) => a.priority - b.priority);
  if (hosts.length === 0) {
    const a = await dns.lookup(domain, 'A');
    findings.push(
      a.answer.status === 'ok'
        ? f(
            'warning',
            `No MX record: mail goes to the A record (${a.answer.records.join(', ')}) as a fallback (RFC 5321 5.1).`,
          )
        : f('error', `No MX record and no address: ${domain} cannot receive mail (bounces cannot reach it).`),
    );
    return { hosts, findings };
  }
  if (hosts.length === 1 && (hosts[0]?.exchange === '' || hosts[0]?.exchange === '.')) {
    findings.push(f('info', 'Null MX (RFC 7505): the domain says it accepts no mail.'));
    return { hosts, findings };
  }
  for (const host of hosts.slice(0, MAX_MX_CHECKED)) {
    if (net.isIP(host.exchange)) {
      findings.push(f('error', `MX ${host.exchange} is an IP address; an MX must name a host.`));
      continue;
    }
    const a = await dns.lookup(host.exchange, 'A');
    const aaaa = a.answer.status === 'ok' ? null : await dns.lookup(host.exchange, 'AAAA');
    if (a.answer.status !== 'ok' && aaaa?.answer.status !== 'ok')
      findings.push(f('error', `MX ${host.exchange} has no address (A or AAAA).`));
  }
  if (!findings.length)
    findings.push(f('ok', `${hosts.length} MX host${hosts.length === 1 ? '' : 's'}, each with an address.`));
  return { hosts, findings };
}
