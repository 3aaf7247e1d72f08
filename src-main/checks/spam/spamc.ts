// The SPAMC protocol (SpamAssassin's spamd), spoken directly: it is a request line, two headers and the message,
// and the npm clients for it are unmaintained. REPORT gives the score, the threshold and the rule table.
// Must not import electron, serve/ or another capability's folder.
import net from 'node:net';
import type { SpamReport } from '../../../src-shared/contract/checks.js';

/** Where spamd listens by default (its own default port). */
export const DEFAULT_SPAMD = '127.0.0.1:783';
/** spamd scans a big message for seconds; a minute covers a cold start without hanging the UI forever. */
const SPAMD_TIMEOUT_MS = 60_000;
/** spamc's own default refuses messages over 500 KB; 10 MB covers any test message and bounds the upload. */
export const MAX_SPAMC_BYTES = 10 * 1024 * 1024;
/** A report is a few KB; the rule table of a hostile message is bounded by spamd, this bounds what we read. */
const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

export interface SpamdAddress {
  host: string;
  port: number;
}

export function parseSpamdAddress(text: string): SpamdAddress {
  const t = text.trim() || DEFAULT_SPAMD;
  const m = /^(?:\[([^\]]+)\]|([^:\s]+))(?::(\d{1,5}))?$/.exec(t);
  const host = m?.[1] ?? m?.[2];
  const port = Number(m?.[3] ?? '783');
  if (!host || !Number.isInteger(port) || port < 1 || port > 65535)
    throw new Error(`spamd address "${text}" is not host:port`);
  return { host, port };
}

function label(a: SpamdAddress): string {
  return net.isIPv6(a.host) ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}

/** One SPAMC exchange: sends the request and returns the whole response (headers and body). */
function exchange(address: SpamdAddress, request: Buffer, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: address.host, port: address.port });
    const chunks: Buffer[] = [];
    let total = 0;
    socket.setTimeout(timeoutMs, () => socket.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
    socket.on('connect', () => {
      socket.end(request); // half-close: spamd reads to Content-length and answers
    });
    socket.on('data', (chunk: Buffer) => {
      total += chunk.length;
      if (total > MAX_RESPONSE_BYTES) socket.destroy(new Error(`answer larger than ${MAX_RESPONSE_BYTES} bytes`));
      else chunks.push(chunk);
    });
    socket.on('error', reject);
    socket.on('close', (hadError) => {
      if (!hadError) resolve(Buffer.concat(chunks));
    });
  });
}

/** PING: true when a spamd answers PONG. */
export async function pingSpamd(address: SpamdAddress, timeoutMs = 2000): Promise<boolean> {
  try {
    const answer = await exchange(address, Buffer.from('PING SPAMC/1.5\r\n\r\n'), timeoutMs);
    return /^SPAMD\/[\d.]+ 0 PONG/.test(answer.toString('latin1'));
  } catch {
    return false;
  }
}

export async function spamReport(raw: Buffer, spamd: string): Promise<SpamReport> {
  let address: SpamdAddress;
  try {
    address = parseSpamdAddress(spamd);
  } catch (err) {
    return failed(spamd, (err as Error).message, false);
  }
  const where = label(address);
  if (raw.length > MAX_SPAMC_BYTES)
    return failed(
      where,
      `the message is ${raw.length} bytes; spamd is only asked about messages up to ${MAX_SPAMC_BYTES}`,
      true,
    );
  const request = Buffer.concat([
    Buffer.from(`REPORT SPAMC/1.5\r\nContent-length: ${raw.length}\r\n\r\n`, 'latin1'),
    raw,
  ]);
  let answer: Buffer;
  try {
    answer = await exchange(address, request, SPAMD_TIMEOUT_MS);
  } catch (err) {
    const code = (err as { code?: string }).code;
    const why =
      code === 'ECONNREFUSED'
        ? 'nothing listens there'
        : code === 'ETIMEDOUT'
          ? `no answer within ${SPAMD_TIMEOUT_MS / 1000} s`
          : (err as Error).message;
    return failed(
      where,
      `spamd not reachable at ${where}: ${why}. Start spamd or set its address in the Checks settings.`,
      false,
    );
  }
  return parseReport(answer, where);
}

function failed(spamd: string, error: string, reachable: boolean): SpamReport {
  return { spamd, reachable, error, isSpam: null, score: null, threshold: null, rules: [] };
}

/** Reads `SPAMD/1.1 0 EX_OK`, the `Spam: True ; 7.1 / 5.0` header and the rule table of the report body. */
export function parseReport(answer: Buffer, where: string): SpamReport {
  const text = answer.toString('utf8');
  const headEnd = text.indexOf('\r\n\r\n');
  const head = headEnd >= 0 ? text.slice(0, headEnd) : text;
  const body = headEnd >= 0 ? text.slice(headEnd + 4) : '';
  const status = /^SPAMD\/[\d.]+ (\d+) (.*)$/m.exec(head);
  if (!status) return failed(where, `${where} did not answer as spamd: "${head.slice(0, 80)}"`, true);
  if (status[1] !== '0')
    return failed(where, `spamd at ${where} refused the message: ${status[1]} ${status[2] ?? ''}`, true);
  const spam = /^Spam:\s*(True|False|Yes|No)\s*;\s*(-?[\d.]+)\s*\/\s*(-?[\d.]+)/im.exec(head);
  return {
    spamd: where,
    reachable: true,
    error: spam ? null : `spamd at ${where} gave no Spam: header`,
    isSpam: spam ? /^(true|yes)$/i.test(spam[1] ?? '') : null,
    score: spam ? Number(spam[2]) : null,
    threshold: spam ? Number(spam[3]) : null,
    rules: parseRules(body),
  };
}

/** The table after `---- ----…`: points, rule name, description (wrapped lines are indented). */
function parseRules(body: string): SpamReport['rules'] {
  const lines = body.split(/\r?\n/);
  const start = lines.findIndex((l) => /^-{3,} -{3,}/.test(l.trim()));
  if (start < 0) return [];
  const rules: SpamReport['rules'] = [];
  for (const line of lines.slice(start + 1)) {
    const row = /^\s*(-?\d+(?:\.\d+)?)\s+([A-Z0-9_]+)\s+(.*)$/.exec(line);
    if (row) rules.push({ points: Number(row[1]), name: row[2] ?? '', description: (row[3] ?? '').trim() });
    else if (/^\s{10,}\S/.test(line) && rules.length) {
      const last = rules[rules.length - 1];
      if (last) last.description = `${last.description} ${line.trim()}`;
    } else if (line.trim() === '') break;
  }
  return rules;
}
