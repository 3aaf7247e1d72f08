// The SMTP reply-code explainer: basic reply codes (RFC 5321 §4.2, plus the AUTH and TLS codes of RFC 4954 and
// RFC 3207) and enhanced status codes (RFC 3463 and the IANA "SMTP Enhanced Status Codes" registry), each with a
// plain-words explanation of what happened and what to try. Used by the composer (connection tests, send results),
// capture session transcripts and the lookup on the Compose page.
// No imports at all: the renderer loads it at run time, so it must not pull zod, node or DOM modules.

export type ReplyClass = 'success' | 'intermediate' | 'transient' | 'permanent' | 'unknown';

export interface BasicCodeInfo {
  code: number;
  /** The reply's meaning as the RFC names it. */
  meaning: string;
  /** What it means for the person testing, and what to try. */
  explanation: string;
}

export interface EnhancedCodeInfo {
  code: string;
  /** The class digit: 2 success, 4 persistent transient failure, 5 permanent failure. */
  class: string;
  subject: string;
  /** The IANA registry's name of the subject.detail pair, or null when the pair is not registered. */
  detail: string | null;
  explanation: string;
}

export interface ReplyExplanation {
  /** The basic code, or null when the text does not start with one. */
  code: number | null;
  enhanced: string | null;
  kind: ReplyClass;
  basic: BasicCodeInfo | null;
  enhancedInfo: EnhancedCodeInfo | null;
  /** One sentence to show next to the raw reply. */
  summary: string;
}

const BASIC: Record<number, [meaning: string, explanation: string]> = {
  211: ['System status', 'The server answered a status request.'],
  214: ['Help message', 'The server answered HELP.'],
  220: ['Service ready', 'The server greets the client and is ready for EHLO.'],
  221: ['Closing connection', 'The server ends the session, normally after QUIT.'],
  235: ['Authentication succeeded', 'The credentials were accepted (RFC 4954).'],
  250: ['Requested action completed', 'The command worked; after DATA it means the server took the message.'],
  251: ['User not local; will forward', 'The server accepted the recipient and will forward the message elsewhere.'],
  252: [
    'Cannot verify the user, but will try delivery',
    'The server neither confirms nor denies that the mailbox exists (a VRFY answer).',
  ],
  334: ['Server challenge', 'AUTH continues: the server waits for the next (base64) part of the credentials.'],
  354: ['Start mail input', 'The server waits for the message, ended by a line with a single dot.'],
  421: [
    'Service not available, closing connection',
    'The server is shutting the session down: it is overloaded, throttling this client or restarting. Try again later, with fewer connections.',
  ],
  432: ['Password transition needed', 'The account needs a password change before it can use this mechanism.'],
  450: [
    'Mailbox unavailable (temporary)',
    'The mailbox is busy or locked, or a policy such as greylisting deferred it. A real sender retries later.',
  ],
  451: [
    'Local error in processing (temporary)',
    'The server failed while handling the command, or it greylists new senders. Retrying after a few minutes usually works.',
  ],
  452: [
    'Insufficient system storage (temporary)',
    'The server is out of space, or too many recipients or too much data were given for now. Send less or retry later.',
  ],
  454: [
    'TLS or authentication temporarily unavailable',
    'The server cannot start TLS or check credentials right now (RFC 3207, RFC 4954). Retry later.',
  ],
  455: ['Server unable to accommodate parameters', 'The server cannot honour the MAIL or RCPT parameters right now.'],
  500: [
    'Syntax error, command unrecognized',
    'The server did not understand the command; the client or a proxy is broken.',
  ],
  501: ['Syntax error in parameters or arguments', 'An address or argument is malformed.'],
  502: ['Command not implemented', 'The server does not support this command.'],
  503: [
    'Bad sequence of commands',
    'A command came in the wrong order, for example MAIL before EHLO, or mail without the AUTH the server requires.',
  ],
  504: [
    'Command parameter not implemented',
    'The server does not support that parameter, such as this AUTH mechanism.',
  ],
  521: ['Server does not accept mail', 'This host never accepts mail (RFC 7504). Use another server.'],
  523: ['Encryption needed', 'The server requires an encrypted connection for this (RFC 5248).'],
  530: [
    'Authentication or encryption required',
    'The server wants the client to issue STARTTLS (or to authenticate) before this command. Use STARTTLS or implicit TLS and log in.',
  ],
  534: ['Authentication mechanism is too weak', 'Pick a stronger AUTH mechanism, or use TLS first.'],
  535: [
    'Authentication credentials invalid',
    'The user name or password (or token) is wrong, or the account may not use SMTP AUTH. Check the credentials and whether the account needs an app password.',
  ],
  538: [
    'Encryption required for requested authentication mechanism',
    'The server refuses to take credentials over a plain connection. Use STARTTLS or implicit TLS before AUTH.',
  ],
  550: [
    'Mailbox unavailable (permanent)',
    'The recipient does not exist, or a policy refused it (relaying denied, sender blocked). Sending again will fail the same way.',
  ],
  551: ['User not local', 'The server will not forward to this recipient; try the address it names.'],
  552: [
    'Exceeded storage allocation',
    'The message is too big for the server or the mailbox is full. Send a smaller message.',
  ],
  553: ['Mailbox name not allowed', 'The address is malformed, or the sender address is not one this account may use.'],
  554: [
    'Transaction failed',
    'The server refused the message or connection for policy reasons (spam filter, blocklist, content rule). The text usually says which.',
  ],
  555: ['MAIL or RCPT parameters not recognized', 'A parameter such as SIZE, BODY or SMTPUTF8 was refused.'],
  556: ['Domain does not accept mail', 'The recipient domain publishes that it never accepts mail (RFC 7504).'],
};

