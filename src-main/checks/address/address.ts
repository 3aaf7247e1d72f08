// Address verification: RFC 5322 syntax (email-addresses), the domain's MX records with the A/AAAA fallback
// (RFC 5321 5.1) and null MX (RFC 7505), disposable-domain and role-account hints, and an optional SMTP probe that
// says EHLO, MAIL FROM and RCPT TO, then QUIT: it never sends DATA. Lookups go through the checks resolver.
// Must not import electron, serve/ or another capability's folder.
import { createRequire } from 'node:module';
import net from 'node:net';
import emailAddresses from 'email-addresses';
import type { AddressProbe, AddressReport, DomainFinding } from '../../../src-shared/contract/checks.js';
import { explainReply } from '../../../src-shared/reply-codes.js';
import type { RecordingResolver } from '../dns/resolver.js';

/** The package is a JSON list of domains without type declarations; read once, when first needed. */
let disposable: Set<string> | null = null;
function disposableDomains(): Set<string> {
  disposable ??= new Set(createRequire(import.meta.url)('disposable-email-domains') as string[]);
  return disposable;
}

/** Local parts that reach a function or a team rather than a person (RFC 2142 and common practice). */
const ROLE_ACCOUNTS = new Set([
  'abuse',
  'admin',
  'administrator',
  'billing',
  'contact',
  'help',
  'hostmaster',
  'info',
  'marketing',
  'mailer-daemon',
  'no-reply',
  'noc',
  'noreply',
  'do-not-reply',
  'donotreply',
  'office',
  'postmaster',
  'root',
  'sales',
  'security',
  'support',
  'team',
  'webmaster',
]);

/** RFC 5321 4.5.3.1: 64 octets of local part, 255 of domain, 254 in a path. */
const MAX_LOCAL = 64;
const MAX_PATH = 254;
/** MX hosts a probe tries before it gives up. */
const MAX_PROBE_HOSTS = 3;
/** One reply line is at most 512 octets (RFC 5321 4.5.3.1.5); a reply of more lines than this is not a server. */
const MAX_REPLY_LINES = 100;
const MAX_REPLY_BYTES = 64 * 1024;
const DEFAULT_PROBE_TIMEOUT_MS = 10_000;

export interface ProbeOptions {
  host?: string;
  port?: number;
  mailFrom?: string;
  helo?: string;
  timeoutMs?: number;
}

/** Plain words for why an input is not an address (the parser only says no). */
function syntaxReason(input: string): string {
  const t = input.trim();
  if (!t.includes('@')) return 'There is no "@": an address is local-part@domain.';
  const at = t.lastIndexOf('@');
  const local = t.slice(0, at).replace(/^.*</, '');
  const domain = t.slice(at + 1).replace(/>.*$/, '');
  if (!local) return 'The part before "@" is empty.';
  if (!domain) return 'The part after "@" is empty.';
  if (/\s/.test(local) && !/^".*"$/.test(local)) return 'The local part has a space; it must be quoted ("a b"@x).';
  if (/\.\./.test(local) || /^\.|\.$/.test(local))
    return 'The local part has a leading, trailing or doubled dot; only a quoted local part may.';
  if (/\.\.|^\.|\.$/.test(domain)) return 'The domain has an empty label (a leading, trailing or doubled dot).';
  if (/[(),:;<>[\]\\]/.test(local) && !/^".*"$/.test(local))
    return 'The local part has a special character ( ) , : ; < > [ ] \\ outside quotes.';
  return 'Not an RFC 5322 address (addr-spec or name <addr-spec>).';
}

function hostnameProblem(domain: string): string | null {
  if (/^\[.*\]$/.test(domain)) return null;
  if (domain.length > 253) return 'The domain is longer than 253 characters.';
  for (const label of domain.split('.')) {
    if (label.length > 63) return `The domain label "${label.slice(0, 20)}…" is longer than 63 characters.`;
    if (!/^[\p{L}\p{N}]([\p{L}\p{N}-]*[\p{L}\p{N}])?$/u.test(label))
      return `"${label}" is not a host name label (letters, digits and inner "-" only), so no mail server has it.`;
  }
  if (!domain.includes('.')) return `"${domain}" has no dot: a bare name is not a mail domain on the Internet.`;
  return null;
}

