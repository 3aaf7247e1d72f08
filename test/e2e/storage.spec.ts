// Settings → Storage against a real `serve` in Chromium: the store shown read-only (serve mode chooses it with
// --store or MAILWRIGHT_STORE), and the connection test run against a real private PostgreSQL cluster: reachable
// with its version and schema, then a wrong password named as such and never shown.
import { expect, test } from './fixtures.js';
import { postgresMissing, startPostgres, type PgCluster } from '../helpers/postgres.js';

test.describe('Settings → Storage', () => {
  test.skip(postgresMissing !== null, postgresMissing ?? '');
  let cluster: PgCluster;

  test.beforeAll(async () => {
    test.setTimeout(120_000);
    cluster = await startPostgres();
  });
  test.afterAll(() => cluster?.destroy());

  test('shows the store read-only and tests a real PostgreSQL database', async ({ page, mw }) => {
    const running = (await mw.call('server.status', {})).store;
    await page.goto(`${mw.http}/#/settings/storage`);
    const section = page.getByRole('region', { name: 'Storage' });
    await expect(section).toBeVisible();
    await expect(section.getByTestId('store-now')).toContainText(running.location);
    await expect(section).toContainText('--store');
    await expect(section).toContainText('MAILWRIGHT_STORE');
    // Serve mode offers nothing that would pretend to switch the store.
    await expect(section.getByRole('button', { name: /next start/ })).toHaveCount(0);

    const database = new URL(await cluster.createDatabase()).pathname.slice(1);
    await section.getByLabel('URL').fill(`postgres://${cluster.user}@127.0.0.1:${cluster.port}/${database}`);
    await section.getByLabel('Password').fill(cluster.password);
    await section.getByRole('button', { name: 'Test connection' }).click();
    const result = section.getByTestId('store-test-result');
    await expect(result).toContainText(`Reachable: PostgreSQL at 127.0.0.1:${cluster.port}, database "${database}"`);
    await expect(result).toContainText(/PostgreSQL \d+\.\d+/);
    await expect(result).toContainText('no Mailwright tables yet');

    const wrong = `wrong-${Date.now()}`;
    await section.getByLabel('Password').fill(wrong);
    await section.getByRole('button', { name: 'Test connection' }).click();
    await expect(result).toContainText('Not reachable');
    await expect(result).toContainText(`refused the password of user "${cluster.user}" (wrong password)`);
    expect(await section.innerText()).not.toContain(wrong);
    expect(await section.innerText()).not.toContain(cluster.password);
  });
});
