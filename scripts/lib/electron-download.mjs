// Fetching the Electron binary for `npm start`, since `npm install` leaves Electron's install script out (see
// allowScripts in package.json) so installs work offline. Electron's own parts do the work: its downloader
// (@electron/get, with the same mirror, cache and checksum settings as node_modules/electron/install.js) fetches the
// zip into its cache with a progress display, then install.js itself runs, finds the zip in that cache and unpacks
// it (extract-zip, path.txt) exactly as a normal install would.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { createProgressReporter, formatBytes } from './download-progress.mjs';

/**
 * A download that receives no byte for this long is cut. A budget on silence, not on the whole: ~100 MB on a slow
 * line takes many minutes and is fine as long as bytes keep coming; half a minute of nothing means a dead
 * connection (a lossy link that recovers resends well within it). MAILWRIGHT_ELECTRON_STALL_SECONDS overrides it.
 */
export const STALL_TIMEOUT_MS = 30_000;
/** install.js only unzips a file that is already on disk (~250 MB unpacked); minutes mean something is stuck. */
const UNPACK_TIMEOUT_MS = 5 * 60_000;

function stallTimeoutMs() {
  const seconds = Number(process.env.MAILWRIGHT_ELECTRON_STALL_SECONDS);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : STALL_TIMEOUT_MS;
}

/** The artifact install.js asks for, built from the same environment variables it reads. */
function artifactRequest(electronDir) {
  const env = process.env;
  const requireFromElectron = createRequire(path.join(electronDir, 'package.json'));
  const { version } = requireFromElectron('./package.json');
  const remoteChecksums = env.electron_use_remote_checksums || env.npm_config_electron_use_remote_checksums;
  return {
    version,
    artifactName: 'electron',
    cacheRoot: env.electron_config_cache,
    checksums: remoteChecksums ? undefined : requireFromElectron('./checksums.json'),
    platform: env.npm_config_platform || process.platform,
    // install.js also switches to arm64 under Rosetta; if it asks for another file than this, it downloads that
    // one itself (without progress), so a mismatch costs time, never correctness.
    arch: env.npm_config_arch || process.arch,
  };
}

function describeFailure(err, stallMs) {
  if (err && err.name === 'TimeoutError') {
    const seconds = Math.round(stallMs / 1000);
    // got names the phase that timed out: before the connection stands it is not a stalled download.
    return err.event === 'socket'
      ? `the download stalled: no data for ${seconds} s`
      : `no ${err.event} within ${seconds} s`;
  }
  const message = err instanceof Error ? err.message : String(err);
  return message.split('\n')[0];
}

/**
 * Downloads and unpacks Electron into projectDir/node_modules/electron. Progress goes to `out`.
 * @returns {Promise<{ ok: true } | { ok: false, reason: string }>}
 */
export async function downloadElectron(projectDir, out = process.stdout) {
  const electronDir = path.join(projectDir, 'node_modules', 'electron');
  let request;
  let downloadArtifact;
  try {
    request = artifactRequest(electronDir);
    ({ downloadArtifact } = createRequire(path.join(electronDir, 'package.json'))('@electron/get'));
  } catch (err) {
    return {
      ok: false,
      reason: `node_modules/electron is incomplete (${describeFailure(err, 0)}): run \`npm install\``,
    };
  }

  const label = `Electron ${request.version} (${request.platform}-${request.arch})`;
  const stallMs = stallTimeoutMs();
  // @electron/get draws its own progress bar after 30 s unless both of these say no; ours replaces it.
  process.env.ELECTRON_GET_NO_PROGRESS = '1';
  const progress = createProgressReporter(out, label);
  let received = 0;
  out.write(`Electron binary not found; downloading ${label}...\n`);
  try {
    await downloadArtifact({
      ...request,
      downloadOptions: {
        quiet: true,
        // got's timeouts are per phase; `socket` is the idle time between bytes, i.e. the stall budget.
        timeout: { lookup: stallMs, connect: stallMs, secureConnect: stallMs, socket: stallMs },
        getProgressCallback: async (p) => {
          received = p.transferred;
          progress.update(p);
        },
      },
    });
  } catch (err) {
    progress.finish();
    return { ok: false, reason: `download failed: ${describeFailure(err, stallMs)}` };
  }
  progress.finish();
  // Nothing received: @electron/get found a verified copy in its cache (an earlier attempt that was not unpacked).
  const fetched = received > 0 ? `Downloaded ${formatBytes(received)}` : 'Found it in the download cache';
  out.write(`${fetched}; unpacking with node_modules/electron/install.js...\n`);

  const childEnv = { ...process.env };
  delete childEnv.ELECTRON_SKIP_BINARY_DOWNLOAD; // install.js silently does nothing when it is set
  delete childEnv.force_no_cache; // would make it download again, ignoring what is now in the cache
  const r = spawnSync(process.execPath, [path.join(electronDir, 'install.js')], {
    cwd: projectDir,
    env: childEnv,
    stdio: ['ignore', 'inherit', 'pipe'],
    encoding: 'utf8',
    timeout: UNPACK_TIMEOUT_MS,
    killSignal: 'SIGKILL',
  });
  if (r.status === 0) return { ok: true };
  // install.js prints a whole stack; its first line is the reason.
  const why = r.error ? r.error.message : (r.stderr ?? '').trim().split('\n')[0];
  return { ok: false, reason: `unpacking failed: ${why || `install.js exit code ${r.status}`}` };
}