export async function verifyAddress(
  input: string,
  resolver: RecordingResolver,
  probe: boolean | ProbeOptions | undefined,
): Promise<AddressReport> {
  const parsed = emailAddresses.parseOneAddress({ input: input.trim(), rfc6532: true, rejectTLD: false });
  const mailbox = parsed && parsed.type === 'mailbox' ? parsed : null;
  const report: AddressReport = {
    input,
    syntax: {
      valid: false,
      address: mailbox?.address ?? null,
      local: mailbox?.local ?? null,
      domain: mailbox?.domain ?? null,
      displayName: mailbox?.name ?? null,
      reason: '',
    },
    mx: { source: 'skipped', hosts: [], addresses: [], findings: [] },
    hints: [],
    probe: null,
    dns: resolver.answers,
  };
  if (!mailbox) {
    report.syntax.reason =
      parsed?.type === 'group' ? 'That is a group (name: list;), not one address.' : syntaxReason(input);
    return report;
  }
  const local = mailbox.local;
  const domain = mailbox.domain.toLowerCase();
  const problems = [
    local.length > MAX_LOCAL ? `The local part is ${local.length} characters; SMTP allows ${MAX_LOCAL}.` : null,
    mailbox.address.length > MAX_PATH
      ? `The address is ${mailbox.address.length} characters; SMTP allows ${MAX_PATH}.`
      : null,
    hostnameProblem(domain),
  ].filter((p): p is string => p !== null);
  report.syntax.valid = problems.length === 0;
  report.syntax.reason = problems.length
    ? problems.join(' ')
    : `Valid RFC 5322 address${mailbox.name ? ` (display name "${mailbox.name}")` : ''}.`;

  const base = local.split('+')[0]!.toLowerCase();
  if (ROLE_ACCOUNTS.has(base))
    report.hints.push({
      id: 'role',
      text: `"${base}" is a role account: it reaches a team or a system, often several people or none; role addresses are poor list subscribers and some providers refuse them.`,
    });
  const throwaway = domainAndParents(domain).find((d) => disposableDomains().has(d));
  if (throwaway)
    report.hints.push({
      id: 'disposable',
      text: `${throwaway} is a disposable-mail domain (disposable-email-domains list): the mailbox is likely to vanish.`,
    });
  if (local !== local.toLowerCase() || /^".*"$/.test(mailbox.parts.local.tokens.trim()))
    report.hints.push({
      id: 'free-text',
      text: 'The local part is quoted or mixed-case: legal, but many systems fold or reject it; send it exactly as given.',
    });

  if (!report.syntax.valid || /^\[.*\]$/.test(domain)) {
    if (/^\[.*\]$/.test(domain))
      report.mx.findings.push({ severity: 'info', text: 'An address literal: mail goes straight to that IP.' });
  } else await lookUpMx(domain, resolver, report);

  if (probe) report.probe = await runProbe(mailbox.address, domain, report, probe === true ? {} : probe, resolver);
  return report;
}

function domainAndParents(domain: string): string[] {
  const labels = domain.split('.');
  return labels.slice(0, -1).map((_, i) => labels.slice(i).join('.'));
}

