// Locates ../shared/corpus beside the project root (CI lays shared/ there), or $MAILWRIGHT_CORPUS (a worktree that
// sits elsewhere), and lists its messages.
import fs from 'node:fs';
import path from 'node:path';

export const CORPUS_DIR = path.resolve(
  process.env.MAILWRIGHT_CORPUS || new URL('../../../shared/corpus', import.meta.url).pathname,
);

/** Every .eml file of the corpus, sorted, as absolute paths. */
export function corpusFiles(): string[] {
  if (!fs.existsSync(CORPUS_DIR))
    throw new Error(`test corpus not found at ${CORPUS_DIR}: ../shared/corpus must sit beside the project`);
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.name.endsWith('.eml')) out.push(p);
    }
  };
  walk(CORPUS_DIR);
  return out.sort();
}
