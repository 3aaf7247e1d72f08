// The designer preview in the message view, in Chromium against serve: width presets and a responsive template's
// narrow layout, two widths side by side, zoom, the template's own dark CSS, the forced inversion that leaves
// images alone (read from the pixels), images off, the text part beside, the accessibility findings with their
// lines, and PNG export of the chosen widths and schemes.
import fs from 'node:fs';
import { PNG } from 'pngjs';
import type { Page } from '@playwright/test';
import { expect, rowSelector, test } from './fixtures.js';

/** A solid red square: an image whose colour the inversion must keep. */
function redPng(size: number): string {
  const png = new PNG({ width: size, height: size });
  for (let i = 0; i < size * size; i++) png.data.set([220, 20, 20, 255], i * 4);
  return PNG.sync.write(png).toString('base64');
}

const LOGO = `data:image/png;base64,${redPng(40)}`;

// Line numbers matter: the accessibility findings are checked against them.
const HTML = [
  '<!doctype html>',
  '<html>',
  '<head><style>',
  'body { margin: 0; background: #ffffff; color: #111111; font: 16px sans-serif }',
  '#narrow { display: none }',
  '@media (max-width: 480px) { #narrow { display: block } #wide { display: none } }',
  '@media (prefers-color-scheme: dark) { body { background: #101010 !important; color: #eeeeee } }',
  '</style></head>',
  '<body>',
  '<h1 id="title">Spring sale</h1>',
  '<p id="narrow">Narrow layout</p><p id="wide">Wide layout</p>',
  `<img id="logo" src="${LOGO}" alt="Shop logo" width="40" height="40">`,
  `<img id="spacer" src="${LOGO}" width="4" height="4">`,
  '<table><tr><td style="font-size:11px;color:#aaaaaa;background-color:#ffffff">Fine print</td></tr></table>',
  '<p><a href="https://shop.example/sale">Click here</a></p>',
  '</body>',
  '</html>',
].join('\n');

const frame = (page: Page) => page.frameLocator('iframe[title="HTML preview"]');

/** The pixel at the centre of an element inside the preview frame, read from a screenshot of the page. */
async function pixelAt(page: Page, selector: string): Promise<[number, number, number]> {
  const box = await frame(page).locator(selector).boundingBox();
  if (!box) throw new Error(`${selector} is not visible`);
  const shot = PNG.sync.read(await page.screenshot());
  const x = Math.round(box.x + box.width / 2);
  const y = Math.round(box.y + box.height / 2);
  const i = (y * shot.width + x) * 4;
  return [shot.data[i] ?? -1, shot.data[i + 1] ?? -1, shot.data[i + 2] ?? -1];
}

