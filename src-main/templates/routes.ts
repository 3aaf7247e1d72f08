// The templates capability's REST routes; each is one verb. A template's path is one URL segment, its slashes
// encoded (`orders%2Fshipped.mjml`), since a path parameter matches one segment.
import { MailwrightError, parsePreviewView } from '../../src-shared/index.js';
import { restCall, verbResponses, type OpenApiParameter, type RestRoute } from '../core/rest.js';

const PATH_PARAM: OpenApiParameter = {
  name: 'path',
  in: 'path',
  required: true,
  description: 'The template path inside the folder, URL-encoded (`/` as `%2F`)',
  schema: { type: 'string' },
};

export const TEMPLATES_ROUTES: readonly RestRoute[] = [
  {
    method: 'GET',
    path: '/api/templates',
    operation: {
      operationId: 'listTemplates',
      summary: 'The templates in the watched folder, each with its last compile error',
      tags: ['templates'],
      responses: verbResponses('templates.list', '{folder, watching, folderProblem, templates}'),
    },
    handler: (c) => restCall(c, 'templates.list', {}),
  },
  {
    method: 'GET',
    path: '/api/templates/{path}/render',
    operation: {
      operationId: 'renderTemplate',
      summary: 'A template rendered: its HTML, the sandboxed preview document, and the newest compile error',
      description:
        'A compile error names the file, line and column (`problem`); `html` is then the last good render. ' +
        'A path or symlink that leaves the folder is refused with 403.',
      tags: ['templates'],
      parameters: [
        PATH_PARAM,
        {
          name: 'scheme',
          in: 'query',
          description:
            "The designer view of `previewHtml`, as the message preview takes it: `dark` (the template's own " +
            'prefers-color-scheme: dark CSS) or `inverted` (forced colour inversion, images kept); default light',
          schema: { type: 'string', enum: ['light', 'dark', 'inverted'] },
        },
        {
          name: 'images',
          in: 'query',
          description: '`off` blocks every image in `previewHtml`, so the layout shows alt text; default on',
          schema: { type: 'string', enum: ['on', 'off'] },
        },
      ],
      responses: verbResponses('templates.render'),
    },
    handler: (c) => {
      const view = parsePreviewView((name) => c.query.get(name));
      if (!view.ok) throw new MailwrightError('invalid_argument', view.message, view.field);
      return restCall(c, 'templates.render', { path: c.params.path, ...view.view });
    },
  },
  {
    method: 'POST',
    path: '/api/templates/{path}/capture',
    operation: {
      operationId: 'captureTemplate',
      summary: 'Put the rendered template into the inbox as a message (checks, diffs and baselines apply)',
      tags: ['templates'],
      parameters: [PATH_PARAM],
      responses: verbResponses('templates.capture', '{messageId, key}'),
    },
    handler: (c) => restCall(c, 'templates.capture', { path: c.params.path }),
  },
];