async function lookUpMx(domain: string, resolver: RecordingResolver, report: AddressReport): Promise<void> {
  const f = (severity: DomainFinding['severity'], text: string): void =>
    void report.mx.findings.push({ severity, text });
  const mx = await resolver.lookup(domain, 'MX');
  if (mx.answer.status === 'ok') {
    const hosts = (mx.values as { exchange: string; priority: number }[])
      .map((h) => ({ exchange: h.exchange.replace(/\.$/, '').toLowerCase(), priority: h.priority }))
      .sort((a, b) => a.priority - b.priority);
    if (hosts.length === 1 && (hosts[0]!.exchange === '' || hosts[0]!.exchange === '.')) {
      report.mx.source = 'null-mx';
      f('error', `${domain} publishes a null MX (RFC 7505): it accepts no mail at all.`);
      return;
    }
    report.mx.source = 'mx';
    report.mx.hosts = hosts;
    f('ok', `${hosts.length} MX host${hosts.length === 1 ? '' : 's'}: ${hosts.map((h) => h.exchange).join(', ')}`);
    return;
  }
  if (mx.answer.status === 'nxdomain') {
    report.mx.source = 'none';
    f('error', `${domain} does not exist (NXDOMAIN): no mail can be delivered there.`);
    return;
  }
  if (mx.answer.status !== 'nodata') {
    report.mx.source = 'temperror';
    f('warning', `temperror: ${mx.answer.detail ?? `no answer to MX ${domain}`}`);
    return;
  }
  const [a, aaaa] = await Promise.all([resolver.lookup(domain, 'A'), resolver.lookup(domain, 'AAAA')]);
  const addresses = [...a.answer.records, ...aaaa.answer.records];
  if (addresses.length) {
    report.mx.source = 'fallback';
    report.mx.addresses = addresses;
    report.mx.hosts = [{ exchange: domain, priority: 0 }];
    f(
      'warning',
      `${domain} has no MX record; mail goes to its address record instead (RFC 5321 5.1): ${addresses.join(', ')}. ` +
        'Publish an MX to say so on purpose.',
    );
    return;
  }
  const failed = [a, aaaa].find((l) => !['ok', 'nodata', 'nxdomain'].includes(l.answer.status));
  report.mx.source = failed ? 'temperror' : 'none';
  f(
    failed ? 'warning' : 'error',
    failed
      ? `temperror: ${failed.answer.detail ?? 'no answer'}`
      : `${domain} has no MX and no A/AAAA record: no mail can be delivered there.`,
  );
}

async function runProbe(
  address: string,
  domain: string,
  report: AddressReport,
  options: ProbeOptions,
  resolver: RecordingResolver,
): Promise<AddressProbe> {
  const port = options.port ?? 25;
  const hosts = options.host ? [options.host] : report.mx.hosts.slice(0, MAX_PROBE_HOSTS).map((h) => h.exchange);
  if (hosts.length === 0)
    return {
      server: null,
      outcome: 'failed',
      reply: `No mail server to ask: ${domain} has no MX or address record.`,
      explanation: 'Nothing was sent.',
      transcript: [],
    };
  const transcript: string[] = [];
  let last: AddressProbe | null = null;
  for (const host of hosts) {
    // The host's address comes from the checks resolver too (the system's would ignore the setting).
    let ip: string | null = net.isIP(host.replace(/^\[|\]$/g, '')) ? host.replace(/^\[|\]$/g, '') : null;
    if (!ip) {
      for (const type of ['A', 'AAAA'] as const) {
        const { answer } = await resolver.lookup(host, type);
        if (answer.status === 'ok' && answer.records[0]) {
          ip = answer.records[0];
          break;
        }
      }
    }
    if (!ip) {
      transcript.push(`# ${host} has no A or AAAA record`);
      last = {
        server: `${host}:${port}`,
        outcome: 'failed',
        reply: `${host} has no A or AAAA record, so it cannot be asked.`,
        explanation: 'The probe could not reach the RCPT step; nothing is known about the mailbox.',
        transcript,
      };
      continue;
    }
    transcript.push(`# connecting to ${host}${ip === host ? '' : ` (${ip})`} port ${port}`);
    const result = await probeOne(host, ip, port, address, options, transcript);
    if (result.outcome !== 'failed') return result;
    last = result;
  }
  return last!;
}

