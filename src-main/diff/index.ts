// The diff capability: the structured diff of two messages (message-diff.ts: headers, envelope, text, HTML source
// and text, links, images, MIME structure, attachments). Owns the diff.* verbs and GET /api/diff.
// Must not import electron, bindings or another capability's folder.
import type { Envelope, MessageId } from '../../src-shared/index.js';
import type { diffVerbs } from '../../src-shared/contract/diff.js';
import type { Capability, CapabilityDeps } from '../core/capability.js';
import { diffMessages, type DiffSide } from './message-diff.js';
import { diffRoutes } from './routes.js';

export { diffMessages, type DiffSide, type DiffOptions } from './message-diff.js';

export function setupDiff(deps: CapabilityDeps): Capability<keyof typeof diffVerbs> {
  const side = async (id: MessageId): Promise<DiffSide> => {
    const detail = await deps.store.get(id);
    const envelope: Envelope = detail.envelope;
    return { id, subject: detail.subject, raw: deps.store.raw(id), envelope };
  };
  return {
    name: 'diff',
    handlers: {
      'diff.messages': async ({ a, b, ...options }) => {
        const [x, y] = await Promise.all([side(a), side(b)]);
        return diffMessages(x, y, options);
      },
    },
    routes: diffRoutes(),
  };
}
