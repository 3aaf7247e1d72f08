// Screenshots of stored messages and the visual diff of two: the preview document (message/preview.ts: cid:
// images inlined, remote content blocked, links disarmed) rendered by whichever HtmlRenderer the shell gave.
import { MailwrightError, type Screenshot, type VisualDiff } from '../../../src-shared/index.js';
import { parseBodies } from '../../message/bodies.js';
import { renderPreview } from '../../message/preview.js';
import { imagesOffPolicy } from '../../message/preview-view.js';
import { diffPngs } from './pixel-diff.js';
import type { HtmlRenderer, RenderedPng } from './renderer.js';

/** The classic email column: what a template is designed for when nobody says otherwise. */
export const DEFAULT_RENDER_WIDTH = 600;

export interface RenderSettings {
  width: number;
  /** `inverted`: the preview's forced inversion (images kept), rendered with the light media feature. */
  scheme: 'light' | 'dark' | 'inverted';
  images: 'on' | 'off';
}

export function renderSettings(o: {
  width?: number | undefined;
  scheme?: 'light' | 'dark' | 'inverted' | undefined;
  images?: 'on' | 'off' | undefined;
}): RenderSettings {
  return { width: o.width ?? DEFAULT_RENDER_WIDTH, scheme: o.scheme ?? 'light', images: o.images ?? 'on' };
}

export async function renderMessage(renderer: HtmlRenderer, raw: Buffer, s: RenderSettings): Promise<RenderedPng> {
  // Dark is the browser's own emulation of the media feature; the inversion is the preview's style, under light.
  const view = s.scheme === 'inverted' ? { scheme: s.scheme, images: s.images } : undefined;
  const doc = await renderPreview(raw, { allowRemote: false, view });
  return renderer.render({
    html: doc.html,
    csp: s.images === 'off' ? imagesOffPolicy(doc.csp) : doc.csp,
    width: s.width,
    scheme: s.scheme === 'dark' ? 'dark' : 'light',
    images: s.images,
  });
}

export function toScreenshot(r: { png: Buffer; width: number; height: number }): Screenshot {
  return { width: r.width, height: r.height, png: r.png.toString('base64') };
}

/** Both messages rendered alike and compared; a message without HTML has no visual diff and the error says so. */
export async function visualDiff(
  renderer: HtmlRenderer,
  a: { id: number; raw: Buffer },
  b: { id: number; raw: Buffer },
  s: RenderSettings,
): Promise<VisualDiff> {
  for (const side of [a, b]) {
    const { html } = await parseBodies(side.raw);
    if (html === null)
      throw new MailwrightError(
        'invalid_argument',
        `message ${side.id} has no HTML part, so there is no visual diff; the text diff is the comparison`,
      );
  }
  const [x, y] = await Promise.all([renderMessage(renderer, a.raw, s), renderMessage(renderer, b.raw, s)]);
  const d = diffPngs(x.png, y.png);
  return {
    ...s,
    pixelRatio: d.ratio,
    changedPixels: d.changedPixels,
    a: toScreenshot(x),
    b: toScreenshot(y),
    diff: toScreenshot(d),
  };
}
