// Sending through a profile: guardrails first (recipient-domain allow-list and the loopback confirmation refuse
// before any connection), then the session's steps, the server's SIZE, MAIL/RCPT/DATA, and one history row per
// attempt that reached the network, whatever its outcome.
import net from 'node:net';
import type SMTPConnection from 'nodemailer/lib/smtp-connection/index.js';
import { MailwrightError, type ProfileConfig, type SendOutcome, type SendReport } from '../../src-shared/index.js';
import { explainFailure } from './explain.js';
import type { HistoryRepo } from './history-repo.js';
import type { HostResolver } from './resolver.js';
import { SmtpSession } from './smtp-session.js';

export interface SendJob {
  kind: 'send' | 'release';
  profileId: string;
  profile: ProfileConfig;
  raw: Buffer;
  messageId: string | null;
  subject: string;
  envelope: { from: string; to: string[] };
  confirm: boolean;
}

export interface SenderOptions {
  resolver: () => HostResolver;
  allowRecipientDomains: () => readonly string[] | undefined;
  history: HistoryRepo;
  /** Called after each recorded attempt (events, retention). */
  recorded(id: number, outcome: SendOutcome): Promise<void> | void;
}

interface NodeError extends Error {
  code?: string;
  response?: string;
  responseCode?: number;
  command?: string;
  rejected?: string[];
}

