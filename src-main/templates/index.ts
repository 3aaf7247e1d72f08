// The templates capability: a folder of templates the user picks (the `templates` settings section), watched and
// rendered live (service.ts: .html, .mjml, .eml, .hbs with sample data; render.ts), every path checked to stay
// inside it (folder.ts); capture puts a rendered template into the inbox through the import path.
// Must not import electron, bindings, `capture/` or another capability's folder.
import path from 'node:path';
import type { templatesVerbs } from '../../src-shared/contract/templates.js';
import { MailwrightError } from '../../src-shared/index.js';
import type { Capability, CapabilityDeps } from '../core/capability.js';
import { openRoot } from './folder.js';
import { TEMPLATES_ROUTES } from './routes.js';
import { TemplateService } from './service.js';

export function setupTemplates(deps: CapabilityDeps): Capability<keyof typeof templatesVerbs> {
  const service = new TemplateService({
    keyHeader: () => deps.settings.section('baselines').keyHeader,
    onChanged: (paths) => deps.events.emit('templates.changed', { paths }),
    onProblem: (text) => deps.reportProblem(text),
  });
  return {
    name: 'templates',
    settings: {
      key: 'templates',
      validate({ folder }) {
        if (folder === '') return;
        if (!path.isAbsolute(folder))
          throw new MailwrightError('invalid_argument', 'folder must be an absolute path', 'templates.folder');
        openRoot(folder);
      },
      apply: ({ folder }) => service.configure(folder),
    },
    handlers: {
      'templates.list': () => service.list(),
      'templates.render': ({ path: rel, scheme, images }) =>
        service.render(rel, { scheme: scheme ?? 'light', images: images ?? 'on' }),
      'templates.capture': async ({ path: rel }) => {
        const { raw, key, filename } = await service.messageFor(rel);
        const result = await deps.invoke('messages.import', { filename, data: raw.toString('base64') });
        if (!result.ok) throw new MailwrightError(result.error.code, result.error.message, 'path');
        const messageId = result.value.ids[0];
        if (messageId === undefined)
          throw new MailwrightError(
            'invalid_argument',
            `${rel} was not stored: ${result.value.failed[0]?.error ?? 'the import took no message'}`,
            'path',
          );
        return { messageId, key };
      },
    },
    routes: TEMPLATES_ROUTES,
    start() {
      // A folder that has gone since it was saved is shown on the page, not fatal.
      service.configure(deps.settings.section('templates').folder);
    },
    stop: () => service.close(),
  };
}
