// Bundles the helper processes (load client, bare server) to plain JS once per run of the suite,
// so each of the hundreds of spawns costs a Node start (~0.15 s) instead of a tsx start (~0.8 s).
// Falls back to running them through tsx when esbuild (a dependency of tsx) cannot be loaded.
import path from 'node:path';
import { ROOT } from './proc.js';

const OUT_DIR = path.join(ROOT, 'node_modules/.cache/mailwright-bench');
const ENTRIES = ['client-nodemailer', 'bare-smtp-server', 'flood-client', 'bulk-bare-client'] as const;
export type HelperName = (typeof ENTRIES)[number];

let built = false;

export async function buildHelpers(): Promise<void> {
  try {
    const esbuild = await import('esbuild');
    await esbuild.build({
      entryPoints: ENTRIES.map((e) => path.join(ROOT, 'bench', `${e}.ts`)),
      outdir: OUT_DIR,
      outExtension: { '.js': '.mjs' },
      bundle: true,
      // npm packages resolve from the project's node_modules (OUT_DIR lies inside it): same code as in the app.
      packages: 'external',
      platform: 'node',
      format: 'esm',
      target: 'node20',
      logLevel: 'silent',
    });
    built = true;
  } catch (err) {
    console.log(`[bench] could not bundle helpers (${(err as Error).message}); running them through tsx`);
  }
}

/** node arguments that run helper `name`. */
export function helperArgs(name: HelperName): string[] {
  return built ? [path.join(OUT_DIR, `${name}.mjs`)] : ['--import', 'tsx', path.join(ROOT, 'bench', `${name}.ts`)];
}
