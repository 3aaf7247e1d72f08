// The desktop shell's composition root: single instance, data folder, core, then each setup…() in order.
// No feature logic lives here. This folder is the only one that may import electron, and only six files
// do (main, preload, window, ipc, protocol, desktop); the rest are pure and tested under plain Node.
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { app, BrowserWindow, dialog, safeStorage, session } from 'electron';
import { APP_NAME } from '../core/defaults.js';
import { Core } from '../core/core.js';
import { UNCAUGHT_EXIT_CODE, installLastResort } from '../core/last-resort.js';
import { importMailFiles } from './desktop-files.js';
import { setupEventForwarding, setupIpc } from './ipc.js';
import { locateNativeBinding } from './native.js';
import { registerPreviewScheme, setupPreviewProtocol } from './protocol.js';
import { SecretBox } from '../core/secrets.js';
import { loadDesktopSecretKey } from './secret-key.js';
import { StoreChoice } from './store-choice.js';
import type { RendererLocation } from './security.js';
import { mailFilesFromArgv, readShellConfig, type ShellConfig } from './shell-config.js';
import { OffscreenRenderer } from './offscreen-renderer.js';
import { createMainWindow, setupNavigationGuards, setupSessionHardening } from './window.js';

/** SMTP sessions in flight get this long to finish on quit; a stuck client must never keep the app alive. */
const STOP_BUDGET_MS = 5_000;

const outMain = path.dirname(fileURLToPath(import.meta.url)); // <root>/out/main (inside app.asar when packaged)
const projectDir = path.resolve(outMain, '..', '..');
const files = {
  preload: path.join(outMain, '..', 'preload', 'index.cjs'),
  indexHtml: path.join(outMain, '..', 'renderer', 'index.html'),
};

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function fatal(title: string, err: unknown): void {
  console.error(`[${APP_NAME}] ${title}: ${errorText(err)}`);
  dialog.showErrorBox(title, errorText(err));
  app.exit(1);
}

// macOS delivers double-clicked .eml files through open-file, possibly before 'ready'.
const pendingFiles: string[] = [];
let openFiles = (paths: string[]): void => void pendingFiles.push(...paths);
app.on('open-file', (event, file) => {
  event.preventDefault();
  openFiles([file]);
});

let config: ShellConfig | null = null;
try {
  config = readShellConfig(process.env);
} catch (err) {
  fatal(`${APP_NAME} configuration`, err);
}

if (config) {
  // Before the lock: the lock is per userData folder, so a test's temp profile never collides with the real app.
  if (config.dataDir) app.setPath('userData', config.dataDir);
  app.enableSandbox();
  registerPreviewScheme();
  if (!app.requestSingleInstanceLock()) app.quit();
  else start(config).catch((err) => fatal(`${APP_NAME} could not start`, err));
}

