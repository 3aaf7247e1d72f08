// `mailwright baseline check` (bin/mailwright.mjs → out/main/cli.js) against a running `serve`, with real messages
// sent over SMTP: exit 0 for a resend that looks the same, 1 for a changed price, 2 for an unknown key or message.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BaselineComparison, MessagePage } from '../../../src-shared/index.js';
import { LOOPBACK_PORT_0, startServe, type ServeProcess } from '../../helpers/serve-process.js';

const BIN = path.resolve(new URL('../../../bin/mailwright.mjs', import.meta.url).pathname);
const FIXTURES = path.resolve(new URL('../../fixtures/diff', import.meta.url).pathname);
const KEY = 'order-confirmation';
let serve: ServeProcess;

beforeAll(async () => {
  serve = await startServe(LOOPBACK_PORT_0, {}, { built: true, freshDataDir: true });
});
afterAll(async () => {
  await serve?.stop();
});

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { ...process.env, MAILWRIGHT_URL: serve.http } },
      (err, stdout, stderr) =>
        resolve({
          code: err ? ((err as { code?: number }).code ?? -1) : 0,
          stdout: String(stdout),
          stderr: String(stderr),
        }),
    );
  });
}

/** Sends a fixture over SMTP and resolves with its id once it is stored. */
async function send(name: string): Promise<number> {
  const before = await newestId();
  const t = nodemailer.createTransport({
    host: serve.smtpHost,
    port: serve.smtpPort,
    tls: { rejectUnauthorized: false },
  });
  try {
    await t.sendMail({
      envelope: { from: 'shop@example.test', to: ['buyer@example.test'] },
      raw: fs.readFileSync(path.join(FIXTURES, `${name}.eml`)),
    });
  } finally {
    t.close();
  }
  const id = await newestId();
  expect(id).toBeGreaterThan(before);
  return id;
}

async function newestId(): Promise<number> {
  const page = (await (await fetch(`${serve.http}/api/messages?limit=1`)).json()) as MessagePage;
  return page.messages[0]?.id ?? 0;
}

describe('mailwright baseline check', () => {
  it('exits 0 for a same-looking message, 1 for a changed one, 2 for an unknown key or message', async () => {
    const approvedId = await send('order-v1');
    const approve = await fetch(`${serve.http}/api/baselines`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ key: KEY, messageId: approvedId, widths: [600] }),
    });
    expect(approve.status, await approve.clone().text()).toBe(200);

    const resentId = await send('order-v1-resent');
    const same = await cli(['baseline', 'check', '--key', KEY, '--message', 'latest']);
    expect(same.stderr).toBe('');
    expect(same.code).toBe(0);
    expect(same.stdout).toMatch(new RegExp(`^same: message ${resentId} against the baseline "${KEY}"`));

    const changedId = await send('order-v2');
    const changed = await cli(['baseline', 'check', '--key', KEY, '--message', 'latest', '--json']);
    expect(changed.code).toBe(1);
    const result = JSON.parse(changed.stdout) as BaselineComparison;
    expect(result).toMatchObject({ verdict: 'changed', messageId: changedId, key: KEY });
    expect(result.reasons.length).toBeGreaterThan(0);

    // By id: the resent message is still the same after a changed one arrived.
    expect((await cli(['baseline', 'check', '--key', KEY, '--message', String(resentId)])).code).toBe(0);

    const unknown = await cli(['baseline', 'check', '--key', 'no-such-key', '--message', 'latest']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no baseline for the key "no-such-key" \(known: order-confirmation\)/);
    expect((await cli(['baseline', 'check', '--key', KEY, '--message', '999999'])).code).toBe(2);
    expect((await cli(['baseline', 'check', '--key', KEY, '--message', 'newest'])).code).toBe(2);
    expect((await cli(['baseline', 'check', '--message', 'latest'])).code).toBe(2);
    expect((await cli(['baseline', 'verify', '--key', KEY])).code).toBe(2);
  });
});
