// The mailwright-preview: scheme: serves a message's HTML preview with the CSP the core chose for it.
// registerPreviewScheme() must run before app 'ready'; setupPreviewProtocol() after.
import { protocol, session, type Session } from 'electron';
import { PREVIEW_SCHEME } from '../../src-shared/index.js';
import type { Core } from '../core/core.js';
import { previewResponse } from './preview-request.js';

export function registerPreviewScheme(): void {
  // standard: URLs parse as host + path like http. Deliberately no bypassCSP, serviceWorkers, fetch or CORS.
  protocol.registerSchemesAsPrivileged([{ scheme: PREVIEW_SCHEME, privileges: { standard: true } }]);
}

export function setupPreviewProtocol(core: Core, ses: Session = session.defaultSession): void {
  ses.protocol.handle(PREVIEW_SCHEME, (request) =>
    previewResponse(request.url, request.method, (id, remote, view) => core.preview(id, remote, view)),
  );
}
