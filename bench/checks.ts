// `npm run bench -- --only checks`: every offline check of one message (parse, authentication against a local DNS
// server, deliverability lint, client compatibility, DSN reading) on a 5 KB and a 100 KB signed HTML message,
// run in this process: p50 and p99 per check and for the whole set. Target: the set under 100 ms p50 at 100 KB.
import crypto from 'node:crypto';
import { dkimSign } from 'mailauth';
import { authenticateMessage } from '../src-main/checks/auth/authenticate.js';
import { compatFindings, expandClients } from '../src-main/checks/compat/compat.js';
import { DEFAULT_COMPAT_CLIENTS } from '../src-shared/contract/checks-settings.js';
import { DnsResolver } from '../src-main/checks/dns/resolver.js';
import { readDsn } from '../src-main/checks/dsn/dsn.js';
import { lintMessage } from '../src-main/checks/lint/lint.js';
import { parseForChecks } from '../src-main/checks/parsed.js';
import { startDnsServer } from '../test/helpers/dns-server.js';
import { fmt, percentile } from './stats.js';

export interface ChecksBenchRow {
  size: string;
  check: string;
  p50: number;
  p99: number;
}

/** A newsletter-like block: a table row with inline styles, a link and an image, about 500 bytes. */
const BLOCK =
  '<tr><td style="padding:12px;border-radius:4px;background:#fafafa;display:flex">' +
  '<img src="https://cdn.shop.test/p.png" alt="product" width="120"> ' +
  '<p style="font:14px/1.4 Arial,sans-serif;color:#333">A product worth reading about, with a sentence or two of ' +
  'copy and a <a href="https://shop.test/p?id=1">link to its page</a>.</p></td></tr>\n';

function message(bytes: number): string {
  const rows = Math.max(1, Math.round(bytes / BLOCK.length));
  const html = `<html><head><style>.x{display:flex}</style></head><body><table>\n${BLOCK.repeat(rows)}</table></body></html>`;
  return (
    'From: Shop <news@shop.test>\r\nTo: qa@example.test\r\nSubject: This week at the shop\r\n' +
    'Date: Fri, 04 Dec 2026 08:00:00 +0000\r\nMessage-ID: <bench@shop.test>\r\nMIME-Version: 1.0\r\n' +
    'List-Unsubscribe: <https://shop.test/u>\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n' +
    `Content-Type: text/html; charset=utf-8\r\n\r\n${html}\r\n`
  );
}

export async function runChecksBench(options: {
  iterations: number;
  log: (line: string) => void;
}): Promise<ChecksBenchRow[]> {
  const keys = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pub = keys.publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  const dns = await startDnsServer({
    'shop.test': [{ type: 'TXT', data: 'v=spf1 ip4:192.0.2.1 -all' }],
    '_dmarc.shop.test': [{ type: 'TXT', data: 'v=DMARC1; p=reject; rua=mailto:d@shop.test' }],
    'bench._domainkey.shop.test': [{ type: 'TXT', data: `v=DKIM1; k=rsa; p=${pub}` }],
  });
  const rows: ChecksBenchRow[] = [];
  // The clients the app scores by default (six families, 17 clients).
  const clients = expandClients(DEFAULT_COMPAT_CLIENTS);
  try {
    // The resolver caches as in the app: the first message pays for the lookups, the rest read the cache.
    const resolver = new DnsResolver({ servers: [dns.address], timeoutMs: 5000 });
    for (const [size, bytes] of [
      ['5 KB', 5 * 1024],
      ['100 KB', 100 * 1024],
    ] as const) {
      const plain = message(bytes);
      const signed = await dkimSign(plain, {
        signatureData: [
          {
            signingDomain: 'shop.test',
            selector: 'bench',
            privateKey: keys.privateKey.export({ type: 'pkcs8', format: 'pem' }),
          },
        ],
      } as never);
      const raw = Buffer.from(signed.signatures + plain);
      const times: Record<string, number[]> = { parse: [], auth: [], lint: [], compat: [], dsn: [], all: [] };
      for (let i = 0; i < options.iterations; i++) {
        const t0 = performance.now();
        const parsed = await parseForChecks(raw);
        const t1 = performance.now();
        const auth = await authenticateMessage(
          raw,
          { ip: '192.0.2.1', helo: 'mta.shop.test', mailFrom: 'bounce@shop.test' },
          resolver.recorder(),
        );
        const t2 = performance.now();
        lintMessage(parsed, { dkimPassDomains: auth.dkim.filter((s) => s.result === 'pass').map((s) => s.domain) });
        const t3 = performance.now();
        if (parsed.html) compatFindings(parsed.html, clients);
        const t4 = performance.now();
        readDsn(parsed);
        const t5 = performance.now();
        if (auth.dmarc.result !== 'pass') throw new Error(`bench message did not pass DMARC: ${auth.dmarc.reason}`);
        times.parse!.push(t1 - t0);
        times.auth!.push(t2 - t1);
        times.lint!.push(t3 - t2);
        times.compat!.push(t4 - t3);
        times.dsn!.push(t5 - t4);
        times.all!.push(t5 - t0);
      }
      for (const [check, values] of Object.entries(times))
        rows.push({ size, check, p50: percentile(values, 50), p99: percentile(values, 99) });
      options.log(
        `  ${size.padEnd(7)} ${Object.entries(times)
          .map(([c, v]) => `${c} p50 ${fmt(percentile(v, 50))} / p99 ${fmt(percentile(v, 99))} ms`)
          .join('  ·  ')}`,
      );
    }
  } finally {
    await dns.close();
  }
  return rows;
}