const CLASS: Record<string, [name: string, explanation: string]> = {
  '2': ['Success', 'The action was completed.'],
  '4': [
    'Persistent transient failure',
    'The message could not be handled now but may be later; a sender should retry.',
  ],
  '5': ['Permanent failure', 'Sending the same message again will fail the same way; something must change first.'],
};

const SUBJECT: Record<string, string> = {
  '0': 'Other or undefined status',
  '1': 'Addressing status',
  '2': 'Mailbox status',
  '3': 'Mail system status',
  '4': 'Network and routing status',
  '5': 'Mail delivery protocol status',
  '6': 'Message content or media status',
  '7': 'Security or policy status',
};

/** The IANA registry's subject.detail pairs, with what each means for someone testing a server. */
const DETAIL: Record<string, [name: string, explanation: string]> = {
  '0.0': ['Other undefined status', 'The server gave no more specific reason; read the reply text.'],
  '1.0': ['Other address status', 'Something is wrong with an address.'],
  '1.1': ['Bad destination mailbox address', 'The mailbox does not exist at that domain. Check the spelling.'],
  '1.2': ['Bad destination system address', 'The domain of the address does not exist or cannot receive mail.'],
  '1.3': ['Bad destination mailbox address syntax', 'The recipient address is malformed.'],
  '1.4': ['Destination mailbox address ambiguous', 'The address matches more than one mailbox.'],
  '1.5': ['Destination address valid', 'The recipient address is fine.'],
  '1.6': ['Destination mailbox has moved, no forwarding address', 'The mailbox moved; ask for the new address.'],
  '1.7': ['Bad sender’s mailbox address syntax', 'The MAIL FROM address is malformed.'],
  '1.8': ['Bad sender’s system address', 'The sender’s domain does not exist or cannot receive replies.'],
  '1.9': ['Message relayed to non-compliant mailer', 'The message went to a system that cannot confirm delivery.'],
  '1.10': ['Recipient address has null MX', 'The recipient domain publishes that it never accepts mail (RFC 7505).'],
  '2.0': ['Other or undefined mailbox status', 'The mailbox exists but something about it stops delivery.'],
  '2.1': ['Mailbox disabled, not accepting messages', 'The mailbox is disabled.'],
  '2.2': ['Mailbox full', 'The recipient’s mailbox is over its quota.'],
  '2.3': ['Message length exceeds administrative limit', 'The message is bigger than this mailbox accepts.'],
  '2.4': ['Mailing list expansion problem', 'A mailing list address could not be expanded.'],
  '3.0': ['Other or undefined mail system status', 'The receiving system had a problem of its own.'],
  '3.1': ['Mail system full', 'The receiving system is out of storage.'],
  '3.2': ['System not accepting network messages', 'The system is shutting down or not taking mail now.'],
  '3.3': ['System not capable of selected features', 'The system cannot provide a requested feature.'],
  '3.4': ['Message too big for system', 'The message is bigger than the server accepts (see its SIZE).'],
  '3.5': ['System incorrectly configured', 'The receiving system is misconfigured.'],
  '3.6': ['Requested priority was changed', 'The message was accepted at another priority.'],
  '4.0': ['Other or undefined network or routing status', 'A routing problem the server did not detail.'],
  '4.1': ['No answer from host', 'The next server did not answer.'],
  '4.2': ['Bad connection', 'The connection to the next server broke.'],
  '4.3': ['Directory server failure', 'A lookup the server needed (DNS, LDAP) failed.'],
  '4.4': ['Unable to route', 'No route to the destination was found (no MX or A record).'],
  '4.5': ['Mail system congestion', 'The server is congested; slow down and retry.'],
  '4.6': ['Routing loop detected', 'The message went round in a loop between servers.'],
  '4.7': ['Delivery time expired', 'The server gave up retrying.'],
  '4.8': ['Mail system congestion', 'The server is congested; slow down and retry.'],
  '5.0': ['Other or undefined protocol status', 'A protocol problem the server did not detail.'],
  '5.1': ['Invalid command', 'The server did not recognise a command.'],
  '5.2': ['Syntax error', 'A command was malformed.'],
  '5.3': ['Too many recipients', 'Send to fewer recipients per message.'],
  '5.4': ['Invalid command arguments', 'A command had a bad argument.'],
  '5.5': ['Wrong protocol version', 'The client and server disagree on the protocol.'],
  '5.6': ['Authentication exchange line is too long', 'The AUTH line was longer than the server accepts.'],
  '6.0': ['Other or undefined media error', 'The server had a problem with the message content.'],
  '6.1': ['Media not supported', 'A part of the message uses a media type the server refuses.'],
  '6.2': ['Conversion required and prohibited', 'The message would need conversion, which is not allowed.'],
  '6.3': ['Conversion required but not supported', 'The message needs a conversion the server cannot do.'],
  '6.4': ['Conversion with loss performed', 'The message was converted and lost something.'],
  '6.5': ['Conversion failed', 'Converting the message failed.'],
  '6.6': ['Message content not available', 'The content referred to is not available.'],
  '6.7': [
    'Non-ASCII addresses not permitted for that sender/recipient',
    'Use ASCII addresses, or a server with SMTPUTF8.',
  ],
  '6.8': ['UTF-8 string reply is required, but not permitted by the SMTP client', 'The reply needs SMTPUTF8.'],
  '6.9': [
    'UTF-8 header message cannot be transferred to one or more recipients',
    'A recipient cannot take UTF-8 headers.',
  ],
  '6.10': ['Reserved', 'Registered as a duplicate of 6.8; treat as a UTF-8 problem.'],
  '7.0': ['Other or undefined security status', 'A security or policy rule stopped the message.'],
  '7.1': [
    'Delivery not authorized, message refused',
    'Policy refused it: relaying denied, sender blocked or greylisted. Authenticate, or use an allowed sender.',
  ],
  '7.2': ['Mailing list expansion prohibited', 'The sender may not post to this list.'],
  '7.3': ['Security conversion required but not possible', 'The message would need a security conversion.'],
  '7.4': ['Security features not supported', 'A requested security feature is not available.'],
  '7.5': ['Cryptographic failure', 'Decrypting or checking a signature failed.'],
  '7.6': ['Cryptographic algorithm not supported', 'The algorithm used is not supported.'],
  '7.7': ['Message integrity failure', 'The message was altered on the way.'],
  '7.8': ['Authentication credentials invalid', 'The user name, password or token is wrong.'],
  '7.9': ['Authentication mechanism is too weak', 'Use a stronger AUTH mechanism.'],
  '7.10': ['Encryption needed', 'Encrypt the connection (STARTTLS or implicit TLS) first.'],
  '7.11': ['Encryption required for requested authentication mechanism', 'Start TLS before AUTH.'],
  '7.12': ['A password transition is needed', 'The account must change its password first.'],
  '7.13': ['User account disabled', 'The account is disabled.'],
  '7.14': ['Trust relationship required', 'The servers need a trust relationship to exchange this.'],
  '7.15': ['Priority level is too low', 'The message priority is too low to be accepted now.'],
  '7.16': ['Message is too big for the specified priority', 'Send it smaller or at another priority.'],
  '7.17': ['Mailbox owner has changed', 'The mailbox now belongs to someone else (RFC 7293).'],
  '7.18': ['Domain owner has changed', 'The domain now belongs to someone else (RFC 7293).'],
  '7.19': ['RRVS test cannot be completed', 'The Require-Recipient-Valid-Since test could not be done.'],
  '7.20': ['No passing DKIM signature found', 'The receiver wants a valid DKIM signature; sign the message.'],
  '7.21': ['No acceptable DKIM signature found', 'The DKIM signature does not meet the receiver’s rules.'],
  '7.22': ['No valid author-matched DKIM signature found', 'Sign with a key of the From domain.'],
  '7.23': ['SPF validation failed', 'The sending IP is not allowed by the sender domain’s SPF record.'],
  '7.24': ['SPF validation error', 'The SPF record could not be evaluated.'],
  '7.25': ['Reverse DNS validation failed', 'The sending IP has no matching reverse DNS.'],
  '7.26': ['Multiple authentication checks failed', 'Several of SPF, DKIM and DMARC failed.'],
  '7.27': ['Sender address has null MX', 'The sender domain cannot receive replies (RFC 7505).'],
  '7.28': ['Mail flood detected', 'Too much similar mail was sent; slow down.'],
  '7.29': ['ARC validation failure', 'The ARC chain did not validate.'],
  '7.30': ['REQUIRETLS support required', 'The message requires TLS all the way, which a hop cannot do (RFC 8689).'],
};

