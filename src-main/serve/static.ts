// Serves the built renderer (out/renderer) to browsers: files inside rendererDir only, index.html for app paths.
import { createReadStream, existsSync } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
};

/** Deeper than any real asset path; a longer one is a probe. */
const MAX_PATH_SEGMENTS = 32;

export type StaticHit =
  | { kind: 'file'; file: string; size: number; contentType: string }
  | { kind: 'bad_path' }
  | { kind: 'not_found' }
  | { kind: 'not_built' };

/**
 * Maps a URL pathname to a file strictly inside root. Dot segments, backslashes, NULs and
 * encoded slashes are refused outright rather than normalized, and symlinks are resolved before the containment check.
 */
export async function resolveStatic(root: string, pathname: string): Promise<StaticHit> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return { kind: 'bad_path' };
  }
  const segments = decoded.split('/').filter((s) => s !== '');
  if (segments.length > MAX_PATH_SEGMENTS) return { kind: 'bad_path' };
  if (segments.some((s) => s === '..' || s === '.' || /[\\\0]/.test(s) || /^[a-zA-Z]:/.test(s)))
    return { kind: 'bad_path' };

  let realRoot: string;
  try {
    realRoot = await realpath(root);
  } catch {
    return { kind: 'not_built' };
  }
  const wanted = segments.length === 0 ? 'index.html' : segments.join('/');
  const direct = await fileInside(realRoot, wanted);
  if (direct) return direct;
  // Client-side routes (no file extension) get the app; a missing asset stays a 404 so it fails loudly.
  const last = segments[segments.length - 1] ?? '';
  if (!last.includes('.')) return (await fileInside(realRoot, 'index.html')) ?? { kind: 'not_built' };
  return { kind: 'not_found' };
}

async function fileInside(realRoot: string, relative: string): Promise<StaticHit | null> {
  try {
    const real = await realpath(path.join(realRoot, relative));
    if (!real.startsWith(realRoot + path.sep)) return null;
    const info = await stat(real);
    if (!info.isFile()) return null;
    const contentType = CONTENT_TYPES[path.extname(real).toLowerCase()] ?? 'application/octet-stream';
    return { kind: 'file', file: real, size: info.size, contentType };
  } catch {
    return null;
  }
}

export function sendFile(
  res: ServerResponse,
  hit: Extract<StaticHit, { kind: 'file' }>,
  headers: OutgoingHttpHeaders,
  headOnly: boolean,
): void {
  res.writeHead(200, {
    ...headers,
    'Content-Type': hit.contentType,
    'Content-Length': hit.size,
    // The build names assets by content hash; index.html must be re-checked so a rebuild is picked up.
    'Cache-Control': hit.file.endsWith('.html') ? 'no-cache' : 'public, max-age=3600',
  });
  if (headOnly) {
    res.end();
    return;
  }
  const stream = createReadStream(hit.file);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}

/**
 * The built renderer sits beside the built entry (out/main/serve.js -> out/renderer).
 * Run from source (tsx src-main/serve/cli.ts), the last build in out/renderer is used if there is one.
 */
export function defaultRendererDir(): string | undefined {
  const script = process.argv[1] ? path.resolve(process.argv[1]) : fileURLToPath(import.meta.url);
  const here = path.dirname(script);
  const candidates = [path.resolve(here, '../renderer')];
  if (script.endsWith(path.join('src-main', 'serve', 'cli.ts')))
    candidates.push(path.resolve(here, '../../out/renderer'));
  return candidates.find((dir) => existsSync(path.join(dir, 'index.html')));
}

export const NOT_BUILT_PAGE =
  '<!doctype html><meta charset="utf-8"><title>Mailwright</title>' +
  '<p>The Mailwright web UI is not built. Run <code>npm run build</code>, or use the API: ' +
  '<a href="/api/openapi.json">/api/openapi.json</a>.</p>';
