// The diff capability: the structured diff of two messages (message-diff.ts: headers, envelope, text, HTML source
// and text, links, images, MIME structure, attachments), screenshots and pixel diffs (render/), and golden
// baselines with compare-on-arrival (baselines/, its own tables). Owns the diff.* verbs, GET /api/diff,
// GET /api/messages/{id}/screenshot and /api/baselines.
// Must not import electron, bindings or another capability's folder.
import { MailwrightError, type Envelope, type MessageId, type TemplateRender } from '../../src-shared/index.js';
import type { diffVerbs } from '../../src-shared/contract/diff.js';
import { Baselines } from './baselines/baselines.js';
import { exportBaselines, importBaselines } from './baselines/folder.js';
import { BASELINE_MIGRATIONS } from './baselines/repository.js';
import type { Capability, CapabilityDeps } from '../core/capability.js';
import { diffMessages, type DiffSide } from './message-diff.js';
import { ChromiumRenderer } from './render/chromium.js';
import type { HtmlRenderer } from './render/renderer.js';
import { renderMessage, renderSettings, toScreenshot, visualDiff } from './render/screenshots.js';
import { diffRoutes } from './routes.js';
import { parseBodies } from '../message/bodies.js';
import { previewPolicy } from '../message/preview.js';
import { imagesOffPolicy } from '../message/preview-view.js';
import { lintAccessibility } from './accessibility.js';

function neverCompiled(render: TemplateRender): string {
  const p = render.problem;
  const at = p
    ? ` (${p.file}${p.line !== null ? `:${p.line}${p.column !== null ? `:${p.column}` : ''}` : ''}: ${p.message})`
    : '';
  return `${render.path} has never compiled, so there is nothing to render${at}`;
}

export { diffMessages, type DiffSide, type DiffOptions } from './message-diff.js';

export type { HtmlRenderer } from './render/renderer.js';

/**
 * `renderer` draws message HTML for screenshots and visual diffs: Playwright's Chromium unless the shell gives
 * another (the desktop app gives its offscreen-window renderer through CoreOptions.htmlRenderer).
 */
