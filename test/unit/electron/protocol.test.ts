// The preview scheme's registration and handler under a stand-in for Electron (no Electron binary here).
import { describe, expect, it, vi } from 'vitest';
import { PREVIEW_SCHEME, desktopPreviewUrl } from '../../../src-shared/index.js';

const fake = vi.hoisted(() => ({
  schemes: [] as any[],
  handlers: new Map<string, (r: Request) => Promise<Response>>(),
}));
vi.mock('electron', () => ({
  protocol: { registerSchemesAsPrivileged: (s: any[]) => fake.schemes.push(...s) },
  session: { defaultSession: { protocol: { handle: (scheme: string, fn: any) => fake.handlers.set(scheme, fn) } } },
}));
const { registerPreviewScheme, setupPreviewProtocol } = await import('../../../src-main/electron/protocol.js');

describe('preview protocol', () => {
  it('registers the scheme without CSP bypass, service workers, fetch or CORS', () => {
    registerPreviewScheme();
    expect(fake.schemes).toHaveLength(1);
    const { scheme, privileges } = fake.schemes[0];
    expect(scheme).toBe(PREVIEW_SCHEME);
    for (const risky of ['bypassCSP', 'allowServiceWorkers', 'supportFetchAPI', 'corsEnabled']) {
      expect(privileges[risky], risky).toBeFalsy();
    }
  });

  it('serves core.preview with its CSP and 404s bad ids', async () => {
    const asked: unknown[] = [];
    const core = {
      preview: async (id: number, remote: string | null) => {
        asked.push({ id, remote });
        return { html: '<p>hi</p>', csp: "default-src 'none'; sandbox" };
      },
    };
    setupPreviewProtocol(core as never);
    const handle = fake.handlers.get(PREVIEW_SCHEME)!;
    const ok = await handle(new Request(desktopPreviewUrl(2, 'the-key')));
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox");
    expect(asked).toEqual([{ id: 2, remote: 'the-key' }]);
    expect((await handle(new Request(`${PREVIEW_SCHEME}://message/x`))).status).toBe(404);
  });
});
