// Deterministic, realistic test messages for the benchmarks: multipart/alternative (text + HTML),
// each carrying a unique token word in subject and body so a run can prove it was indexed.
// Built once per (size, variant) as a template; per-message cost is one buffer copy + a token write.
import { seededRandom } from '../src-main/capture/faults/random.js';

export type SizeName = '5k' | '100k';
export const SIZE_BYTES: Record<SizeName, number> = { '5k': 5 * 1024, '100k': 100 * 1024 };

/** A word every benchmark message carries: a search for it must find all N. */
export const SHARED_TOKEN = 'mwbenchshared';
export const FROM = 'bench-sender@example.test';
export const TO = 'bench-inbox@example.test';

/** Fixed width so the token can be overwritten in place inside a prebuilt template. */
const TOKEN_DIGITS = 9;
const TOKEN_PLACEHOLDER = 'mwt' + 'Z'.repeat(TOKEN_DIGITS);
/** A handful of bodies so consecutive messages are not byte-identical. */
const VARIANTS = 8;

export function tokenFor(index: number): string {
  return 'mwt' + String(index).padStart(TOKEN_DIGITS, '0');
}

const WORDS = (
  'account action after again against agreement almost already always amount answer anyone ' +
  'appear approach area around article available balance basket before begin behind benefit ' +
  'better between billing bring budget build business calendar campaign change check choose ' +
  'client close company complete confirm contact continue control corner country coupon course ' +
  'create customer daily delivery design detail develop different discount discover document ' +
  'during early effort either enough event every example expect experience explain feature ' +
  'figure follow friend future garden general group growth happen health history holiday ' +
  'however idea important include increase invoice issue itself journey keep kitchen later ' +
  'launch learn letter little local manage market member message minute monthly morning ' +
  'nature network notice number offer office order other owner package partner payment people ' +
  'perhaps picture place plan please policy popular position possible premium price product ' +
  'program project promise provide purchase quality question quickly reason receipt record ' +
  'reduce region release remember report request result return review reward schedule season ' +
  'second service session settings share shipping simple single social special spring status ' +
  'still store story subscribe summer support system team thanks through ticket today together ' +
  'track travel update upgrade usually value various version weekly welcome window winter world'
).split(' ');

// mulberry32, the fault-rule engine's generator: tiny, fast and deterministic across Node versions.
const prng = seededRandom;

function sentence(rand: () => number): string {
  const n = 6 + Math.floor(rand() * 12);
  const words: string[] = [];
  for (let i = 0; i < n; i++) words.push(WORDS[Math.floor(rand() * WORDS.length)] ?? 'update');
  const first = words[0] ?? 'update';
  words[0] = first.charAt(0).toUpperCase() + first.slice(1);
  return words.join(' ') + '.';
}

/** Wraps at 76 columns so every line is legal 7bit without any transfer encoding. */
function wrap(text: string, width = 76): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

interface Template {
  bytes: Buffer;
  /** Byte offsets of every placeholder copy, overwritten with the real token per message. */
  offsets: number[];
}

function buildTemplate(size: SizeName, variant: number): Template {
  const rand = prng(0x5eed + variant * 7919 + (size === '5k' ? 0 : 104729));
  const target = SIZE_BYTES[size];
  const boundary = `=_mwbench_${variant}_${size}`;
  const subject = `Your order update ${TOKEN_PLACEHOLDER} ${SHARED_TOKEN}`;
  const head = [
    `From: "Bench Shop" <${FROM}>`,
    `To: "Bench Inbox" <${TO}>`,
    `Subject: ${subject}`,
    'Date: Thu, 01 Jan 2026 12:00:00 +0000',
    `Message-ID: <${TOKEN_PLACEHOLDER}.${variant}@bench.example.test>`,
    'MIME-Version: 1.0',
    'X-Mailer: mailwright-bench',
    `Content-Type: multipart/alternative; boundary="${boundary}"`,
    '',
    'This is a multi-part message in MIME format.',
  ];
  const textLines = [`Hello, here is your update ${TOKEN_PLACEHOLDER} (${SHARED_TOKEN}).`, ''];
  const htmlLines = [
    '<!DOCTYPE html><html><head><meta charset="utf-8"><title>Order update</title></head>',
    '<body style="margin:0;padding:0;background:#f4f4f7;font-family:Arial,sans-serif">',
    '<table role="presentation" width="100%" cellpadding="0" cellspacing="0">',
    `<tr><td style="padding:24px"><h1 style="font-size:20px">Update ${TOKEN_PLACEHOLDER}</h1>`,
  ];
  // The text part takes ~40% and the HTML part ~60% of the budget, as in typical newsletters.
  const overhead = 900;
  let textBytes = 0;
  let htmlBytes = 0;
  while (textBytes + htmlBytes + overhead < target) {
    const para = Array.from({ length: 3 }, () => sentence(rand)).join(' ');
    if (textBytes < (target - overhead) * 0.4) {
      const lines = [...wrap(para), ''];
      textLines.push(...lines);
      textBytes += lines.reduce((s, l) => s + l.length + 2, 0);
    }
    const html = wrap(`<p style="font-size:14px;line-height:20px;color:#333333">${para}</p>`);
    htmlLines.push(...html);
    htmlBytes += html.reduce((s, l) => s + l.length + 2, 0);
  }
  htmlLines.push(
    '<p><a href="https://shop.example.test/orders" style="color:#1a73e8">View your order</a></p>',
    '</td></tr></table></body></html>',
  );
  const lines = [
    ...head,
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 7bit',
    '',
    ...textLines,
    `--${boundary}`,
    'Content-Type: text/html; charset=utf-8',
    'Content-Transfer-Encoding: 7bit',
    '',
    ...htmlLines,
    `--${boundary}--`,
    '',
  ];
  const bytes = Buffer.from(lines.join('\r\n'), 'ascii');
  const offsets: number[] = [];
  for (let at = bytes.indexOf(TOKEN_PLACEHOLDER); at >= 0; at = bytes.indexOf(TOKEN_PLACEHOLDER, at + 1))
    offsets.push(at);
  return { bytes, offsets };
}

const cache = new Map<string, Template>();

function template(size: SizeName, variant: number): Template {
  const key = `${size}:${variant}`;
  let t = cache.get(key);
  if (!t) cache.set(key, (t = buildTemplate(size, variant)));
  return t;
}

/** The raw message (CRLF line ends) number `index` of size class `size`. */
export function buildMessage(size: SizeName, index: number): Buffer {
  const t = template(size, index % VARIANTS);
  const out = Buffer.from(t.bytes);
  const token = tokenFor(index);
  for (const at of t.offsets) out.write(token, at, 'ascii');
  return out;
}

/** The same message with LF line ends, as smtp-source -F wants it (it appends CRLF itself). */
export function buildMessageFile(size: SizeName, index: number): string {
  return buildMessage(size, index).toString('ascii').replace(/\r\n/g, '\n');
}

/** An mbox (mboxrd "From " separators) of messages [start, start + count). */
export function buildMbox(size: SizeName, start: number, count: number): Buffer {
  const parts: Buffer[] = [];
  const sep = Buffer.from(`From ${FROM} Thu Jan  1 12:00:00 2026\n`, 'ascii');
  for (let i = start; i < start + count; i++) {
    // The generator never starts a line with "From ", so no >From quoting is needed.
    parts.push(
      sep,
      Buffer.from(buildMessage(size, i).toString('ascii').replace(/\r\n/g, '\n'), 'ascii'),
      Buffer.from('\n'),
    );
  }
  return Buffer.concat(parts);
}
