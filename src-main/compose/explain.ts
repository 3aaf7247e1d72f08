// Plain words for why a connection or a send failed: network errors, the wrong TLS mode for the port, and SMTP
// replies (through the shared reply-code explainer).
import { explainReply } from '../../src-shared/reply-codes.js';
import type { SecurityMode } from '../../src-shared/index.js';

/** The ports whose convention is known: 465 implicit TLS (RFC 8314), 587 and 25 plain with STARTTLS. */
const IMPLICIT_TLS_PORTS = new Set([465]);
const STARTTLS_PORTS = new Set([25, 587, 2525]);

export interface FailureContext {
  host: string;
  port: number;
  security: SecurityMode;
  /** The step that failed. */
  step: string;
  /** nodemailer's or node's error code (ECONNREFUSED, ETIMEDOUT, EAUTH, ETLS…). */
  code?: string;
  message: string;
  /** The server's reply, when one caused the failure. */
  reply?: string;
}

export function explainFailure(f: FailureContext): string {
  const where = `${f.host}:${f.port}`;
  if (f.reply && /^[2-5]\d\d/.test(f.reply.trim())) return explainServerReply(f);
  switch (f.code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'ENODATA':
    case 'EDNS':
      return `The name ${f.host} does not resolve to any address (${f.code}). Check the spelling, or the DNS servers Mailwright uses.`;
    case 'ECONNREFUSED':
      return `Nothing listens on ${where} (connection refused). The server is down, the port is wrong, or a firewall rejects it.`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `No route to ${f.host} (${f.code}): the network or a firewall blocks it.`;
    case 'ECONNRESET':
      return `The server closed the connection abruptly at the ${f.step} step.${wrongModeHint(f)}`;
    case 'ETIMEDOUT':
      if (f.step === 'tcp')
        return `No answer from ${where} within the connection timeout: a firewall probably drops the packets, or the host is down.`;
      if (f.step === 'greeting')
        return `Connected, but the server sent no greeting.${wrongModeHint(f) || ' The server may be overloaded or tarpitting this client.'}`;
      return `The server stopped answering during ${f.step}.`;
    default:
      break;
  }
  if (
    f.step === 'tls' ||
    f.step === 'starttls' ||
    f.code === 'ETLS' ||
    /SSL|TLS|wrong version number|packet length/i.test(f.message)
  ) {
    return `The TLS handshake failed: ${f.message}.${wrongModeHint(f)}`;
  }
  if (f.step === 'greeting' && /closed/i.test(f.message)) {
    return `The server closed the connection before greeting.${wrongModeHint(f)}`;
  }
  return `${f.step} failed: ${f.message}`;
}

function explainServerReply(f: FailureContext): string {
  const reply = f.reply!.trim();
  const code = Number(reply.slice(0, 3));
  const e = explainReply(reply);
  switch (code) {
    case 530:
      return `The server wants TLS (or AUTH) before this command (530). Use the STARTTLS or implicit TLS security mode, and log in. ${e.summary}`;
    case 535:
      return `Authentication failed (535): the user name or password (or token) is wrong, or this account may not use SMTP AUTH.`;
    case 538:
      return `The server will not take credentials over a plain connection (538). Use STARTTLS or implicit TLS before AUTH.`;
    case 554:
      return `The server refused for policy reasons (554): ${reply}. ${e.basic?.explanation ?? ''}`.trim();
    default:
      return e.summary;
  }
}

/** A hint when the port's convention and the chosen mode disagree. */
export function wrongModeHint(f: Pick<FailureContext, 'port' | 'security'>): string {
  if (IMPLICIT_TLS_PORTS.has(f.port) && f.security !== 'implicit')
    return ` Port ${f.port} normally speaks implicit TLS from the first byte: choose the "implicit TLS" security mode.`;
  if (STARTTLS_PORTS.has(f.port) && f.security === 'implicit')
    return ` Port ${f.port} normally starts in plain text and upgrades with STARTTLS: choose a STARTTLS security mode.`;
  if (f.security === 'implicit')
    return ' This port may expect plain SMTP (with or without STARTTLS) rather than implicit TLS.';
  return ' If this port expects implicit TLS, choose the "implicit TLS" security mode.';
}
