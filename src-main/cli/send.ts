// `mailwright send`: one message through a profile of the running instance, for scripts and CI. Either the
// composer's fields (--to, --cc, --subject, --html FILE, --text FILE) or a whole message (--eml FILE, sent as it
// is). Exit codes: 0 delivered, 1 refused or failed (by the server, a guardrail or the connection), 2 bad input.
import fs from 'node:fs';
import type { ProfileView, SendReport } from '../../src-shared/index.js';
import { CliError, EXIT, call, failure, type Connection } from './client.js';

export interface SendOptions {
  profile: string | undefined;
  from: string | undefined;
  to: string[];
  cc: string[];
  bcc: string[];
  subject: string | undefined;
  html: string | undefined;
  text: string | undefined;
  eml: string | undefined;
  yes: boolean;
  json: boolean;
}

/** The HTTP binding takes 1 MB of JSON; a file past this cannot travel base64 inside it. */
const MAX_FILE_BYTES = 700 * 1024;

function readFile(file: string, flag: string): Buffer {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new CliError(`${flag} ${file}: ${code === 'ENOENT' ? 'no such file' : (code ?? String(err))}`, EXIT.badInput);
  }
  if (bytes.length > MAX_FILE_BYTES)
    throw new CliError(
      `${flag} ${file}: ${bytes.length} bytes, more than the ${MAX_FILE_BYTES} a send takes`,
      EXIT.badInput,
    );
  return bytes;
}

/** A profile by id or by name (names are matched without regard to case). */
async function findProfile(c: Connection, wanted: string): Promise<ProfileView> {
  const answer = await call(c, '/api/profiles');
  if (answer.status !== 200) throw failure(answer, 'profiles');
  const { profiles } = answer.json<{ profiles: ProfileView[] }>();
  const found =
    profiles.find((p) => p.id === wanted) ?? profiles.find((p) => p.name.toLowerCase() === wanted.toLowerCase());
  if (!found)
    throw new CliError(
      `no profile "${wanted}"; there are: ${profiles.map((p) => `${p.id} (${p.name})`).join(', ') || 'none'}`,
      EXIT.badInput,
    );
  return found;
}

function request(o: SendOptions, profile: string): { path: string; body: Record<string, unknown> } {
  const confirm = o.yes ? { confirm: true } : {};
  if (o.eml) {
    if (o.html || o.text || o.subject !== undefined)
      throw new CliError('--eml sends the file as it is: leave out --subject, --html and --text', EXIT.badInput);
    const raw = readFile(o.eml, '--eml');
    const to = [...o.to, ...o.cc, ...o.bcc];
    const envelope = o.from || to.length ? { ...(o.from ? { from: o.from } : {}), ...(to.length ? { to } : {}) } : null;
    return {
      path: '/api/send/raw',
      body: { profile, raw: raw.toString('base64'), ...(envelope ? { envelope } : {}), ...confirm },
    };
  }
  if (o.to.length + o.cc.length + o.bcc.length === 0)
    throw new CliError('send needs --to (or --cc, --bcc), or --eml FILE', EXIT.badInput);
  if (!o.html && !o.text) throw new CliError('send needs --html FILE or --text FILE (or --eml FILE)', EXIT.badInput);
  return {
    path: '/api/send',
    body: {
      profile,
      message: {
        ...(o.from ? { from: o.from } : {}),
        to: o.to,
        cc: o.cc,
        bcc: o.bcc,
        subject: o.subject ?? '',
        ...(o.html ? { html: readFile(o.html, '--html').toString('utf8') } : {}),
        ...(o.text ? { text: readFile(o.text, '--text').toString('utf8') } : {}),
      },
      ...confirm,
    },
  };
}

function describe(r: SendReport): string {
  const lines = [`${r.outcome}: send #${r.id} in ${r.ms} ms, ${r.size} bytes`];
  if (r.messageId) lines.push(`Message-ID: ${r.messageId}`);
  for (const a of r.accepted) lines.push(`accepted ${a.address}: ${a.reply}`);
  for (const a of r.rejected) lines.push(`rejected ${a.address}: ${a.reply}`);
  if (r.reply) lines.push(`reply: ${r.reply}`);
  if (r.error) lines.push(`error: ${r.error}`);
  if (r.explanation) lines.push(r.explanation);
  return `${lines.join('\n')}\n`;
}

export async function sendCommand(c: Connection, o: SendOptions, out: (text: string) => void): Promise<number> {
  if (!o.profile) throw new CliError('send needs --profile NAME', EXIT.badInput);
  const req = request(o, '');
  const profile = await findProfile(c, o.profile);
  req.body.profile = profile.id;
  const answer = await call(c, req.path, { method: 'POST', body: JSON.stringify(req.body) });
  if (answer.status === 403) {
    // A guardrail (the allow-list, or a host that is not this machine without --yes) refused before connecting.
    const hint = /"field":"confirm"/.test(answer.body.toString('utf8')) ? ' (pass --yes)' : '';
    throw new CliError(`${failure(answer, 'send').message}${hint}`, EXIT.refused);
  }
  if (answer.status !== 200)
    throw new CliError(failure(answer, 'send').message, answer.status < 500 ? EXIT.badInput : EXIT.refused);
  const report = answer.json<SendReport>();
  out(o.json ? `${JSON.stringify(report, null, 2)}\n` : describe(report));
  return report.outcome === 'delivered' ? EXIT.ok : EXIT.refused;
}
