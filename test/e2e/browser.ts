// Finds a Chromium for the browser tests: MAILWRIGHT_CHROMIUM / CHROMIUM_PATH, Debian's /usr/bin/chromium,
// then Playwright's own download. Also holds the launch flags that keep the browser quiet and offline.
import { existsSync } from 'node:fs';
import { chromium } from '@playwright/test';

/** No GPU, no sandbox (containers), and nothing that phones home while a test runs. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-quic',
  '--no-first-run',
  '--disable-sync',
];

export function findChromium(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.MAILWRIGHT_CHROMIUM || env.CHROMIUM_PATH;
  if (fromEnv) {
    if (!existsSync(fromEnv))
      throw new Error(`MAILWRIGHT_CHROMIUM/CHROMIUM_PATH points to ${fromEnv}, which does not exist`);
    return fromEnv;
  }
  if (existsSync('/usr/bin/chromium')) return '/usr/bin/chromium';
  let bundled = '';
  try {
    bundled = chromium.executablePath();
  } catch {
    // Playwright throws when it has no browser registry entry; that is the "none found" case below.
  }
  if (bundled && existsSync(bundled)) return bundled;
  throw new Error(
    'No Chromium found for the browser tests. Install one: `apt-get install chromium`, ' +
      'or `npx playwright install chromium`, or set MAILWRIGHT_CHROMIUM to a Chromium executable.',
  );
}