export function setupDiff(
  deps: CapabilityDeps,
  renderer: HtmlRenderer = deps.htmlRenderer ?? new ChromiumRenderer(),
): Capability<keyof typeof diffVerbs> {
  const side = async (id: MessageId): Promise<DiffSide> => {
    const detail = await deps.store.get(id);
    const envelope: Envelope = detail.envelope;
    return { id, subject: detail.subject, raw: await deps.store.raw(id), envelope };
  };
  /** A send of the compose history, read through its verbs: diff stays the one place that diffs. */
  const sendSide = async (id: number, field: 'a' | 'b'): Promise<DiffSide> => {
    const [detail, raw] = await Promise.all([
      deps.invoke('compose.sends.get', { id }),
      deps.invoke('compose.sends.raw', { id }),
    ]);
    if (!detail.ok) throw new MailwrightError(detail.error.code, detail.error.message, field);
    if (!raw.ok) throw new MailwrightError(raw.error.code, raw.error.message, field);
    const s = detail.value;
    const envelope: Envelope = {
      mailFrom: s.report.envelope.from,
      rcptTo: s.report.envelope.to,
      heloName: '',
      clientAddress: '',
      clientPort: 0,
      tls: s.report.tls?.protocol ? { protocol: s.report.tls.protocol, cipher: s.report.tls.cipher ?? '' } : null,
      authUser: null,
      // The send's counterpart of the listener that took a message: where it went.
      listener: `${s.profileName} (${s.host}:${s.port})`,
    };
    return { id, subject: s.subject, raw: Buffer.from(raw.value.base64, 'base64'), envelope };
  };
  /** A template rendered by the templates capability, through its verb: diff stays the one place that draws. */
  const templateRender = async (
    path: string,
    scheme: 'light' | 'inverted',
    images: 'on' | 'off',
  ): Promise<TemplateRender> => {
    const result = await deps.invoke('templates.render', { path, scheme, images });
    if (!result.ok) throw new MailwrightError(result.error.code, result.error.message, 'path');
    return result.value;
  };
  const baselines = new Baselines(deps, renderer, () => deps.settings.section('baselines'));
  return {
    name: 'diff',
    migrations: BASELINE_MIGRATIONS,
    // The section's shape is all it needs checked; a change starts or stops listening for new mail.
    settings: { key: 'baselines', apply: () => baselines.settingsChanged() },
    handlers: {
      'diff.messages': async ({ a, b, ...options }) => {
        const [x, y] = await Promise.all([side(a), side(b)]);
        return diffMessages(x, y, options);
      },
      'diff.sends': async ({ a, b, ...options }) => {
        const [x, y] = await Promise.all([sendSide(a, 'a'), sendSide(b, 'b')]);
        return diffMessages(x, y, options);
      },
      'diff.screenshot': async ({ id, ...options }) =>
        toScreenshot(await renderMessage(renderer, await deps.store.raw(id), renderSettings(options))),
      'diff.visual': async ({ a, b, ...options }) =>
        visualDiff(
          renderer,
          { id: a, raw: await deps.store.raw(a) },
          { id: b, raw: await deps.store.raw(b) },
          renderSettings(options),
        ),
      'diff.accessibility': async ({ id }) => {
        const { html } = await parseBodies(await deps.store.raw(id));
        if (html === null)
          return {
            id,
            hasHtml: false,
            findings: [],
            truncated: false,
            note: 'This message has no HTML part to check.',
          };
        return {
          id,
          hasHtml: true,
          ...lintAccessibility(html),
          note: 'Lines are in the HTML part as decoded. Sizes and colours are read from inline styles (and bgcolor) only.',
        };
      },
      'diff.templateScreenshot': async ({ path, ...options }) => {
        const s = renderSettings(options);
        // Dark is the browser's own emulation, as for a message; the inversion is the preview's style, under light.
        const render = await templateRender(path, s.scheme === 'inverted' ? 'inverted' : 'light', s.images);
        if (render.previewHtml === null) throw new MailwrightError('invalid_argument', neverCompiled(render), 'path');
        const policy = previewPolicy(false);
        return toScreenshot(
          await renderer.render({
            html: render.previewHtml,
            csp: s.images === 'off' ? imagesOffPolicy(policy) : policy,
            width: s.width,
            scheme: s.scheme === 'dark' ? 'dark' : 'light',
            images: s.images,
          }),
        );
      },
      'diff.templateAccessibility': async ({ path }) => {
        const render = await templateRender(path, 'light', 'on');
        if (render.html === null)
          return { path: render.path, hasHtml: false, findings: [], truncated: false, note: neverCompiled(render) };
        return {
          path: render.path,
          hasHtml: true,
          ...lintAccessibility(render.html),
          note:
            'Lines are in the rendered HTML (for MJML, the compiled output). Sizes and colours are read from inline ' +
            'styles (and bgcolor) only.' +
            (render.problem ? ' The template does not compile now: this is its last good render.' : ''),
        };
      },
      'diff.rendererStatus': () => renderer.status(),
      'diff.listBaselines': async () => ({ baselines: await baselines.list() }),
      'diff.approveBaseline': (a) => baselines.approve(a),
      'diff.deleteBaseline': async ({ key }) => ({ deleted: await baselines.delete(key) }),
      'diff.compareBaseline': ({ key, messageId }) => baselines.compare(key, messageId),
      'diff.verdicts': async ({ ids }) => ({ verdicts: await baselines.verdicts(ids) }),
      'diff.exportBaselines': ({ folder }) => exportBaselines(baselines, folder),
      'diff.importBaselines': ({ folder }) => importBaselines(baselines, folder),
    },
    routes: diffRoutes((key) => baselines.latestWithKey(key)),
    start: () => baselines.start(),
    stop: async () => {
      await baselines.stop();
      await renderer.close();
    },
  };
}
