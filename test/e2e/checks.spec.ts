// The Checks tab and the Tools page in Chromium against `serve`, with a real DNS server on loopback as the
// resolver setting: authentication with a "what if" sending IP, lint, compatibility for a chosen client (kept
// across a reload), spamd's "not reachable", and the domain check.
import net from 'node:net';
import { startDnsServer, type TestDnsServer } from '../helpers/dns-server.js';
import { expect, rowSelector, test } from './fixtures.js';

let dns: TestDnsServer;

test.beforeAll(async () => {
  dns = await startDnsServer({
    'shop.test': [
      { type: 'TXT', data: 'v=spf1 ip4:192.0.2.1 -all' },
      { type: 'MX', exchange: 'mx.shop.test', priority: 10 },
    ],
    'mx.shop.test': [{ type: 'A', address: '192.0.2.25' }],
    '_dmarc.shop.test': [{ type: 'TXT', data: 'v=DMARC1; p=reject; rua=mailto:d@shop.test' }],
  });
});
test.afterAll(async () => {
  await dns?.close();
});

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const HTML =
  '<html><head><style>\n.row { display: flex; }\n</style></head><body>\n' +
  '<div class="row" style="border-radius: 6px">Hello</div>\n</body></html>';

test('the Checks tab shows auth, lint, spam and compatibility, and Tools checks a domain', async ({ page, mw }) => {
  const spamdPort = await closedPort();
  await mw.call('settings.update', { checks: { dnsServers: [dns.address], spamd: `127.0.0.1:${spamdPort}` } });
  await mw.send({ from: 'news@shop.test', subject: 'Checks tab', html: HTML });
  await page.goto(mw.http);
  await page.locator(rowSelector('Checks tab')).click();
  await page.getByRole('tab', { name: 'Checks' }).click();

  const spf = page.locator('[data-check="spf"]');
  await expect(spf).toContainText('127.0.0.1');
  await expect(page.locator('[data-check="dkim"]')).toContainText('No DKIM signature');
  await page.getByLabel('What if it came from IP').fill('192.0.2.1');
  await page.getByLabel('MAIL FROM').fill('bounce@shop.test');
  await page.getByRole('button', { name: 'Check', exact: true }).click();
  await expect(spf).toContainText('pass');
  await expect(spf).toContainText("shop.test's SPF record allows 192.0.2.1");
  await expect(page.locator('[data-check="dmarc"]')).toContainText('p=reject');
  await expect(page.locator('[data-check="dmarc"]')).toContainText('pass');

  // Opening the checks cached them: the inbox row shows the badge from that cache.
  await expect(page.locator(rowSelector('Checks tab')).getByTestId('check-badges')).toContainText('compat');

  await page.getByRole('tab', { name: 'Lint' }).click();
  await expect(page.locator('[data-finding="html-without-text"]')).toContainText('HTML with no text alternative');

  await page.getByRole('tab', { name: 'Spam' }).click();
  await page.getByRole('button', { name: 'Ask SpamAssassin' }).click();
  await expect(page.locator('[data-check="spam-error"]')).toContainText(
    `spamd not reachable at 127.0.0.1:${spamdPort}`,
  );

  await page.getByRole('tab', { name: 'Compatibility' }).click();
  // Until this browser picks, the score uses the checks.compatClients setting, and the field shows it.
  await expect(page.locator('[data-check="compat-clients-source"]')).toHaveText('from Settings → Checks');
  const fromSetting = await page.getByLabel('Clients').inputValue();
  expect(fromSetting).not.toBe('');
  await page.getByLabel('Clients').fill('outlook.windows');
  await page.getByRole('button', { name: 'Apply' }).click();
  const radius = page.locator('[data-compat="outlook.windows"]', { hasText: 'border-radius' }).first();
  await expect(radius).toContainText('unsupported');
  await expect(radius).toContainText('line 4, column 1');
  await expect(page.locator('[data-check="compat-score"]')).toContainText('Score');

  // The chosen clients are remembered in this browser.
  await page.reload();
  await page.getByRole('tab', { name: 'Compatibility' }).click();
  await expect(page.getByLabel('Clients')).toHaveValue('outlook.windows');
  await expect(page.locator('[data-check="compat-clients-source"]')).toHaveText('chosen in this browser');
  await page.getByRole('button', { name: "Use the setting's" }).click();
  await expect(page.getByLabel('Clients')).toHaveValue(fromSetting);
  await expect(page.locator('[data-check="compat-clients-source"]')).toHaveText('from Settings → Checks');

  await page.getByRole('button', { name: 'Tools' }).click();
  await page.getByLabel('Domain', { exact: true }).fill('shop.test');
  await page.getByRole('button', { name: 'Check', exact: true }).click();
  const report = page.locator('[data-tool="domain"]');
  await expect(report).toContainText('v=spf1 ip4:192.0.2.1 -all');
  await expect(report).toContainText('p=reject');
  await expect(report).toContainText('10 mx.shop.test');
});
