// Authentication of one captured message with mailauth: every DKIM signature, SPF for the chosen sending IP and
// HELO, DMARC with alignment computed here (alignment.ts says why), and the ARC chain; each verdict in plain words.
// Must not import electron, serve/ or another capability's folder.
import type { AuthReport, DkimSignatureReport, DmarcReport, SpfReport } from '../../../src-shared/contract/checks.js';
import type { RecordingResolver } from '../dns/resolver.js';
import { aligned, organizationalDomain, type AlignmentMode } from './alignment.js';

export interface AuthInput {
  /** The sending client's address as SPF should see it (the capture's 127.0.0.1, or a "what if" address). */
  ip: string;
  helo: string;
  /** MAIL FROM; '' for the null sender, whose SPF identity is the HELO name. */
  mailFrom: string;
}

/** The name mailauth writes into its Authentication-Results comments. */
const MTA_NAME = 'mailwright';

interface MailauthDkimRow {
  signingDomain?: string;
  selector?: string;
  algo?: string;
  format?: string;
  bodyHash?: string;
  bodyHashExpecting?: string;
  modulusLength?: number;
  status: { result: string; comment?: string | boolean; aligned?: string | false };
}

interface MailauthSpf {
  domain?: string;
  rr?: string;
  status: { result: string; comment?: string };
  lookups?: { count: number; limit: number };
}

interface MailauthDmarc {
  status: { result: string };
  domain?: string;
  policy?: string;
  p?: string;
  sp?: string;
  pct?: number;
  rr?: string;
  error?: string;
  alignment?: { spf: { strict: boolean }; dkim: { strict: boolean } };
}

interface MailauthArc {
  status: { result: string; comment?: string | boolean };
  i?: number;
}

export async function authenticateMessage(raw: Buffer, input: AuthInput, dns: RecordingResolver): Promise<AuthReport> {
  // Loaded on first use: mailauth and its dependencies are ~24 MB resident, and most runs never check a message.
  const { authenticate } = await import('mailauth');
  const result = await authenticate(raw, {
    ip: input.ip,
    helo: input.helo || input.ip,
    sender: input.mailFrom || undefined,
    mta: MTA_NAME,
    resolver: dns.resolve as never,
    disableBimi: true,
  });
  const headerFrom = ([] as string[]).concat((result.dkim as { headerFrom?: string | string[] }).headerFrom ?? []);
  const fromDomain = headerFrom.length === 1 ? domainOf(headerFrom[0] ?? '') : '';
  // With no signature at all mailauth still lists one row, result none: that is "no signatures", not a signature.
  const dkim = ((result.dkim as { results?: MailauthDkimRow[] }).results ?? [])
    .filter((row) => row.status.result !== 'none' || row.signingDomain)
    .map((row) => dkimReport(row, fromDomain));
  const spf = spfReport(result.spf, input);
  const dmarc = dmarcReport(result.dmarc, headerFrom, fromDomain, dkim, spf);
  const arcResult = result.arc as MailauthArc | false;
  const arc = arcResult
    ? {
        result: arcResult.status.result,
        chainLength: arcResult.i ?? 0,
        reason: arcReason(arcResult),
      }
    : { result: 'none', chainLength: 0, reason: 'ARC was not checked' };
  return { input: { ...input }, fromDomain: fromDomain || null, dkim, spf, dmarc, arc, dns: [...dns.answers] };
}

function domainOf(address: string): string {
  const at = address.lastIndexOf('@');
  return (at >= 0 ? address.slice(at + 1) : address).trim().replace(/>$/, '').toLowerCase();
}

function comment(c: string | boolean | undefined): string {
  return typeof c === 'string' ? c : '';
}

function dkimReport(row: MailauthDkimRow, fromDomain: string): DkimSignatureReport {
  const domain = row.signingDomain ?? '';
  const selector = row.selector ?? '';
  const bodyHashMatches =
    row.bodyHash !== undefined && row.bodyHashExpecting !== undefined ? row.bodyHash === row.bodyHashExpecting : null;
  const result = row.status.result;
  return {
    domain,
    selector,
    algorithm: row.algo ?? '',
    canonicalization: row.format ?? '',
    bodyHash: { signed: row.bodyHashExpecting ?? null, computed: row.bodyHash ?? null, matches: bodyHashMatches },
    keyBits: row.modulusLength ?? null,
    result,
    reason: dkimReason(result, comment(row.status.comment), domain, selector, bodyHashMatches),
    alignedStrict: result === 'pass' && aligned(fromDomain, domain, 'strict'),
    alignedRelaxed: result === 'pass' && aligned(fromDomain, domain, 'relaxed'),
  };
}

function dkimReason(
  result: string,
  detail: string,
  domain: string,
  selector: string,
  bodyHashMatches: boolean | null,
): string {
  const key = `${selector}._domainkey.${domain}`;
  if (result === 'pass') return `The signature verifies with the key at ${key}.`;
  if (result === 'none') return 'The message carries no DKIM signature.';
  if (bodyHashMatches === false || /body hash/i.test(detail))
    return `The body was changed after signing: its hash no longer matches the bh= value in the signature.`;
  if (/no key/i.test(detail)) return `No DKIM key is published at ${key}, so the signature cannot be checked.`;
  if (/bad signature|signature/i.test(detail) && result === 'fail')
    return `The signature does not verify with the key at ${key}: a signed header changed after signing, or the key does not match the signing key.`;
  if (result === 'temperror') return `The key at ${key} could not be fetched (${detail || 'DNS error'}); try again.`;
  if (/expired/i.test(detail)) return 'The signature has expired (its x= time has passed).';
  if (/short|small|bit/i.test(detail)) return `The key at ${key} is too short to be trusted (${detail}).`;
  return `DKIM ${result}${detail ? `: ${detail}` : ''}.`;
}

