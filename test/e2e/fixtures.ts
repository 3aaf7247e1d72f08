// Playwright fixtures: a Chromium found by browser.ts (worker-wide) and a fresh `serve` process per test,
// with helpers that speak real SMTP (nodemailer) and the real HTTP API to it.
import { test as base, chromium, expect, type Browser } from '@playwright/test';
import nodemailer from 'nodemailer';
import type { CallArgs, CallName, CallResult } from '../../src-shared/contract/index.js';
import type { Result } from '../../src-shared/errors.js';
import type { ImportResult } from '../../src-shared/types.js';
import { httpRoutes } from '../../src-shared/bridge.js';
import { CHROMIUM_ARGS, findChromium } from './browser.js';
import { LOOPBACK_PORT_0, startServe, type ServeProcess } from '../helpers/serve-process.js';
import { startDnsServer, type TestDnsServer } from '../helpers/dns-server.js';
import { postgresMissing, SERVE_STORE_ENV, SERVE_STORE_SELECT, startPostgres } from '../helpers/postgres.js';

export interface MailOptions {
  from?: string;
  to?: string | string[];
  subject: string;
  text?: string;
  html?: string;
}

export interface Mailwright extends ServeProcess {
  send(mail: MailOptions): Promise<void>;
  /** Sends a complete message as-is (hostile corpus files), with an explicit envelope. */
  sendRaw(raw: string | Buffer, envelope: { from: string; to: string[] }): Promise<void>;
  call<K extends CallName>(name: K, args: CallArgs<K>): Promise<CallResult<K>>;
  importFile(filename: string, body: Buffer): Promise<ImportResult>;
}

export const test = base.extend<
  { mw: Mailwright },
  { browser: Browser; emptyDns: TestDnsServer; storeKind: 'sqlite' | 'postgres'; storeCluster: string | null }
>({
  /** Which store each serve keeps its mail in (the browser-postgres project sets postgres). */
  storeKind: ['sqlite', { option: true, scope: 'worker' }],
  // One private cluster per worker for the postgres project; startServe gives each serve a fresh database of it.
  storeCluster: [
    async ({ storeKind }, use) => {
      if (storeKind !== 'postgres') return use(null);
      if (postgresMissing) throw new Error(postgresMissing);
      const cluster = await startPostgres();
      process.env[SERVE_STORE_ENV] = cluster.url('postgres');
      process.env[SERVE_STORE_SELECT] = 'postgres';
      try {
        await use(cluster.url('postgres'));
      } finally {
        delete process.env[SERVE_STORE_ENV];
        delete process.env[SERVE_STORE_SELECT];
        cluster.destroy();
      }
    },
    { scope: 'worker' },
  ],
  // Opening a message's Checks looks names up; this empty zone (NXDOMAIN for all) keeps every lookup on loopback.
  emptyDns: [
    async ({}, use) => {
      const dns = await startDnsServer({});
      await use(dns);
      await dns.close();
    },
    { scope: 'worker' },
  ],
  browser: [
    async ({}, use) => {
      const browser = await chromium.launch({ executablePath: findChromium(), args: CHROMIUM_ARGS });
      await use(browser);
      await browser.close();
    },
    { scope: 'worker' },
  ],
  mw: async ({ emptyDns, storeCluster }, use) => {
    void storeCluster; // started (and named in the environment) before this serve
    const serve = await startServe(LOOPBACK_PORT_0, {}, { built: true, freshDataDir: true });
    const transport = nodemailer.createTransport({
      host: serve.smtpHost,
      port: serve.smtpPort,
      secure: false,
      // The capture server's certificate is self-signed; trust is not what these tests are about.
      tls: { rejectUnauthorized: false },
    });
    const mw: Mailwright = {
      ...serve,
      async send(mail) {
        await transport.sendMail({ from: 'app@example.test', to: 'qa@example.test', ...mail });
      },
      async sendRaw(raw, envelope) {
        await transport.sendMail({ envelope, raw });
      },
      async call(name, args) {
        const response = await fetch(serve.http + httpRoutes.call(name), {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(args),
        });
        const result = (await response.json()) as Result<CallResult<typeof name>>;
        if (!result.ok) throw new Error(`${name}: ${result.error.code} ${result.error.message}`);
        return result.value;
      },
      async importFile(filename, body) {
        const response = await fetch(serve.http + httpRoutes.import(filename), {
          method: 'POST',
          headers: { 'content-type': 'application/octet-stream' },
          body,
        });
        const json = (await response.json()) as ImportResult & { error?: { message: string } };
        if (!response.ok) throw new Error(`import: HTTP ${response.status} ${json.error?.message ?? ''}`);
        return json;
      },
    };
    await mw.call('settings.update', { checks: { dnsServers: [emptyDns.address] } });
    try {
      await use(mw);
    } finally {
      transport.close();
      await serve.stop();
    }
  },
});

export { expect };

/** The inbox row of the message with this subject. */
export function rowSelector(subject: string): string {
  return `[role="option"]:has(.subject:text-is(${JSON.stringify(subject)}))`;
}
