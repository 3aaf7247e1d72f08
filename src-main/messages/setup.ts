// The messages capability: the inbox's verbs (list, read, delete, import, reindex), the byte routes (raw, attachment,
// preview) and the remote-content gate. Everything a message's bytes become is computed by message/ from the store.
// Must not import electron, any binding or another capability's folder.
import fs from 'node:fs';
import path from 'node:path';
import type { CallName, ImportResult, PreviewView } from '../../src-shared/index.js';
import type { Capability, CapabilityDeps } from '../core/capability.js';
import {
  RemoteContentGate,
  extractAttachment,
  renderPreview,
  type AttachmentContent,
  type PreviewDocument,
} from '../message/index.js';
import type { ImportSource } from '../store/index.js';
import { Importer } from './import.js';
import { messagesRoutes } from './routes.js';

/** Every verb named messages.*: the contract's messages table. */
type MessagesVerb = Extract<CallName, `messages.${string}`>;

/** What the bindings read of a message beyond the verbs: bytes with their own content type, and file imports. */
export interface MessageAccess {
  /** The exact bytes received. Rejects with not_found. */
  raw(id: number): Promise<Buffer>;
  attachment(id: number, partId: string): Promise<AttachmentContent>;
  /**
   * The preview document. `remote` is the request's remote= value, passed through as the binding got it: null or
   * "0" blocks remote content, the key from messages.remoteContentKey allows it, anything else throws forbidden.
   */
  preview(id: number, remote: string | null, view?: PreviewView): Promise<PreviewDocument>;
  importStream(source: ImportSource, file: { filename: string; totalBytes?: number | null }): Promise<ImportResult>;
  /** Imports a file on disk (the desktop's import dialog and file association). */
  importFile(filePath: string): Promise<ImportResult>;
}

export type MessagesCapability = Capability<MessagesVerb> & { access: MessageAccess };

export function setupMessages(deps: CapabilityDeps): MessagesCapability {
  const { store } = deps;
  // Alone (SQLite): a new secret each start, so keys handed out before a restart stop working. Instances that share
  // a database (and a key file) sit behind one address, so a key one handed out must open the preview on another.
  const remoteGate = new RemoteContentGate(
    store.dialect === 'postgres' ? deps.secrets.derive('remote-content gate') : undefined,
  );
  const importer = new Importer(store, deps.events, () => deps.settings.section('smtp').maxMessageBytes);
  const access: MessageAccess = {
    raw: (id) => store.raw(id),
    attachment: async (id, partId) => extractAttachment(await store.raw(id), partId),
    preview: async (id, remote, view) => {
      const allowRemote = remoteGate.allowsRemote(id, remote);
      return renderPreview(await store.raw(id), { allowRemote, view });
    },
    importStream: (source, file) => importer.importStream(source, file),
    importFile: async (filePath) => {
      const { size } = await fs.promises.stat(filePath);
      return importer.importStream(fs.createReadStream(filePath), {
        filename: path.basename(filePath),
        totalBytes: size,
      });
    },
  };
  return {
    name: 'messages',
    access,
    routes: messagesRoutes(access),
    handlers: {
      'messages.list': (a) => store.list(a),
      'messages.get': (a) => store.get(a.id),
      'messages.source': async (a) => {
        const raw = await store.raw(a.id);
        // Text for display (decodeForDisplay); the byte-exact download is the raw route.
        return { source: decodeForDisplay(raw), size: raw.length };
      },
      'messages.remoteContentKey': async (a) => {
        await store.raw(a.id); // not_found for a message that is not there
        return { key: remoteGate.keyFor(a.id) };
      },
      'messages.markRead': async (a) => ({ updated: await store.markRead(a.ids, a.read) }),
      'messages.markAllRead': async (a) => ({ updated: await store.markAllRead(a.query) }),
      'messages.delete': async (a) => ({ deleted: await store.delete(a.ids) }),
      'messages.deleteAll': async () => ({ deleted: await store.deleteAll() }),
      'messages.import': (a) => {
        const data = Buffer.from(a.data, 'base64');
        return importer.importStream([data], { filename: a.filename, totalBytes: data.length });
      },
      'messages.reindex': async () => ({ reindexed: await store.reindex() }),
    },
  };
}

/** UTF-8 where the bytes are valid UTF-8, latin1 otherwise, so raw 8-bit bytes still show one-for-one. */
function decodeForDisplay(raw: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    return raw.toString('latin1');
  }
}