function spfReport(spf: MailauthSpf | false, input: AuthInput): SpfReport {
  if (!spf)
    return {
      domain: null,
      ip: input.ip,
      helo: input.helo,
      result: 'none',
      reason: 'SPF was not checked.',
      record: null,
    };
  const domain = spf.domain ?? null;
  const result = spf.status.result;
  return {
    domain,
    ip: input.ip,
    helo: input.helo,
    result,
    reason: spfReason(result, domain ?? '(none)', input.ip, comment(spf.status.comment)),
    record: spf.rr ?? null,
  };
}

function spfReason(result: string, domain: string, ip: string, detail: string): string {
  switch (result) {
    case 'pass':
      return `${domain}'s SPF record allows ${ip} to send its mail.`;
    case 'fail':
      return `${domain}'s SPF record does not allow ${ip} and ends in -all: receivers are asked to reject this mail.`;
    case 'softfail':
      return `${domain}'s SPF record does not allow ${ip} and ends in ~all: receivers usually accept but treat it as suspicious.`;
    case 'neutral':
      return `${domain}'s SPF record says nothing about ${ip} (?all), which counts as no assertion.`;
    case 'none':
      return `${domain} publishes no SPF record, so nothing says which servers may send its mail.`;
    case 'temperror':
      return `A DNS lookup for SPF failed temporarily (${detail || 'timeout'}); a receiver would defer and retry.`;
    case 'permerror':
      return `${domain}'s SPF record cannot be evaluated (${detail || 'broken record'}); receivers treat that as a failure.`;
    default:
      return `SPF ${result}${detail ? `: ${detail}` : ''}.`;
  }
}

function dmarcReport(
  d: MailauthDmarc | false,
  headerFrom: string[],
  fromDomain: string,
  dkim: DkimSignatureReport[],
  spf: SpfReport,
): DmarcReport {
  const none = (reason: string, result = 'none'): DmarcReport => ({
    domain: fromDomain || null,
    record: null,
    policy: null,
    subdomainPolicy: null,
    pct: null,
    dkimMode: 'relaxed',
    spfMode: 'relaxed',
    dkimAligned: null,
    spfAligned: null,
    result,
    reason,
  });
  if (headerFrom.length !== 1)
    return none(
      headerFrom.length === 0
        ? 'The message has no From address, so DMARC has nothing to align with.'
        : `The From header names ${headerFrom.length} addresses; DMARC needs exactly one.`,
      'permerror',
    );
  if (!d) return none('DMARC was not checked.');
  if (d.status.result === 'temperror')
    return none(`The DMARC record could not be fetched (${d.error ?? 'DNS error'}); try again.`, 'temperror');
  if (d.status.result === 'none' || !d.rr)
    return none(
      `${fromDomain} publishes no DMARC record (_dmarc.${organizationalDomain(fromDomain)} has none either).`,
    );
  const dkimMode: AlignmentMode = d.alignment?.dkim.strict ? 'strict' : 'relaxed';
  const spfMode: AlignmentMode = d.alignment?.spf.strict ? 'strict' : 'relaxed';
  const dkimHit = dkim.find((s) => (dkimMode === 'strict' ? s.alignedStrict : s.alignedRelaxed));
  const spfHit = spf.result === 'pass' && spf.domain !== null && aligned(fromDomain, spf.domain, spfMode);
  const pass = dkimHit !== undefined || spfHit;
  const policy = d.policy ?? d.p ?? null;
  const why: string[] = [];
  if (!pass) {
    const passing = dkim.filter((s) => s.result === 'pass');
    why.push(
      passing.length
        ? `DKIM passes for ${passing.map((s) => s.domain).join(', ')}, which is not ${dkimMode === 'strict' ? 'exactly' : 'within'} ${fromDomain} (adkim=${dkimMode[0]})`
        : 'no DKIM signature passes',
    );
    why.push(
      spf.result === 'pass'
        ? `SPF passes for ${spf.domain ?? '?'}, which is not ${spfMode === 'strict' ? 'exactly' : 'within'} ${fromDomain} (aspf=${spfMode[0]})`
        : `SPF does not pass (${spf.result})`,
    );
  }
  return {
    domain: fromDomain,
    record: d.rr,
    policy,
    subdomainPolicy: d.sp ?? null,
    pct: d.pct ?? null,
    dkimMode,
    spfMode,
    dkimAligned: dkimHit?.domain ?? null,
    spfAligned: spfHit ? spf.domain : null,
    result: pass ? 'pass' : 'fail',
    reason: pass
      ? `Aligned with ${fromDomain} through ${dkimHit ? `DKIM (d=${dkimHit.domain})` : `SPF (${spf.domain ?? ''})`}.`
      : `Nothing authenticated aligns with the From domain ${fromDomain}: ${why.join('; ')}. The policy is p=${policy ?? 'none'}${policy === 'reject' ? ', so receivers are asked to reject it' : policy === 'quarantine' ? ', so receivers are asked to put it in spam' : ''}.`,
  };
}

function arcReason(arc: MailauthArc): string {
  const detail = comment(arc.status.comment);
  switch (arc.status.result) {
    case 'none':
      return 'The message carries no ARC headers.';
    case 'pass':
      return `The ARC chain of ${arc.i ?? 0} set${arc.i === 1 ? '' : 's'} verifies.`;
    case 'fail':
      return `The ARC chain does not verify${detail ? `: ${detail}` : ''}; a forwarder's seal or signature is broken.`;
    default:
      return `ARC ${arc.status.result}${detail ? `: ${detail}` : ''}.`;
  }
}