/** A reply longer than this is only read for its first line; nothing real carries its code further in. */
const MAX_REPLY_CHARS = 4096;
const REPLY_START = /^\s*([2-5]\d\d)(?:[ -]|$)(?:\s*([245])\.(\d{1,3})\.(\d{1,3})\b)?/;
const ENHANCED_ONLY = /^\s*([245])\.(\d{1,3})\.(\d{1,3})\s*$/;

export function explainBasicCode(code: number): BasicCodeInfo | null {
  const entry = BASIC[code];
  if (entry) return { code, meaning: entry[0], explanation: entry[1] };
  const first = Math.floor(code / 100);
  if (first < 2 || first > 5 || !Number.isInteger(code)) return null;
  return {
    code,
    meaning: `Unregistered ${first}xx reply`,
    explanation: classExplanation(kindOf(code)),
  };
}

export function explainEnhancedCode(code: string): EnhancedCodeInfo | null {
  const m = ENHANCED_ONLY.exec(code);
  if (!m) return null;
  const [, cls, subject, detail] = m as unknown as [string, string, string, string];
  const subjectName = SUBJECT[subject];
  if (!subjectName) return null;
  const pair = DETAIL[`${subject}.${detail}`];
  const [className, classText] = CLASS[cls]!;
  return {
    code: `${cls}.${subject}.${detail}`,
    class: className,
    subject: subjectName,
    detail: pair ? pair[0] : null,
    explanation: pair ? `${pair[1]} (${className.toLowerCase()})` : `${subjectName}. ${classText}`,
  };
}

