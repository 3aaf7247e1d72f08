// A listener change applied through Core.applyListeners keeps stored mail: the store is not the listeners'.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Core } from '../../../src-main/core/core.js';

let dir: string;
let core: Core;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mw-core-apply-'));
  core = await Core.start({ dataDir: dir, listeners: [{ id: 'smtp', host: '127.0.0.1', port: 0, tls: 'starttls' }] });
});
afterAll(async () => {
  await core.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

function port(id: string): number {
  const l = core.status().listeners.find((s) => s.id === id);
  if (!l || l.state !== 'listening') throw new Error(`${id} not listening: ${JSON.stringify(l)}`);
  return l.port;
}

it('applies new listener settings without losing stored mail, and the new policy is live', async () => {
  await nodemailer
    .createTransport({ host: '127.0.0.1', port: port('smtp'), ignoreTLS: true })
    .sendMail({ from: 'a@example.test', to: 'b@example.test', subject: 'kept', text: 'x' });
  await core.idle();
  const status = await core.applyListeners([
    { id: 'smtp', host: '127.0.0.1', port: 0, tls: 'starttls', limits: { recipientAllow: ['*@example.test'] } },
    {
      id: 'submission',
      host: '127.0.0.1',
      port: 0,
      tls: 'starttls',
      auth: { policy: 'required', mechanisms: ['PLAIN'], allowPlaintext: true },
    },
  ]);
  expect(status.map((s) => [s.id, s.state])).toEqual([
    ['smtp', 'listening'],
    ['submission', 'listening'],
  ]);
  expect(core.status().listeners.map((s) => s.id)).toEqual(['smtp', 'submission']);
  const page = await core.invoke('messages.list', { limit: 10 });
  if (!page.ok) throw new Error(page.error.message);
  expect(page.value.messages.map((m) => m.subject)).toEqual(['kept']);
  await expect(
    nodemailer
      .createTransport({ host: '127.0.0.1', port: port('smtp'), ignoreTLS: true })
      .sendMail({ from: 'a@example.test', to: 'x@outside.example', subject: 'no', text: 'x' }),
  ).rejects.toMatchObject({ responseCode: 550 });
  await expect(
    core.applyListeners([
      { id: 'smtp', host: '127.0.0.1', port: 0, tls: 'starttls', limits: { allowClients: ['nope'] } },
    ]),
  ).rejects.toMatchObject({
    code: 'invalid_argument',
    field: 'listeners.0.limits.allowClients',
  });
  expect(core.status().listeners.map((s) => s.id)).toEqual(['smtp', 'submission']);
});