/** Loopback by name or address: anything else is another machine and needs the user's confirmation. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (net.isIPv4(h)) return h.startsWith('127.');
  return h === '::1' || h === '::ffff:127.0.0.1';
}

export function checkGuardrails(
  job: Pick<SendJob, 'profile' | 'envelope' | 'confirm'>,
  allow: readonly string[] | undefined,
): void {
  if (job.envelope.to.length === 0)
    throw new MailwrightError('invalid_argument', 'no recipients: give To, Cc, Bcc or envelope.to', 'message.to');
  if (allow && allow.length > 0) {
    const allowed = allow.map((d) => d.toLowerCase().replace(/^\.+/, ''));
    const outside = job.envelope.to.filter((a) => {
      const domain = a.slice(a.lastIndexOf('@') + 1).toLowerCase();
      return !allowed.some((d) => domain === d || domain.endsWith(`.${d}`));
    });
    if (outside.length > 0)
      throw new MailwrightError(
        'forbidden',
        `refused before connecting: ${outside.join(', ')} ${outside.length === 1 ? 'is' : 'are'} outside the recipient-domain allow-list (${allowed.join(', ')})`,
        'envelope.to',
      );
  }
  if (!isLoopbackHost(job.profile.host) && !job.confirm)
    throw new MailwrightError(
      'forbidden',
      `${job.profile.host} is not this machine: confirm sending to ${job.envelope.to.join(', ')} (envelope recipients) with confirm: true`,
      'confirm',
    );
}

export class Sender {
  readonly #o: SenderOptions;

  constructor(options: SenderOptions) {
    this.#o = options;
  }

  async send(job: SendJob): Promise<SendReport> {
    checkGuardrails(job, this.#o.allowRecipientDomains());
    const session = new SmtpSession(job.profile, this.#o.resolver());
    const started = performance.now();
    let outcome: SendOutcome = 'failed';
    let reply: string | null = null;
    let accepted: SendReport['accepted'] = [];
    let rejected: SendReport['rejected'] = [];
    let error: string | null;
    let explanation: string | null;
    try {
      if ((await session.open()) && (await session.authenticate())) {
        const size = session.capabilities?.size ?? null;
        if (size !== null && size > 0 && job.raw.length > size) {
          outcome = 'refused';
          error = `the message is ${job.raw.length} bytes; the server accepts at most ${size} (SIZE)`;
          explanation = `Refused before MAIL FROM: ${error}. Make the attachments smaller.`;
          session.transcript.note(explanation);
        } else {
          const result = await this.#transfer(session, job);
          ({ outcome, reply, accepted, rejected, error, explanation } = result);
        }
      } else {
        error = session.failure?.message ?? 'the connection failed';
        explanation = session.failure?.explanation ?? null;
        reply = session.failure?.reply ?? null;
      }
    } finally {
      session.close();
    }
    const base = session.report();
    const report: Omit<SendReport, 'id'> = {
      outcome,
      accepted,
      rejected,
      reply,
      messageId: job.messageId,
      envelope: job.envelope,
      ms: Math.round(performance.now() - started),
      size: job.raw.length,
      tls: base.tls,
      transcript: base.transcript,
      explanation,
      error,
    };
    const id = await this.#o.history.insert({
      kind: job.kind,
      profileId: job.profileId,
      profileName: job.profile.name,
      host: job.profile.host,
      port: job.profile.port,
      subject: job.subject,
      report,
      raw: job.raw,
    });
    await this.#o.recorded(id, outcome);
    return { ...report, id };
  }

  async #transfer(session: SmtpSession, job: SendJob) {
    const conn = session.connection!;
    const t = session.transcript;
    const mailIndex = t.lines.length;
    const result = await new Promise<{ info?: SMTPConnection.SentMessageInfo; err?: NodeError }>((resolve) => {
      const onError = (err: NodeError) => resolve({ err });
      conn.once('error', onError);
      conn.once('end', () =>
        resolve({ err: Object.assign(new Error('the server closed the connection'), { code: 'ECONNECTION' }) }),
      );
      // A copy: nodemailer writes its bookkeeping (rejectedErrors) into the envelope it is given.
      conn.send({ from: job.envelope.from, to: [...job.envelope.to] }, job.raw, (err, info) => {
        conn.removeListener('error', onError);
        resolve(err ? { err: err } : { info });
      });
    });
    const replies = rcptReplies(t.lines.slice(mailIndex));
    const accepted: SendReport['accepted'] = [];
    const rejected: SendReport['rejected'] = [];
    for (const [address, r] of replies) (/^2/.test(r) ? accepted : rejected).push({ address, reply: r });
    if (result.info) {
      const info = result.info;
      const outcome: SendOutcome = rejected.length > 0 ? 'partial' : 'delivered';
      return { outcome, reply: info.response ?? null, accepted, rejected, error: null, explanation: null };
    }
    const err = result.err!;
    const reply = err.response ?? null;
    const sawData = t.lines.slice(mailIndex).some((l) => l.dir === 'C' && /^DATA$/i.test(l.text));
    const dataAccepted = t.lines.slice(mailIndex).some((l) => l.dir === 'S' && /^354[ -]/.test(l.text));
    const dropped = !reply && dataAccepted;
    const outcome: SendOutcome = reply && /^[45]/.test(reply) ? 'rejected' : 'failed';
    const step = sawData ? 'DATA' : (err.command ?? 'send');
    const message = dropped ? `the connection dropped during DATA: ${err.message}` : err.message;
    if (dropped) t.note('the server dropped the connection during DATA; the message may or may not have been kept');
    const explanation = dropped
      ? 'The server dropped the connection while the message was being sent (mid-DATA). It was not acknowledged, so treat it as not delivered.'
      : explainFailure({
          host: job.profile.host,
          port: job.profile.port,
          security: job.profile.security,
          step,
          ...(err.code ? { code: err.code } : {}),
          message: err.message,
          ...(reply ? { reply } : {}),
        });
    return {
      outcome,
      reply,
      accepted: sawData ? accepted : accepted.map((a) => a),
      rejected,
      error: message,
      explanation,
    };
  }
}

/** Each RCPT TO with its reply, in order: replies come back in command order, pipelined or not. */
function rcptReplies(lines: readonly { dir: string; text: string }[]): Map<string, string> {
  const commands: string[] = [];
  const replies: string[] = [];
  let current: string[] = [];
  let afterMail = false;
  for (const l of lines) {
    if (l.dir === 'C') {
      const m = /^RCPT TO:<([^>]*)>/i.exec(l.text);
      if (m) commands.push(m[1]!);
      if (/^MAIL FROM:/i.test(l.text)) afterMail = true;
    } else if (l.dir === 'S' && afterMail) {
      current.push(l.text);
      if (!/^\d{3}-/.test(l.text)) {
        replies.push(current.join('\n'));
        current = [];
      }
    }
  }
  // The first reply after MAIL FROM answers MAIL itself.
  const out = new Map<string, string>();
  commands.forEach((address, i) => {
    const r = replies[i + 1];
    if (r !== undefined) out.set(address, r);
  });
  return out;
}
