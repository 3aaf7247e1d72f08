// The HTML preview document and the Content-Security-Policy that must travel with it.
import type { PreviewOptions } from '../../src-shared/index.js';
import { MailwrightError } from '../../src-shared/index.js';

export interface PreviewDocument {
  /** A complete HTML document; cid: references are rewritten to data: URLs. */
  html: string;
  /** The Content-Security-Policy that must be sent with it (it includes `sandbox`, so no script can ever run). */
  csp: string;
}

/** The HTML body prepared for the sandboxed preview frame. */
export async function renderPreview(raw: Buffer, options: PreviewOptions): Promise<PreviewDocument> {
  void raw; void options;
  throw new MailwrightError('internal', 'not implemented');
}
