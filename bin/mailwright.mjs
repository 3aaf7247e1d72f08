#!/usr/bin/env node
// The `mailwright` command: runs the built CLI (out/main/cli.js). `npm run build` makes it.
import { existsSync } from 'node:fs';

const cli = new URL('../out/main/cli.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write('mailwright: out/main/cli.js is missing: run `npm run build` first\n');
  process.exit(2);
}
await import(cli.href);
