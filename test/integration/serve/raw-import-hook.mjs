// Lets Node (through tsx) load Vite-style `?raw` imports, so the serve CLI runs from source in tests
// the same way electron-vite bundles it. Register with: node --import tsx --import ./raw-import-hook.mjs
import { register } from 'node:module';

register(
  'data:text/javascript,' +
    encodeURIComponent(`
      import { readFile } from 'node:fs/promises';
      export async function resolve(specifier, context, next) {
        if (specifier.endsWith('?raw') && context.parentURL) {
          return { url: new URL(specifier, context.parentURL).href, shortCircuit: true, format: 'module' };
        }
        return next(specifier, context);
      }
      export async function load(url, context, next) {
        if (url.startsWith('file:') && url.endsWith('?raw')) {
          const text = await readFile(new URL(url.slice(0, -4)), 'utf8');
          return { format: 'module', source: 'export default ' + JSON.stringify(text) + ';', shortCircuit: true };
        }
        return next(url, context);
      }
    `),
);