/** One SMTP conversation up to RCPT, then QUIT; the transcript is shared across the hosts tried. */
async function probeOne(
  host: string,
  ip: string,
  port: number,
  address: string,
  options: ProbeOptions,
  transcript: string[],
): Promise<AddressProbe> {
  const server = net.isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
  const timeoutMs = options.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
  const session = new SmtpLines(transcript);
  const fail = (text: string): AddressProbe => ({
    server,
    outcome: 'failed',
    reply: text,
    explanation: 'The probe could not reach the RCPT step; nothing is known about the mailbox.',
    transcript,
  });
  try {
    await session.connect(ip, port, timeoutMs);
    const greeting = await session.reply();
    if (greeting.code !== 220) return fail(`${server} greeted with ${greeting.text}`);
    let hello = await session.command(`EHLO ${options.helo ?? 'mailwright.localhost'}`);
    if (hello.code >= 500) hello = await session.command(`HELO ${options.helo ?? 'mailwright.localhost'}`);
    if (hello.code !== 250) return fail(`${server} refused the greeting: ${hello.text}`);
    const from = await session.command(`MAIL FROM:<${options.mailFrom ?? ''}>`);
    if (from.code !== 250) return fail(`${server} refused MAIL FROM: ${from.text}`);
    const rcpt = await session.command(`RCPT TO:<${address}>`);
    await session.command('QUIT').catch(() => undefined);
    const explained = explainReply(rcpt.text);
    return {
      server,
      outcome: rcpt.code < 300 ? 'accepted' : rcpt.code < 500 ? 'deferred' : 'rejected',
      reply: rcpt.text,
      explanation:
        explained.summary +
        (rcpt.code < 300
          ? ' Many servers accept every recipient at RCPT and bounce later, so this is a hint, not a proof.'
          : ''),
      transcript,
    };
  } catch (err) {
    transcript.push(`# ${(err as Error).message}`);
    return fail(`${server}: ${(err as Error).message}`);
  } finally {
    session.close();
  }
}

/** A line-based SMTP client: one command, one (multi-line) reply; every wait is bounded. */
class SmtpLines {
  #socket: net.Socket | null = null;
  #buffer = '';
  #waiting: (() => void) | null = null;
  #error: Error | null = null;
  #timeoutMs = DEFAULT_PROBE_TIMEOUT_MS;
  readonly #transcript: string[];

  constructor(transcript: string[]) {
    this.#transcript = transcript;
  }

  connect(host: string, port: number, timeoutMs: number): Promise<void> {
    this.#timeoutMs = timeoutMs;
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host, port });
      this.#socket = socket;
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`no connection within ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.on('error', (err) => {
        clearTimeout(timer);
        this.#error = err;
        this.#wake();
        reject(err);
      });
      socket.on('close', () => {
        this.#error ??= new Error('the server closed the connection');
        this.#wake();
      });
      socket.setEncoding('latin1');
      socket.on('data', (chunk: string) => {
        this.#buffer += chunk;
        if (this.#buffer.length > MAX_REPLY_BYTES) {
          this.#error = new Error('the server sent more than a reply can be');
          socket.destroy();
        }
        this.#wake();
      });
    });
  }

  #wake(): void {
    const w = this.#waiting;
    this.#waiting = null;
    w?.();
  }

  async command(line: string): Promise<{ code: number; text: string }> {
    this.#transcript.push(`C: ${line}`);
    this.#socket?.write(`${line}\r\n`);
    return this.reply();
  }

  /** Reads one reply (its last line has a space after the code). */
  async reply(): Promise<{ code: number; text: string }> {
    const deadline = Date.now() + this.#timeoutMs;
    const lines: string[] = [];
    for (;;) {
      const nl = this.#buffer.indexOf('\n');
      if (nl >= 0) {
        const line = this.#buffer.slice(0, nl).replace(/\r$/, '');
        this.#buffer = this.#buffer.slice(nl + 1);
        this.#transcript.push(`S: ${line}`);
        lines.push(line);
        const m = /^(\d{3})([ -]?)/.exec(line);
        if (!m) throw new Error(`not an SMTP reply: ${line.slice(0, 80)}`);
        if (m[2] !== '-') return { code: Number(m[1]), text: lines.join('\n') };
        if (lines.length > MAX_REPLY_LINES) throw new Error(`a reply of more than ${MAX_REPLY_LINES} lines`);
        continue;
      }
      if (this.#error) throw this.#error;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no reply within ${this.#timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiting = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  close(): void {
    this.#socket?.destroy();
  }
}
