// The Blocklists tab and the Tools page's blocklist lookup and address verification in Chromium against `serve`,
// with a real DNS server on loopback playing the DNSBL and URIBL zones, and the address probe answered by the
// serve process's own capture server, where a fault rule refuses one mailbox with 550 5.1.1.
import { startDnsServer, type TestDnsServer } from '../helpers/dns-server.js';
import { expect, rowSelector, test } from './fixtures.js';

let dns: TestDnsServer;

test.beforeAll(async () => {
  dns = await startDnsServer(
    {
      '99.2.0.192.zen.spamhaus.org': [
        { type: 'A', address: '127.0.0.2' },
        { type: 'TXT', data: 'https://check.spamhaus.org/sbl/query/SBL1' },
      ],
      'bad.test.dbl.spamhaus.org': [{ type: 'A', address: '127.0.1.2' }],
      'bad.test.multi.uribl.com': [{ type: 'A', address: '127.0.0.1' }],
      'shop.test': [{ type: 'MX', exchange: 'mx.shop.test', priority: 10 }],
      'mx.shop.test': [{ type: 'A', address: '127.0.0.1' }],
    },
    { slow: ['99.2.0.192.b.barracudacentral.org'] },
  );
});
test.afterAll(async () => {
  await dns?.close();
});

test('the Blocklists tab looks up the sending IP and the link domains', async ({ page, mw }) => {
  await mw.call('settings.update', { checks: { dnsServers: [dns.address], dnsTimeoutMs: 300 } });
  await mw.send({
    from: 'news@shop.test',
    subject: 'Blocklists tab',
    html: '<p><a href="https://www.bad.test/offer">offer</a> <a href="https://clean.test/">home</a></p>',
  });
  await page.goto(mw.http);
  await page.locator(rowSelector('Blocklists tab')).click();
  await page.getByRole('tab', { name: 'Checks' }).click();
  await page.getByRole('tab', { name: 'Blocklists' }).click();

  // The capture came from loopback: not looked up, and said so.
  await page.getByRole('button', { name: 'Look up' }).click();
  const zen = page.locator('[data-blocklist="127.0.0.1 zen.spamhaus.org"]');
  await expect(zen).toContainText('skipped');
  await expect(zen).toContainText('loopback');
  const dbl = page.locator('[data-blocklist="bad.test dbl.spamhaus.org"]');
  await expect(dbl).toContainText('listed');
  await expect(dbl).toContainText('DBL: spam domain');
  await expect(page.locator('[data-blocklist="bad.test multi.uribl.com"]')).toContainText('refused');
  await expect(page.locator('[data-blocklist="clean.test dbl.spamhaus.org"]')).toContainText('clear');

  await page.getByLabel('Sending IP').fill('192.0.2.99');
  await page.getByRole('button', { name: 'Look up' }).click();
  const listed = page.locator('[data-blocklist="192.0.2.99 zen.spamhaus.org"]');
  await expect(listed).toContainText('listed');
  await expect(listed).toContainText('SBL');
  await expect(listed).toContainText('https://check.spamhaus.org/sbl/query/SBL1');
  const barracuda = page.locator('[data-blocklist="192.0.2.99 b.barracudacentral.org"]');
  await expect(barracuda).toContainText('temperror');
  await expect(barracuda).toContainText('99.2.0.192.b.barracudacentral.org');
  await expect(page.locator('[data-blocklists="summary"]')).toContainText('Listed in 2 zones');
});

test('the Tools page looks a domain up in the blocklists and verifies addresses', async ({ page, mw }) => {
  await mw.call('settings.update', {
    checks: { dnsServers: [dns.address], dnsTimeoutMs: 300 },
    faults: [
      {
        id: 'unknown-user',
        name: 'unknown user',
        enabled: true,
        match: { stage: 'rcpt', recipient: 'ghost@*' },
        action: { kind: 'reply', code: 550, enhanced: '5.1.1', text: 'no such user' },
      },
    ],
  });
  await page.goto(`${mw.http}/#/tools`);
  await page.getByLabel('IP address or domain').fill('www.bad.test');
  await page.getByRole('button', { name: 'Look up' }).click();
  await expect(page.locator('[data-tool="blocklist"] [data-blocklist="bad.test dbl.spamhaus.org"]')).toContainText(
    'DBL: spam domain',
  );

  await page.getByLabel('Address', { exact: true }).fill('a b@shop.test');
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.locator('[data-address="syntax"]')).toContainText('invalid');
  await expect(page.locator('[data-address="syntax"]')).toContainText('space');

  await page.getByLabel('Address', { exact: true }).fill('ghost@shop.test');
  await page.getByLabel(/SMTP probe/).check();
  await page.getByLabel('Probe server').fill(`127.0.0.1:${mw.smtpPort}`);
  await page.getByRole('button', { name: 'Verify' }).click();
  const probe = page.locator('[data-address="probe"]');
  await expect(probe).toContainText('rejected');
  await expect(probe).toContainText('550 5.1.1');
  await expect(page.locator('[data-tool="address"]')).toContainText('10 mx.shop.test');
  await expect(page.locator('.transcript')).toContainText('C: RCPT TO:<ghost@shop.test>');
  await expect(page.locator('.transcript')).toContainText('C: QUIT');

  await page.getByLabel('Address', { exact: true }).fill('postmaster@shop.test');
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(probe).toContainText('accepted');
  await expect(page.locator('[data-address="hints"]')).toContainText('role account');
});

test('Settings → Checks edits the blocklist zones; a bad zone is refused naming its field', async ({ page, mw }) => {
  await page.goto(`${mw.http}/#/settings/checks`);
  const zones = page.getByLabel('IP blocklists (DNSBL zones)');
  await expect(zones).toHaveValue('zen.spamhaus.org\nbl.spamcop.net\nb.barracudacentral.org');
  await zones.fill('zen spamhaus');
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page.getByRole('alert')).toContainText('checks.ipBlocklists');
  await expect(zones).toHaveAttribute('aria-invalid', 'true');
  await zones.fill('zen.spamhaus.org\nbl.example.test');
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Applied' })).toBeVisible();
  expect((await mw.call('settings.get', {})).checks.ipBlocklists).toEqual(['zen.spamhaus.org', 'bl.example.test']);
});
