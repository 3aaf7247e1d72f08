#!/usr/bin/env node
// Runs the examples as CI does (`npm run test:examples`, part of `npm test`): each suite starts its own
// Mailwright from the build (out/main/serve.js), so build first.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
if (!existsSync(path.join(root, 'out/main/serve.js'))) {
  console.error('examples: out/main/serve.js is missing: run `npm run build` first');
  process.exit(2);
}
// Debian's python3 has python3-pytest (what .ci/run installs); another python3 first on PATH (pyenv) may not.
const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const suites = [
  ['npx', ['playwright', 'test', '-c', 'examples/signup-playwright/playwright.config.ts']],
  ['npx', ['vitest', 'run', '-c', 'examples/mailpit-api/vitest.config.ts']],
  [python, ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', 'examples/pytest']],
];
for (const [command, args] of suites) {
  console.log(`== ${command} ${args.join(' ')}`);
  const { status } = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (status !== 0) process.exit(status ?? 1);
}
