// The binding's own routes: the generic call door, the OpenAPI document and the WebSocket's address. Every
// capability's REST routes (with their OpenAPI operations) live in its folder and come from core.routes().
// No contract logic here: arguments go to core.invoke, which validates them.
import type { CallName } from '../../src-shared/index.js';
import { toApiError } from '../../src-shared/index.js';
import type { Core } from '../core/core.js';
import { MAX_JSON_BODY_BYTES, json, readJson, resultReply, type Reply } from '../core/rest.js';
import type { Method, RouteContext as CapabilityRouteContext } from '../core/rest.js';
import { openApiDocument } from './openapi.js';

/** What the binding needs of the core: its one call entry point, the import stream, the event bus, the routes. */
export type CoreApi = Pick<Core, 'invoke' | 'importStream' | 'events' | 'routes'>;

export interface RouteContext extends Omit<CapabilityRouteContext, 'core'> {
  core: CoreApi;
}

export type { Method };
export interface Route {
  method: Method;
  /** OpenAPI-style template; openapi.ts documents these beside the capabilities' own operations. */
  path: string;
  handler: (c: RouteContext) => Promise<Reply> | Reply;
  /** See RestRoute.acceptsNoContentType (core/rest.ts). */
  acceptsNoContentType?: boolean | 'post-without-origin';
}

const r = (method: Method, path: string, handler: Route['handler']): Route => ({ method, path, handler });

/** The binding's own routes; every capability's routes come from core.routes(). */
export const ROUTES: readonly Route[] = [
  r('POST', '/api/call/{name}', call),
  r('GET', '/api/openapi.json', (c) => json(openApiDocument(c.core.routes()))),
  r('GET', '/api/events', () =>
    json({ error: { code: 'invalid_argument', message: 'this route is a WebSocket' } }, 426),
  ),
];

/** The browser transport's one door: args in, Result out, for every contract verb. */
async function call(c: RouteContext): Promise<Reply> {
  const name = c.params.name ?? '';
  try {
    const args = await readJson(c.req, MAX_JSON_BODY_BYTES);
    return resultReply(await c.core.invoke(name as CallName, args));
  } catch (err) {
    return resultReply({ ok: false, error: toApiError(err, `POST /api/call/${name}`) });
  }
}