test('the designer preview: widths, zoom, dark forms, images off, text beside, accessibility, export', async ({
  page,
  mw,
}) => {
  test.setTimeout(150_000);
  await mw.send({ subject: 'Spring sale', html: HTML, text: 'Spring sale\nPlain words for the text part.' });
  await page.goto(mw.http);
  await page.locator(rowSelector('Spring sale')).click();
  await expect(frame(page).locator('#title')).toHaveText('Spring sale');

  // Widths: a phone preset shows the template's narrow layout, a desktop preset its wide one.
  await page.getByRole('button', { name: 'Phone 375' }).click();
  await expect(page.locator('iframe[title="HTML preview"]')).toHaveCSS('width', '375px');
  await expect(frame(page).locator('#narrow')).toBeVisible();
  await page.getByRole('button', { name: 'Desktop 1280' }).click();
  await expect(page.locator('iframe[title="HTML preview"]')).toHaveCSS('width', '1280px');
  await expect(frame(page).locator('#wide')).toBeVisible();
  await expect(frame(page).locator('#narrow')).toBeHidden();
  await page.getByLabel('Custom preview width in pixels').fill('450');
  await page.getByLabel('Custom preview width in pixels').dispatchEvent('change');
  await expect(page.locator('iframe[title="HTML preview"]')).toHaveCSS('width', '450px');
  await page.getByRole('button', { name: 'Phone 375' }).click();

  // Side by side: a second frame at another width, each laid out at its own width.
  await page.getByLabel('Second width, side by side').selectOption('600');
  const second = page.frameLocator('iframe[title="HTML preview, second width"]');
  await expect(page.locator('iframe[title="HTML preview, second width"]')).toHaveCSS('width', '600px');
  await expect(frame(page).locator('#narrow')).toBeVisible();
  await expect(second.locator('#wide')).toBeVisible();
  await page.getByLabel('Second width, side by side').selectOption('');
  await expect(page.locator('iframe[title="HTML preview, second width"]')).toHaveCount(0);

  // Zoom scales the frame on screen; the template still lays out at 375 px.
  await page.getByLabel('Zoom').selectOption('0.5');
  await expect
    .poll(async () => Math.round((await page.locator('iframe[title="HTML preview"]').boundingBox())?.width ?? 0))
    .toBe(188);
  await expect(frame(page).locator('#narrow')).toBeVisible();
  await page.getByLabel('Zoom').selectOption('1');

  // Light, as written.
  await expect(frame(page).locator('body')).toHaveCSS('background-color', 'rgb(255, 255, 255)');
  const lightLogo = await pixelAt(page, '#logo');
  expect(lightLogo[0]).toBeGreaterThan(180);

  // Dark, form 1: the template's own prefers-color-scheme: dark CSS applies.
  const darkButton = page.getByRole('button', { name: 'Dark: template CSS' });
  await expect(darkButton).toHaveAttribute('title', /prefers-color-scheme: dark emulated/);
  await darkButton.click();
  await expect(frame(page).locator('body')).toHaveCSS('background-color', 'rgb(16, 16, 16)');
  await expect(frame(page).locator('#title')).toHaveCSS('color', 'rgb(238, 238, 238)');
  await expect(page.locator('figcaption')).toContainText('Dark: template CSS');

  // Dark, form 2: every colour inverted but the images, read from the pixels on screen.
  const inverted = page.getByRole('button', { name: 'Dark: forced inversion' });
  await expect(inverted).toHaveAttribute('title', /approximation of clients that force dark mode/);
  await inverted.click();
  await expect(frame(page).locator('body')).toHaveCSS('background-color', 'rgb(255, 255, 255)');
  await expect(frame(page).locator('body')).toHaveCSS('filter', 'invert(1) hue-rotate(180deg)');
  // The white page reads as black.
  await expect.poll(async () => (await pixelAt(page, '#narrow'))[0]).toBeLessThan(60);
  const invertedLogo = await pixelAt(page, '#logo');
  // Still red (a plain inversion would have made it cyan), if muted: hue-rotate clamps saturated colours, so
  // inverting an image back is close, not exact (220,20,20 comes back as about 166,60,60).
  expect(invertedLogo[0]).toBeGreaterThan(140);
  expect(invertedLogo[0] - invertedLogo[1]).toBeGreaterThan(80);
  fs.mkdirSync('test-results/screenshots', { recursive: true });
  await page.screenshot({ path: 'test-results/screenshots/designer-inverted.png' });
  await page.getByRole('button', { name: 'Light', exact: true }).click();

  // Images off: nothing loads, and the alt text takes the image's place.
  await expect
    .poll(() =>
      frame(page)
        .locator('#logo')
        .evaluate((img) => (img as { naturalWidth: number }).naturalWidth),
    )
    .toBe(40);
  await page.getByLabel('Images off').check();
  await expect(page.locator('iframe[title="HTML preview"]')).toHaveAttribute('src', /images=off/);
  await expect
    .poll(() =>
      frame(page)
        .locator('#logo')
        .evaluate((img) => (img as { naturalWidth: number }).naturalWidth),
    )
    .toBe(0);
  await expect(frame(page).locator('#logo')).toHaveAttribute('alt', 'Shop logo');
  // The red square is gone from the screen.
  const blocked = await pixelAt(page, '#logo');
  expect(blocked[0] - blocked[1]).toBeLessThan(80);
  await page.screenshot({ path: 'test-results/screenshots/designer-images-off.png' });
  await page.getByLabel('Images off').uncheck();

  // The text part beside the HTML.
  await page.getByLabel('Text beside').check();
  const text = page.getByRole('region', { name: 'Text part beside the HTML' });
  await expect(text).toContainText('Plain words for the text part.');
  await expect(frame(page).locator('#title')).toBeVisible();
  await page.getByLabel('Text beside').uncheck();

  // Accessibility: each finding with its rule, line and column in the HTML part.
  await page.getByRole('button', { name: 'Accessibility' }).click();
  const findings = page.getByRole('region', { name: 'Accessibility findings' });
  await expect(findings.locator('h3')).toHaveText('Accessibility: 6 findings');
  const items = findings.locator('li');
  await expect(items.locator('.rule')).toHaveText([
    'No lang',
    'Image without alt',
    'Layout table',
    'Small text',
    'Contrast',
    'Link text',
  ]);
  const lines = HTML.split('\n');
  const lineOf = (needle: string) => lines.findIndex((l) => l.includes(needle)) + 1;
  await expect(items.nth(0).locator('.where')).toHaveText(`line ${lineOf('<html>')}, col 1`);
  await expect(items.nth(1).locator('.where')).toHaveText(`line ${lineOf('id="spacer"')}, col 1`);
  await expect(items.nth(1).locator('code')).toContainText('<img id="spacer"');
  await expect(items.nth(3).locator('.where')).toHaveText(
    `line ${lineOf('Fine print')}, col ${lines[lineOf('Fine print') - 1]!.indexOf('Fine print') + 1}`,
  );
  await expect(items.nth(5).locator('code')).toHaveText('<a href="https://shop.example/sale">');
  await page.screenshot({ path: 'test-results/screenshots/designer-accessibility.png' });
  await page.getByRole('button', { name: 'Accessibility' }).click();

  // Export: the widths on screen and two schemes, one PNG each, in one click.
  await page.getByLabel('Second width, side by side').selectOption('600');
  await page.getByText('Export PNG…').click();
  await page.getByRole('checkbox', { name: 'Dark: template CSS' }).check();
  const downloads: { name: string; width: number }[] = [];
  page.on('download', (d) => {
    void d
      .path()
      .then((p) => downloads.push({ name: d.suggestedFilename(), width: PNG.sync.read(fs.readFileSync(p)).width }));
  });
  await page.getByRole('button', { name: 'Download 4 PNGs' }).click();
  // The first render starts the browser; four renders on a busy machine take a while.
  await expect(page.getByRole('status').filter({ hasText: 'Saved' })).toHaveText('Saved 4', { timeout: 60_000 });
  await expect.poll(() => downloads.length).toBe(4);
  const id = (await mw.call('messages.list', {})).messages[0]!.id;
  expect(downloads.sort((a, b) => a.name.localeCompare(b.name))).toEqual([
    { name: `message-${id}-375px-dark.png`, width: 375 },
    { name: `message-${id}-375px-light.png`, width: 375 },
    { name: `message-${id}-600px-dark.png`, width: 600 },
    { name: `message-${id}-600px-light.png`, width: 600 },
  ]);
});

test('the preview route refuses an unknown view and serves the dark variant of the template', async ({ mw }) => {
  await mw.send({ subject: 'Route view', html: HTML });
  const id = (await mw.call('messages.list', {})).messages[0]!.id;
  const bad = await fetch(`${mw.http}/api/messages/${id}/preview?scheme=sepia`);
  expect(bad.status).toBe(400);
  expect(await bad.text()).toContain('scheme');
  const dark = await fetch(`${mw.http}/api/messages/${id}/preview?scheme=dark&images=off`);
  expect(dark.status).toBe(200);
  expect(dark.headers.get('content-security-policy')).toContain("img-src 'none'");
  const body = await dark.text();
  expect(body).not.toContain('prefers-color-scheme');
  expect(body).toContain('@media (min-width: 0px) { body { background: #101010');
});
