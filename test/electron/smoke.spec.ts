// Electron smoke test: launches the built app on a temp profile with SMTP on port 0, sends a message with
// nodemailer and waits for it in the inbox, then takes a screenshot through the offscreen-window renderer. Skipped, with the reason, where the Electron binary or its
// better-sqlite3 build is missing (no download is possible in some sandboxes and CI images).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { _electron as electron, expect, test, type ElectronApplication } from '@playwright/test';
import nodemailer from 'nodemailer';
import { PNG } from 'pngjs';
import type { EventEnvelope, MailwrightBridge, ServerStatus } from '../../src-shared/index.js';
import { electronVersion, findElectronBinary, nativeBuildPath } from '../../scripts/lib/electron-binary.mjs';

const projectDir = fileURLToPath(new URL('../..', import.meta.url));
const mainScript = path.join(projectDir, 'out', 'main', 'index.js');
const binary = findElectronBinary(projectDir);
const version = electronVersion(projectDir) ?? 'unknown';
const nativeModule = nativeBuildPath(projectDir, version);

/** The page's global object as the test sees it (this tsconfig has no DOM lib). */
type AppWindow = { mailwright: MailwrightBridge; __subjects?: string[] };

test.skip(!binary.ok, `Electron binary not installed (${binary.ok ? '' : binary.reason}): npm start downloads it`);
test.skip(
  binary.ok && !fs.existsSync(nativeModule),
  `better-sqlite3 for Electron ${version} not built (${nativeModule}): run node scripts/build-native-electron.mjs`,
);

function appEnv(profile: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  delete env.ELECTRON_RUN_AS_NODE; // would start a plain Node process instead of the app
  return { ...env, MAILWRIGHT_DATA: profile, MAILWRIGHT_SMTP: '127.0.0.1:0' };
}

let app: ElectronApplication | undefined;
let dataDir: string | undefined;

test.afterEach(async () => {
  await app?.close();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

test('a message sent over SMTP appears in the inbox', async () => {
  if (!binary.ok) return;
  expect(fs.existsSync(mainScript), `${mainScript} is missing: run npm run build first`).toBe(true);
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mw-electron-'));
  // Chromium refuses to start as root without --no-sandbox (CI containers); the renderer sandbox stays on otherwise.
  const rootOnly = process.getuid?.() === 0 ? ['--no-sandbox'] : [];
  app = await electron.launch({
    executablePath: binary.path,
    args: [...rootOnly, mainScript],
    cwd: projectDir,
    env: appEnv(dataDir),
  });
  const page = await app.firstWindow();
  await page.waitForFunction(() => typeof (globalThis as unknown as AppWindow).mailwright?.call === 'function');

  // The page sees the bridge and nothing of Node or Electron.
  const surface = await page.evaluate(() => ({
    keys: Object.keys((globalThis as unknown as AppWindow).mailwright).sort(),
    require: typeof (globalThis as Record<string, unknown>).require,
    process: typeof (globalThis as Record<string, unknown>).process,
  }));
  expect(surface).toEqual({
    keys: ['call', 'kind', 'onEvent'],
    require: 'undefined',
    process: 'undefined',
  });

  const status = await page.evaluate(() => (globalThis as unknown as AppWindow).mailwright.call('server.status', {}));
  expect(status.ok).toBe(true);
  const listener = (status as { ok: true; value: ServerStatus }).value.listeners[0];
  expect(listener?.state).toBe('listening');
  expect(listener?.port).toBeGreaterThan(0);

  // Subscribe before sending, so the push event cannot be missed.
  await page.evaluate(() => {
    const w = globalThis as unknown as AppWindow;
    w.__subjects = [];
    w.mailwright.onEvent((e: EventEnvelope) => {
      if (e.event === 'messages.added')
        for (const m of (e as EventEnvelope<'messages.added'>).data.messages) w.__subjects!.push(m.subject);
    });
  });

  const subject = `Electron smoke ${Date.now()}`;
  const transport = nodemailer.createTransport({
    host: '127.0.0.1',
    port: listener!.port,
    secure: false,
    tls: { rejectUnauthorized: false }, // the app's own self-signed STARTTLS certificate
  });
  try {
    await transport.sendMail({
      from: 'qa@example.test',
      to: 'inbox@example.test',
      subject,
      text: 'Hello from the smoke test.',
    });
  } finally {
    transport.close();
  }

  await page.waitForFunction((s) => (globalThis as unknown as AppWindow).__subjects?.includes(s) ?? false, subject);
  await expect(page.getByText(subject).first()).toBeVisible();

  const list = await page.evaluate(() => (globalThis as unknown as AppWindow).mailwright.call('messages.list', {}));
  expect(list.ok && list.value.messages.some((m: { subject: string }) => m.subject === subject)).toBe(true);

  // Screenshots come from the offscreen window: a 320 px PNG as tall as the page, with no browser to find.
  const shot = await page.evaluate(async () => {
    const bridge = (globalThis as unknown as AppWindow).mailwright;
    const html = '<!doctype html><body style="margin:0"><div style="height:900px;background:#c00">Tall</div></body>';
    const raw = `From: a@example.test\r\nTo: b@example.test\r\nSubject: Shot\r\nContent-Type: text/html\r\n\r\n${html}\r\n`;
    const imported = await bridge.call('messages.import', { filename: 'shot.eml', data: btoa(raw) });
    if (!imported.ok) return { error: imported.error.message };
    const status = await bridge.call('diff.rendererStatus', {});
    const png = await bridge.call('diff.screenshot', { id: imported.value.ids[0]!, width: 320 });
    return { status: status.ok ? status.value.browser : null, shot: png.ok ? png.value : png.error.message };
  });
  expect(shot).toMatchObject({ status: 'Electron offscreen window', shot: { width: 320, height: 900 } });
  const decoded = PNG.sync.read(Buffer.from((shot as { shot: { png: string } }).shot.png, 'base64'));
  expect([decoded.width, decoded.height]).toEqual([320, 900]);
  // The first pixel is the page's red, not an empty capture.
  expect([...decoded.data.subarray(0, 3)]).toEqual([204, 0, 0]);
});
