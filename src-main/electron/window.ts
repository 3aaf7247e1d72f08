// The main window and the guards every web page in the app lives under: hardened webPreferences,
// CSP header, no permissions, no downloads, no navigation away, no new windows, no <webview>.
import { app, BrowserWindow, type Session } from 'electron';
import { APP_NAME } from '../core/defaults.js';
import { openExternalWithConsent } from './desktop.js';
import { APP_CSP, externalUrl, isAppPageUrl, navigationVerdict, type RendererLocation } from './security.js';

export interface WindowFiles {
  preload: string;
  indexHtml: string;
}

export function createMainWindow(files: WindowFiles, where: RendererLocation): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 720,
    minHeight: 480,
    show: false,
    title: APP_NAME,
    webPreferences: {
      preload: files.preload,
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInSubFrames: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: false,
    },
  });
  win.once('ready-to-show', () => win.show());
  void (where.devUrl ? win.loadURL(where.devUrl) : win.loadFile(files.indexHtml));
  return win;
}

/** Session-wide: CSP on the app's own pages, every permission refused, downloads refused. */
export function setupSessionHardening(ses: Session, where: RendererLocation): void {
  ses.webRequest.onHeadersReceived((details, callback) => {
    // Preview responses carry their own, stricter CSP; only the app's own documents get APP_CSP.
    if (details.resourceType !== 'mainFrame' || !isAppPageUrl(details.url, where)) return callback({});
    const headers = Object.fromEntries(
      Object.entries(details.responseHeaders ?? {}).filter(([k]) => k.toLowerCase() !== 'content-security-policy'),
    );
    callback({ responseHeaders: { ...headers, 'Content-Security-Policy': [APP_CSP] } });
  });
  ses.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  ses.setDevicePermissionHandler(() => false); // USB, HID and serial devices ask through this one
  // Attachments and raw messages are saved through the desktop verbs, never by a page-started download.
  ses.on('will-download', (event) => event.preventDefault());
}

/** App-wide, for every webContents ever created (windows, frames' hosts): navigation and popup rules. */
export function setupNavigationGuards(where: RendererLocation): void {
  app.on('web-contents-created', (_event, contents) => {
    const owner = (): BrowserWindow | null => BrowserWindow.fromWebContents(contents);
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      if (externalUrl(url)) void openExternalWithConsent(owner(), url);
      return { action: 'deny' };
    });
    // will-frame-navigate covers the main frame and the preview iframe; it is the one place that offers to open links.
    contents.on('will-frame-navigate', (event) => {
      const verdict = navigationVerdict(event.url, event.isMainFrame, where);
      if (verdict === 'allow') return;
      event.preventDefault();
      if (verdict === 'external') void openExternalWithConsent(owner(), event.url);
    });
    // Belt and braces for the top-level page; no prompt here, will-frame-navigate already asked.
    contents.on('will-navigate', (event) => {
      if (navigationVerdict(event.url, true, where) !== 'allow') event.preventDefault();
    });
    contents.on('will-redirect', (event) => {
      if (navigationVerdict(event.url, event.isMainFrame, where) !== 'allow') event.preventDefault();
    });
  });
}
