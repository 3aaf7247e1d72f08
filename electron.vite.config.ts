// One build for both shells: out/main/index.js (Electron), out/main/serve.js (headless),
// out/preload/index.cjs (sandboxed preload, CommonJS) and out/renderer (the Svelte app).
import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      // Playwright drives the screenshot browser in serve mode; it must stay a package, never bundled.
      externalizeDeps: { include: ['playwright', 'playwright-core'] },
      rollupOptions: {
        input: {
          index: resolve('src-main/electron/main.ts'),
          serve: resolve('src-main/serve/cli.ts'),
          cli: resolve('src-main/cli/main.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // A sandboxed preload cannot require() anything but electron: bundle it whole, as CommonJS.
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve('src-main/electron/preload.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: 'src-renderer',
    base: './',
    plugins: [svelte({ configFile: resolve('svelte.config.js') })],
    build: {
      outDir: resolve('out/renderer'),
      rollupOptions: { input: { index: resolve('src-renderer/index.html') } },
    },
  },
});