/**
 * Explains a reply as a server sent it (`550 5.1.1 <x@y>: user unknown`), a bare code (`535`), or a bare enhanced
 * code (`4.7.1`). `enhanced` overrides the enhanced code read from the text.
 */
export function explainReply(reply: string, enhanced?: string): ReplyExplanation {
  const text = reply.slice(0, MAX_REPLY_CHARS).split(/\r?\n/)[0] ?? '';
  const m = REPLY_START.exec(text);
  const bare = m ? null : ENHANCED_ONLY.exec(text);
  const code = m ? Number(m[1]) : null;
  const enhancedCode = enhanced?.trim() || (m && m[2] ? `${m[2]}.${m[3]}.${m[4]}` : bare ? text.trim() : null);
  const basic = code === null ? null : explainBasicCode(code);
  const enhancedInfo = enhancedCode ? explainEnhancedCode(enhancedCode) : null;
  const kind: ReplyClass =
    code !== null ? kindOf(code) : enhancedInfo ? kindOf(Number(enhancedInfo.code[0]) * 100) : 'unknown';
  let summary: string;
  if (!basic && !enhancedInfo) summary = 'Not an SMTP reply code: a reply starts with three digits such as 250 or 550.';
  else if (basic) {
    // The enhanced detail is added when it says more than the basic code: "Other …" pairs only repeat the class.
    const detail = enhancedInfo?.detail && !/^Other /.test(enhancedInfo.detail) ? enhancedInfo : null;
    summary = `${basic.meaning}. ${basic.explanation}`;
    if (detail) summary += ` ${detail.code}: ${detail.detail}. ${detail.explanation}`;
  } else summary = `${enhancedInfo!.detail ?? enhancedInfo!.subject}. ${enhancedInfo!.explanation}`;
  return { code, enhanced: enhancedInfo?.code ?? null, kind, basic, enhancedInfo, summary };
}

function kindOf(code: number): ReplyClass {
  const first = Math.floor(code / 100);
  return first === 2
    ? 'success'
    : first === 3
      ? 'intermediate'
      : first === 4
        ? 'transient'
        : first === 5
          ? 'permanent'
          : 'unknown';
}

function classExplanation(kind: ReplyClass): string {
  switch (kind) {
    case 'success':
      return 'The command worked.';
    case 'intermediate':
      return 'The server waits for more from the client.';
    case 'transient':
      return 'A temporary failure: a sender should retry later.';
    case 'permanent':
      return 'A permanent failure: sending again will fail the same way.';
    default:
      return 'Not an SMTP reply.';
  }
}
