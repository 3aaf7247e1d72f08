// The built preload (out/preload/index.cjs) as Electron's sandbox loads it: CommonJS whose only require is
// 'electron'. Run in a fresh VM context with a require that knows nothing else. Needs `npm run build` first.
import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';

const bundle = path.resolve(import.meta.dirname, '..', '..', '..', 'out', 'preload', 'index.cjs');

describe.skipIf(!fs.existsSync(bundle))('out/preload/index.cjs', () => {
  const code = fs.existsSync(bundle) ? fs.readFileSync(bundle, 'utf8') : '';

  it('requires electron and nothing else, and bundles no zod', () => {
    const requires = [...code.matchAll(/\brequire\(\s*["'`]([^"'`]+)["'`]\s*\)/g)].map((m) => m[1]);
    expect(new Set(requires)).toEqual(new Set(['electron']));
    expect(code).not.toMatch(/\bZodError\b|\bz\.object\b/);
    expect(code).not.toMatch(/\bimport\s*[{(*]/); // CommonJS only: a sandboxed preload cannot load ES modules
  });

  it('runs with only electron available and exposes the bridge', async () => {
    const exposed = new Map<string, any>();
    const invokes: unknown[][] = [];
    const electron = {
      contextBridge: { exposeInMainWorld: (key: string, api: unknown) => exposed.set(key, api) },
      ipcRenderer: {
        invoke: async (...a: unknown[]) => (invokes.push(a), { ok: true, value: null }),
        on() {},
        removeListener() {},
      },
    };
    const requireInSandbox = (name: string) => {
      if (name !== 'electron') throw new Error(`module not found: ${name}`);
      return electron;
    };
    const module = { exports: {} };
    vm.runInNewContext(code, { require: requireInSandbox, module, exports: module.exports, console });
    expect([...exposed.keys()]).toEqual(['mailwright']);
    const bridge = exposed.get('mailwright');
    expect(Object.keys(bridge).sort()).toEqual(['call', 'kind', 'onEvent']);
    await bridge.call('messages.get', { id: 1 });
    expect(invokes).toEqual([['mailwright:invoke', 'messages.get', { id: 1 }]]);
  });
});