async function start(cfg: ShellConfig): Promise<void> {
  await app.whenReady();
  const devUrl = !app.isPackaged ? process.env.ELECTRON_RENDERER_URL || null : null;
  const where: RendererLocation = { indexFileUrl: pathToFileURL(files.indexHtml).href, devUrl };
  setupSessionHardening(session.defaultSession, where);
  setupNavigationGuards(where);

  const native = locateNativeBinding({
    isPackaged: app.isPackaged,
    resourcesPath: process.resourcesPath,
    electronVersion: process.versions.electron,
    projectDir,
  });
  let core: Core;
  let storeChoice: StoreChoice;
  try {
    // A listener that cannot bind (port in use) does not throw: core.status() carries the error to the UI.
    const dataDir = app.getPath('userData');
    const secret = loadDesktopSecretKey(dataDir, safeStorage);
    // Settings → Storage's choice (or MAILWRIGHT_STORE): read once, so a change applies at the next start.
    storeChoice = new StoreChoice(dataDir, secret.key ? new SecretBox(secret.key) : null);
    const store = storeChoice.forStart();
    const warnings = [secret.warning, store.warning].filter((w): w is string => w !== null);
    core = await Core.start({
      dataDir,
      layers: cfg.layers,
      ...(store.url ? { store: { url: store.url } } : {}),
      ...(secret.key ? { secretKey: secret.key } : { secretsLocked: true }),
      ...(warnings.length > 0 ? { warnings } : {}),
      ...(native.ok ? { nativeBinding: native.path } : {}),
      // Screenshots and visual diffs in an offscreen window: no separate browser to find or ship.
      htmlRenderer: new OffscreenRenderer(),
    });
  } catch (err) {
    fatal(`${APP_NAME} could not start`, native.ok ? err : new Error(`${errorText(err)}\n\n${native.message}`));
    return;
  }

  setupLastResort(core);
  setupPreviewProtocol(core);
  const windows = (): BrowserWindow[] => BrowserWindow.getAllWindows();
  setupIpc(core, storeChoice, where, windows);
  setupEventForwarding(core, where, windows);
  setupQuit(core);
  setupFileOpening(core);

  createMainWindow(files, where);
  logListeners(core);
  app.on('second-instance', (_event, argv) => {
    focusOrCreate(where);
    openFiles(mailFilesFromArgv(argv));
  });
  app.on('activate', () => focusOrCreate(where));
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
}

function focusOrCreate(where: RendererLocation): void {
  const [win] = BrowserWindow.getAllWindows();
  if (!win) {
    createMainWindow(files, where);
    return;
  }
  if (win.isMinimized()) win.restore();
  win.focus();
}

function setupFileOpening(core: Core): void {
  openFiles = (paths) => {
    if (paths.length === 0) return;
    void importMailFiles(paths, (file) => core.importFile(file)).then((result) => {
      for (const f of result.failed) console.error(`[${APP_NAME}] import: ${f.error}`);
    });
  };
  openFiles([...pendingFiles.splice(0), ...mailFilesFromArgv(process.argv)]);
}

/**
 * What nothing else caught is logged and shown on the Settings page while capture keeps running; a storm of them
 * stops the core cleanly and quits with a dialog (policy and reasons: core/last-resort.ts). Without this Electron
 * shows a modal error box for each uncaught exception in the main process.
 */
function setupLastResort(core: Core): void {
  installLastResort(process, {
    label: `[${APP_NAME}]`,
    log: (text) => console.error(text),
    report: (text) => core.reportProblem(text),
    shutdown: (reason) => {
      let timer: NodeJS.Timeout | undefined;
      const budget = new Promise<void>((resolve) => (timer = setTimeout(resolve, STOP_BUDGET_MS)));
      void Promise.race([
        core.stop().catch((err) => console.error(`[${APP_NAME}] stop: ${errorText(err)}`)),
        budget,
      ]).finally(() => {
        clearTimeout(timer);
        console.error(`[${APP_NAME}] ${reason}`);
        dialog.showErrorBox(`${APP_NAME} stopped after repeated internal errors`, reason);
        app.exit(UNCAUGHT_EXIT_CODE);
      });
    },
  });
}

function setupQuit(core: Core): void {
  let stopped = false;
  let stopping = false;
  app.on('will-quit', (event) => {
    if (stopped) return;
    event.preventDefault();
    if (stopping) return;
    stopping = true;
    let timer: NodeJS.Timeout | undefined;
    const budget = new Promise<void>((resolve) => (timer = setTimeout(resolve, STOP_BUDGET_MS)));
    void Promise.race([
      core.stop().catch((err) => console.error(`[${APP_NAME}] stop: ${errorText(err)}`)),
      budget,
    ]).finally(() => {
      clearTimeout(timer);
      stopped = true;
      app.quit();
    });
  });
}

function logListeners(core: Core): void {
  for (const l of core.status().listeners) {
    const where = `${l.host}:${l.port}`;
    if (l.error)
      console.error(l.error); // already names its area and address
    else console.log(`[smtp] ${l.id} listening on ${where} (${l.tls})`);
  }
}
