// Settings → Storage against a real `serve` in Chromium: the store shown read-only (serve mode chooses it with
// --store or MAILWRIGHT_STORE), and the connection test run against a real private PostgreSQL cluster: reachable
// with its version and schema, then a wrong password named as such and never shown. Then the desktop page (a
// window.mailwright that crosses into the shell's real dispatcher and StoreChoice): choose the tested database for
// the next start, the password sealed on disk and never shown, and back to SQLite.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from './fixtures.js';
import { postgresMissing, startPostgres, type PgCluster } from '../helpers/postgres.js';
import { MailwrightError } from '../../src-shared/errors.js';
import { SecretBox } from '../../src-main/core/secrets.js';
import { createDispatcher, type DesktopHandlers } from '../../src-main/electron/dispatch.js';
import { StoreChoice } from '../../src-main/electron/store-choice.js';

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

  test('on the desktop, chooses a tested database for the next start and keeps its password sealed', async ({
    page,
    mw,
  }) => {
    // No Electron binary here: the page gets a window.mailwright whose calls cross into this process, where the
    // shell's own dispatcher and StoreChoice (real files, a real SecretBox) answer the desktop verbs, and the
    // contract verbs go to the real serve over HTTP.
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'mw-e2e-choice-'));
    const choice = new StoreChoice(profile, new SecretBox(crypto.randomBytes(32)), {});
    const unsupported = (): Promise<never> => Promise.reject(new MailwrightError('unsupported', 'not in this test'));
    const desktop = {
      'desktop.getStore': () => Promise.resolve(choice.view()),
      'desktop.setStore': (args) => Promise.resolve().then(() => choice.set(args)),
      'desktop.saveRaw': unsupported,
      'desktop.saveAttachments': unsupported,
      'desktop.importFiles': unsupported,
      'desktop.openExternal': unsupported,
      'desktop.saveCertificate': unsupported,
      'desktop.saveExport': unsupported,
    } satisfies DesktopHandlers<null>;
    const dispatch = createDispatcher<null>({
      invoke: async (name, args) =>
        (await fetch(`${mw.http}/api/call/${encodeURIComponent(name)}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(args ?? {}),
        }).then((r) => r.json())) as never,
      desktop,
    });
    await page.exposeFunction('__mwCall', (name: unknown, args: unknown) =>
      dispatch({ trusted: true, ctx: null }, name, args),
    );
    await page.addInitScript(() => {
      const w = globalThis as unknown as {
        __mwCall: (n: unknown, a: unknown) => Promise<unknown>;
        mailwright: unknown;
      };
      w.mailwright = { kind: 'desktop', call: (n: unknown, a: unknown) => w.__mwCall(n, a), onEvent: () => () => {} };
    });
    try {
      await page.goto(`${mw.http}/#/settings/storage`);
      const section = page.getByRole('region', { name: 'Storage' });
      await expect(section).toContainText('Next start: SQLite in the data folder');

      const database = new URL(await cluster.createDatabase()).pathname.slice(1);
      const url = `postgres://${cluster.user}@127.0.0.1:${cluster.port}/${database}`;
      await section.getByLabel('URL').fill(url);
      await section.getByLabel('Password').fill(cluster.password);
      await section.getByRole('button', { name: 'Test connection' }).click();
      await expect(section.getByTestId('store-test-result')).toContainText('Reachable');
      await section.getByRole('button', { name: 'Use at next start' }).click();
      await expect(section).toContainText('Restart Mailwright to use it');
      await expect(section).toContainText(`Next start: ${url} (password stored)`);
      await expect(section.getByLabel('Password')).toHaveValue('');
      await expect(section.getByLabel('Password')).toHaveAttribute('placeholder', /stored/);
      // Mail is still kept where this instance started: nothing pretends the switch already happened.
      await expect(section.getByTestId('store-now')).toContainText((await mw.call('server.status', {})).store.location);

      const saved = fs.readFileSync(path.join(profile, 'store.json'), 'utf8');
      expect(saved).toContain(`127.0.0.1:${cluster.port}/${database}`);
      expect(saved).not.toContain(cluster.password);
      expect(await section.innerText()).not.toContain(cluster.password);
      const start = choice.forStart();
      expect(decodeURIComponent(new URL(start.url!).password)).toBe(cluster.password);

      await section.getByRole('button', { name: 'Use SQLite at next start' }).click();
      await expect(section).toContainText('Next start: SQLite in the data folder');
      expect(fs.existsSync(path.join(profile, 'store.json'))).toBe(false);
    } finally {
      fs.rmSync(profile, { recursive: true, force: true });
    }
  });
});
