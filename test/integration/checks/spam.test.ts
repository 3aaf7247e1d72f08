// SpamAssassin over the SPAMC protocol against a real spamd on loopback (network tests off): GTUBE scores as spam,
// a clean message scores low, and an address where nothing listens says so in plain words.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spamReport } from '../../../src-main/checks/spam/spamc.js';
import { spamdMissing, startSpamd, type TestSpamd } from '../../helpers/spamd.js';

const GTUBE = 'XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X';

function message(subject: string, body: string): Buffer {
  return Buffer.from(
    `From: Alice <alice@example.test>\r\nTo: bob@example.test\r\nSubject: ${subject}\r\n` +
      `Date: Fri, 04 Dec 2026 08:00:00 +0000\r\nMessage-ID: <spam-test-${subject.length}@example.test>\r\n` +
      `MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${body}\r\n`,
  );
}

const missing = spamdMissing();

describe('spamd not reachable', () => {
  it('names the address when nothing listens there', async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const r = await spamReport(message('hello', 'hi'), `127.0.0.1:${port}`);
    expect(r).toMatchObject({ reachable: false, score: null, spamd: `127.0.0.1:${port}` });
    expect(r.error).toContain(`spamd not reachable at 127.0.0.1:${port}`);
  });
});

describe.skipIf(missing !== null)(`spamd on loopback${missing ? ` (skipped: ${missing})` : ''}`, () => {
  let spamd: TestSpamd;
  beforeAll(async () => {
    spamd = await startSpamd();
  }, 200_000);
  afterAll(async () => {
    await spamd?.stop();
  });

  it('scores GTUBE as spam with its rule, points and description', async () => {
    const r = await spamReport(message('test', GTUBE), spamd.address);
    expect(r).toMatchObject({ reachable: true, error: null, isSpam: true, threshold: 5 });
    expect(r.score).toBeGreaterThan(100);
    const gtube = r.rules.find((rule) => rule.name === 'GTUBE');
    expect(gtube?.points).toBeGreaterThanOrEqual(1000);
    expect(gtube?.description).toContain('Generic Test for Unsolicited Bulk Email');
  }, 120_000);

  it('scores a clean message low', async () => {
    const r = await spamReport(
      message('Lunch on Friday', 'Hi Bob,\r\n\r\nShall we meet for lunch on Friday at noon?\r\n\r\nAlice'),
      spamd.address,
    );
    expect(r.isSpam).toBe(false);
    expect(r.score).not.toBeNull();
    expect(r.score as number).toBeLessThan(3);
  }, 120_000);
});
